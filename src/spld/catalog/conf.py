"""Catalogue limits, read from Django settings (set from SPLD_* variables in settings.py)."""

from __future__ import annotations

from django.conf import settings


def upload_max_bytes() -> int:
    """SPLD_UPLOAD_MAX_BYTES (default 2 GiB)."""
    return int(settings.SPLD_UPLOAD_MAX_BYTES)


def uncompressed_max_bytes() -> int:
    """SPLD_UNCOMPRESSED_MAX_BYTES: largest decompressed size of a workbook."""
    return int(settings.SPLD_UNCOMPRESSED_MAX_BYTES)


def fetch_timeout() -> float:
    """SPLD_FETCH_TIMEOUT in seconds."""
    return float(settings.SPLD_FETCH_TIMEOUT)


def fetch_allowed_hosts() -> set[str]:
    """SPLD_FETCH_ALLOWED_HOSTS as a set of lower-case host names, addresses or CIDR blocks."""
    return {h.strip().lower() for h in settings.SPLD_FETCH_ALLOWED_HOSTS if h.strip()}
