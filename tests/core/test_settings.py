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


def test_env_file_is_read_and_the_real_environment_wins(tmp_path):
    env_file = tmp_path / "spld.env"
    env_file.write_text(
        "# production settings\n\nSPLD_SECRET_KEY='from-the-file'\n"
        "export SPLD_SITE_NAME=Fichier\nSPLD_SITE_URL=https://fichier.example\n"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SPLD_")}
    clean.update({"SPLD_DATA_DIR": str(tmp_path), "SPLD_ENV_FILE": str(env_file),
                  "SPLD_SITE_URL": "https://reel.example"})
    out = subprocess.run(
        [sys.executable, "-c", "import spld.settings as s; "
         "print(s.SECRET_KEY, s.SITE_NAME, s.SITE_URL, s.ENV_FILE)"],
        env=clean, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split()
    assert out == ["from-the-file", "Fichier", "https://reel.example", str(env_file)]


def test_a_bad_env_file_line_is_a_clear_error(tmp_path):
    env_file = tmp_path / "env"
    env_file.write_text("SPLD_SECRET_KEY=x\nnot a setting\n")
    result = _import_settings({"SPLD_ENV_FILE": str(env_file)}, tmp_path)
    assert result.returncode != 0
    assert f"{env_file}, line 2: expected KEY=VALUE" in result.stderr


def test_the_demo_env_file_is_found_from_the_project_and_nothing_else_invents_a_key(tmp_path):
    # `./spld-data/env` (written by `spld demo`) is found without any variable…
    (tmp_path / "spld-data").mkdir()
    (tmp_path / "spld-data" / "env").write_text("SPLD_DEMO=true\nSPLD_SECRET_KEY=demo-key\n")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SPLD_")}
    code = "import spld.settings as s; print(s.DEMO_MODE, s.SECRET_KEY)"
    run = {"env": clean, "capture_output": True, "text": True, "timeout": 60, "check": False}
    found = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, **run)
    assert found.stdout.split() == ["True", "demo-key"], found.stderr
    # …while a folder without it is production: no key, no start.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    refused = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, **run)
    assert refused.returncode != 0 and "SPLD_SECRET_KEY is required" in refused.stderr
