"""Catalogue settings: Django settings override SPLD_* environment variables (see docs)."""

from __future__ import annotations

import os

from django.conf import settings

DEFAULTS: dict[str, tuple[str, str]] = {
    "SPLD_UPLOAD_MAX_BYTES": (str(2 * 1024**3), "Largest accepted upload or remote file, bytes."),
    "SPLD_UNCOMPRESSED_MAX_BYTES": (str(4 * 1024**3),
                                    "Largest decompressed size of an XLSX/ODS workbook, bytes."),
    "SPLD_FETCH_TIMEOUT": ("120", "Time limit of a remote file download, seconds."),
    "SPLD_FETCH_ALLOWED_HOSTS": ("", "Hosts a remote URL may point to even on a private "
                                     "network (comma-separated; e.g. an intranet portal)."),
}


def get(name: str) -> str:
    """A catalogue setting: Django settings first, then the environment, then the default."""
    if hasattr(settings, name):
        return str(getattr(settings, name))
    return os.environ.get(name, DEFAULTS[name][0])


def upload_max_bytes() -> int:
    """SPLD_UPLOAD_MAX_BYTES (default 2 GiB)."""
    return int(get("SPLD_UPLOAD_MAX_BYTES"))


def fetch_timeout() -> float:
    """SPLD_FETCH_TIMEOUT in seconds."""
    return float(get("SPLD_FETCH_TIMEOUT"))


def fetch_allowed_hosts() -> set[str]:
    """SPLD_FETCH_ALLOWED_HOSTS as a set of lower-case host names or addresses."""
    raw = get("SPLD_FETCH_ALLOWED_HOSTS")
    if isinstance(getattr(settings, "SPLD_FETCH_ALLOWED_HOSTS", None), (list, tuple, set)):
        return {h.lower() for h in settings.SPLD_FETCH_ALLOWED_HOSTS}
    return {h.strip().lower() for h in raw.split(",") if h.strip()}
