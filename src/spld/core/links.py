"""Absolute links on the public base URL (SPLD_SITE_URL), for e-mails, receipts and catalogues."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation


def absolute_url(path: str = "/") -> str:
    """`path` on the public base URL, read when called (the demo sets it from its port)."""
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def public_url(viewname: str, *args: Any, language: str = "fr", **kwargs: Any) -> str:
    """Absolute URL of a named view, in `language` (French pages have no prefix)."""
    with translation.override(language):
        return absolute_url(reverse(viewname, args=args or None, kwargs=kwargs or None))
