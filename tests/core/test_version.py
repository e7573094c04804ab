"""The release version lives in pyproject.toml and is what the package, CLI and footer show."""

import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import spld

ROOT = Path(__file__).resolve().parents[2]
DECLARED = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_package_version_is_the_one_pyproject_declares():
    # A stale install (pyproject bumped, `pip install -e .` not rerun) fails here.
    assert metadata.version("spld") == DECLARED
    assert spld.__version__ == DECLARED
    assert DECLARED != "0.1.0"  # versions change with releases


def test_every_release_since_the_first_has_a_note():
    note = ROOT / "docs" / "releases" / f"{DECLARED}.md"
    text = note.read_text()
    assert f"# SPLD {DECLARED}" in text
    assert "## Mise à jour" in text and "## Upgrade" in text  # French, then English


@pytest.mark.parametrize("argument", ["--version", "version"])
def test_cli_prints_spld_version(argument):
    env = dict(os.environ)  # this checkout's code first, whatever the caller's path is
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    out = subprocess.run([sys.executable, "-m", "spld.cli", argument], env=env,
                         capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == f"spld {DECLARED}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/en/"])
def test_footer_shows_the_version(client, path):
    html = client.get(path).content.decode()
    footer = html[html.index('<footer class="site-footer"'):]
    assert f"SPLD {DECLARED}" in footer
