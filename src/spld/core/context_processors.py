"""Template context shared by every page."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Site name and the demo flag for the base layout."""
    return {"SITE_NAME": settings.SITE_NAME, "DEMO_MODE": settings.DEMO_MODE}
