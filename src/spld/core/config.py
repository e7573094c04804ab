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


# The environment file: one place for the server, the worker and every `spld` command.
DEFAULT_ENV_FILE = "/etc/spld/env"
DEMO_ENV_FILE_NAME = "env"
# Values that came from the file, not from the real environment (which always wins).
FROM_FILE: dict[str, str] = {}


def parse_env_file(text: str, *, source: str = "env file") -> dict[str, str]:
    """KEY=VALUE lines (systemd EnvironmentFile style): comments, blank lines, quotes, export."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key.replace("_", "").isalnum():
            raise ValueError(f"{source}, line {number}: expected KEY=VALUE, got {line!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = value
    return values


def env_file_path() -> Path | None:
    """The environment file to read: SPLD_ENV_FILE, else /etc/spld/env, else the demo's."""
    explicit = os.environ.get("SPLD_ENV_FILE")
    if explicit is not None:
        # An explicit empty value turns the file off (tests, containers).
        return Path(explicit).expanduser() if explicit.strip() else None
    data_dir = Path(os.environ.get("SPLD_DATA_DIR", "./spld-data")).expanduser()
    for candidate in (Path(DEFAULT_ENV_FILE), data_dir / DEMO_ENV_FILE_NAME):
        if candidate.is_file():
            return candidate
    return None


def load_env_file() -> Path | None:
    """Put the environment file's values into os.environ, never over a real variable."""
    _raw(
        "SPLD_ENV_FILE",
        DEFAULT_ENV_FILE,
        help="Environment file (KEY=VALUE lines) read by the server, the worker and every "
        "`spld` command; the real environment wins. When unset: /etc/spld/env, else the "
        "demo's SPLD_DATA_DIR/env. Empty: no file.",
    )
    path = env_file_path()
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read the environment file {path}: {exc.strerror}") from exc
    for key, value in parse_env_file(text, source=str(path)).items():
        if key not in os.environ:
            os.environ[key] = value
            FROM_FILE[key] = value
    return path


def from_real_environment(name: str) -> bool:
    """Whether a variable was set by the real environment (not by the environment file)."""
    return name in os.environ and name not in FROM_FILE


def write_env_file(path: Path, values: dict[str, str], *, header: str) -> None:
    """Write KEY=VALUE lines readable by load_env_file and systemd, private to the owner."""
    lines = [f"# {line}" for line in header.splitlines()]
    for key, value in values.items():
        if "\n" in value:
            raise ValueError(f"{key}: a value cannot span several lines")
        lines.append(f"{key}={value}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
