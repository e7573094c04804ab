"""The `spld` console script: Django's management commands with SPLD's settings."""

import os
import sys


def main() -> None:
    """Run a management command (`spld migrate`, `spld demo`, `spld worker`, …)."""
    if len(sys.argv) > 1 and sys.argv[1] in ("--version", "version"):
        from spld import __version__

        # SPLD's own version (Django's --version would print Django's).
        print(f"spld {__version__}")
        return
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        # The demo may generate its own secret key and shows demo accounts.
        os.environ.setdefault("SPLD_DEMO", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spld.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
