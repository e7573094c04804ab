"""Canonical JSON (RFC 8785, JCS) used for log leaves and signed documents."""

from typing import Any

import rfc8785


def canonical_json(value: Any) -> bytes:
    """Serialize `value` as RFC 8785 canonical JSON bytes."""
    return rfc8785.dumps(value)
