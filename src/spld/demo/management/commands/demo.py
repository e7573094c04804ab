"""`spld demo [--port N] [--no-serve]`: load the demo territory and serve it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

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
        self.stdout.write(f"Dossier de données : {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        # Hashed, precompressed static files: cached a year by browsers (see settings).
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("Base de données prête.")
        load_demo(progress=lambda msg: self.stdout.write(f"  ✓ {msg}"))
        url = f"http://{options['host']}:{options['port']}/"
        self._print_accounts(url)
        if not options["no_serve"]:
            self._serve(options["host"], options["port"])

    def _print_accounts(self, url: str) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nSPLD démo : {url}  (English: {url}en/)"))
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for spec in USERS:
            self.stdout.write(f"  - {spec.email:<34} {spec.role_label}")
        self.stdout.write(
            f"Courriels envoyés (codes de vérification) : {settings.DATA_DIR / 'outbox'}\n"
        )

    def _serve(self, host: str, port: int) -> None:
        env = {**os.environ, "SPLD_DEMO": "true"}
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
