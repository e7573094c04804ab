"""Template context shared by every page."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from spld import __version__


def site(request: HttpRequest) -> dict[str, Any]:
    """Site name, the demo flag and the release version for the base layout."""
    return {"SITE_NAME": settings.SITE_NAME, "DEMO_MODE": settings.DEMO_MODE,
            "SPLD_VERSION": __version__}
