"""The layer contract of pyproject's [tool.importlinter], checked with import-linter."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"lint-imports not installed beside {sys.executable}: pip install -e '.[test]'")
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=src.parent, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_the_import_contracts_are_kept():
    result = _lint(ROOT / "src")
    # The three contracts must be the ones checked, so that an emptied config cannot pass.
    for name in ("Layers:", "Domain apps are independent", "No import cycle"):
        assert name in result.stdout, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # The kernel reaching up into a domain app, as core/selectors.py did for the hub.
        ("core/selectors.py", "from spld.catalog import selectors", "spld.core is not allowed"),
        # Organisations and accounts importing each other.
        ("organizations/api.py", "from spld.accounts import auth",
         "spld.organizations is not allowed to import spld.accounts"),
        # Two domain apps linked without a declaration.
        ("charter/selectors.py", "from spld.rights import selectors",
         "spld.charter is not allowed to import spld.rights"),
        # A cycle inside an app, like harvest -> services -> tasks -> harvest.
        ("catalog/services.py", "from spld.catalog import tasks", "No cycles are allowed"),
    ],
)
def test_a_violation_breaks_the_contract(tmp_path, module, line, broken):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "spld", src / "spld",
                    ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates"))
    target = src / "spld" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = _lint(src)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken in result.stdout, result.stdout
