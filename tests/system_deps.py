"""System programs some tests use: skip with the reason, or fail where CI requires them."""

from __future__ import annotations

import os
import shutil

import pytest


def require_program(program: str, *, package: str, env: str) -> str:
    """Path of `program`; skip the test when absent, unless `env` (e.g. SPLD_REQUIRE_X=1) is set."""
    path = shutil.which(program)
    if path:
        return path
    reason = f"{program} not installed (apt-get install {package})"
    if os.environ.get(env):
        pytest.fail(f"{reason}, and {env} is set: it must run here", pytrace=False)
    pytest.skip(f"{reason}; set {env}=1 to make this a failure")


def require_weasyprint() -> None:
    """WeasyPrint (PDF reports) loads Pango, a system library; skip or fail like a program."""
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:
        reason = (f"WeasyPrint cannot load Pango ({exc}; apt-get install libpango-1.0-0 "
                  "libpangoft2-1.0-0)")
        if os.environ.get("SPLD_REQUIRE_PANGO"):
            pytest.fail(f"{reason}, and SPLD_REQUIRE_PANGO is set", pytrace=False)
        pytest.skip(f"{reason}; set SPLD_REQUIRE_PANGO=1 to make this a failure")
