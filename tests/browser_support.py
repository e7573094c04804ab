"""Where Debian's Chromium lives and how tests start it (shared by every browser test)."""

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("SPLD_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]
