"""Settings: every SPLD_* variable is documented, and production refuses to start without a key."""

import os
import re
import subprocess
import sys
from pathlib import Path

from spld.core.config import REGISTRY

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_is_documented():
    documented = set(re.findall(r"`(SPLD_[A-Z0-9_]+)`", DOC.read_text(encoding="utf-8")))
    missing = sorted(set(REGISTRY) - documented)
    assert not missing, f"undocumented settings in docs/configuration.md: {missing}"
    assert len(REGISTRY) >= 10


def _import_settings(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SPLD_")}
    clean.update({"SPLD_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", "import spld.settings as s; print(s.DEBUG, bool(s.SECRET_KEY))"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_requires_a_secret_key(tmp_path):
    result = _import_settings({}, tmp_path)
    assert result.returncode != 0
    assert "SPLD_SECRET_KEY is required" in result.stderr


def test_demo_generates_and_keeps_a_secret_key(tmp_path):
    first = _import_settings({"SPLD_DEMO": "true"}, tmp_path)
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) > 40
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    _import_settings({"SPLD_DEMO": "true"}, tmp_path)
    assert (tmp_path / "secret_key").read_text() == key


def test_bad_boolean_is_a_clear_error(tmp_path):
    result = _import_settings({"SPLD_DEBUG": "maybe", "SPLD_SECRET_KEY": "x"}, tmp_path)
    assert result.returncode != 0
    assert "SPLD_DEBUG must be true or false" in result.stderr


def test_postgres_url_is_understood(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SPLD_")}
    clean.update(
        {
            "SPLD_DATA_DIR": str(tmp_path),
            "SPLD_SECRET_KEY": "x",
            "SPLD_DATABASE_URL": "postgres://u:p@db.example:5433/spld",
        }
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import spld.settings as s; d=s.DATABASES['default']; "
            "print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'])",
        ],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert out == ["django.db.backends.postgresql", "db.example", "5433", "spld"]
