"""`spld demo [--port N] [--no-serve]`: load the demo territory and serve it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from spld.core.config import (
    DEMO_ENV_FILE_NAME,
    REGISTRY,
    from_real_environment,
    write_env_file,
)
from spld.demo.services import load_demo
from spld.demo.territory import DEMO_PASSWORD, USERS


class Command(BaseCommand):
    help = "Load the demo territory (idempotent), then serve it with a worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="Load the demo and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        # Static files are served from the app folders in the demo (no collectstatic, which
        # takes a minute); an existing STATIC_ROOT keeps WhiteNoise from warning in each worker.
        settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Dossier de données : {settings.DATA_DIR}")
        site_url = self._site_url(options["host"], options["port"])
        # Receipts, e-mails and catalogues signed by this process name the demo's own address.
        settings.SITE_URL = site_url
        env_file = self._write_env_file(site_url)
        self.stdout.write(f"Réglages de la démonstration : {env_file}")
        call_command("migrate", interactive=False, verbosity=0)
        # Hashed, precompressed static files: cached a year by browsers (see settings).
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("Base de données prête.")
        load_demo(progress=lambda msg: self.stdout.write(f"  ✓ {msg}"))
        self._print_accounts(site_url.rstrip("/") + "/")
        if not options["no_serve"]:
            self._serve(options["host"], options["port"])

    @staticmethod
    def _site_url(host: str, port: int) -> str:
        """The public base URL: SPLD_SITE_URL from the real environment, else host and port."""
        if from_real_environment("SPLD_SITE_URL"):
            return settings.SITE_URL
        shown = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
        return f"http://{shown}:{port}"

    @staticmethod
    def _write_env_file(site_url: str) -> Path:
        """Keep the demo's settings in its data folder so that every `spld` command finds them."""
        values = {
            name: os.environ[name]
            for name in sorted(REGISTRY)
            if name in os.environ and name != "SPLD_ENV_FILE"
        }
        values.update({
            "SPLD_DEMO": "true",
            "SPLD_DATA_DIR": str(settings.DATA_DIR),
            "SPLD_SECRET_KEY": settings.SECRET_KEY,
            "SPLD_SITE_URL": site_url,
        })
        path = settings.DATA_DIR / DEMO_ENV_FILE_NAME
        write_env_file(path, values, header=(
            "Written by `spld demo`: read by every `spld` command run with this data folder\n"
            "(SPLD_DATA_DIR, or ./spld-data from the project). Demo only: never in production."
        ))
        return path

    def _print_accounts(self, url: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nSPLD démo : {url}  (English: {url}en/)"))
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for spec in USERS:
            self.stdout.write(f"  - {spec.email:<34} {spec.role_label}")
        self.stdout.write(
            f"Courriels envoyés (codes de vérification) : {settings.DATA_DIR / 'outbox'}\n"
        )

    def _serve(self, host: str, port: int) -> None:
        env = {**os.environ, "SPLD_DEMO": "true", "SPLD_SITE_URL": settings.SITE_URL}
        spld = [sys.executable, "-m", "spld.cli"]
        worker = subprocess.Popen([*spld, "worker"], env=env)  # noqa: S603
        server = subprocess.Popen([*spld, "serve", "--host", host, "--port", str(port)], env=env)  # noqa: S603

        def stop(*_args: Any) -> None:
            for proc in (server, worker):
                if proc.poll() is None:
                    proc.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            server.wait()
        finally:
            stop()
            worker.wait(timeout=30)
