"""Where Debian's Chromium lives and how tests start it (shared by every browser test)."""

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("SPLD_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]


def serious_violations(page, label: str = "") -> list[str]:
    """axe-core's serious and critical findings on the page, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.response["passes"], "axe-core did not run"
    return [f"{label}{v['id']} ({v['impact']}): {v['help']}"
            for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]


def check_pages(page, base_url: str, pages: list[tuple[str, str]]) -> list[str]:
    """Visit each (path, heading): 200, the heading in h1, then axe problems and CSP errors."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    problems: list[str] = []
    for path, heading in pages:
        response = page.goto(base_url + path)
        assert response.status == 200, path
        assert heading in page.locator("h1").inner_text(), path
        problems += serious_violations(page, f"{path}: ")
    problems += [f"console: {e}" for e in errors if "Content Security Policy" in e]
    return problems
