"""pyproject.toml uses the current metadata forms (no setuptools deprecation warning on install)."""

import tomllib
from pathlib import Path

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())


def test_license_is_an_spdx_expression_with_a_setuptools_that_reads_it():
    # A {text = …} table is deprecated since setuptools 77, which reads the SPDX string.
    assert PYPROJECT["project"]["license"] == "EUPL-1.2"
    assert "setuptools>=77" in PYPROJECT["build-system"]["requires"]
    assert not any(c.startswith("License ::") for c in PYPROJECT["project"].get("classifiers", []))
