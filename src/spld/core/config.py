"""Typed settings read from SPLD_* environment variables, each registered with its doc."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    """One documented environment variable."""

    name: str
    default: str
    help: str


# Every variable read through this module; a test checks each is in docs/configuration.md.
REGISTRY: dict[str, Setting] = {}


def _raw(name: str, default: str, help: str) -> str:
    REGISTRY[name] = Setting(name, default, help)
    return os.environ.get(name, default)


def env_str(name: str, default: str = "", *, help: str) -> str:
    """Read a string setting."""
    return _raw(name, default, help).strip()


def env_bool(name: str, default: bool = False, *, help: str) -> bool:
    """Read a boolean setting (1/true/yes/on are true)."""
    value = _raw(name, "true" if default else "false", help).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{name} must be true or false, got {value!r}")


def env_int(name: str, default: int, *, help: str) -> int:
    """Read an integer setting."""
    value = _raw(name, str(default), help).strip()
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "", *, help: str) -> list[str]:
    """Read a comma-separated list setting."""
    return [item.strip() for item in _raw(name, default, help).split(",") if item.strip()]


def env_path(name: str, default: str, *, help: str) -> Path:
    """Read a filesystem path setting, resolved to an absolute path."""
    return Path(_raw(name, default, help)).expanduser().resolve()
