"""`spld backup DEST`: database dump and data folder (worker paused), checksummed manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spld.portal import backup


class Command(BaseCommand):
    help = ("Sauvegarde : base de données puis dossier de données (sans static/ ni clé "
            "maîtresse du coffre), avec un manifeste d’empreintes.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", help="New (or empty) folder to write the backup into.")
        parser.add_argument("--timeout", type=float, default=600.0,
                            help="Seconds to wait for a running background task to end.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup.backup(Path(options["dest"]), say=self.stdout.write,
                                     timeout=options["timeout"])
        except (backup.BackupError, TimeoutError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"backup written to {options['dest']}: database {manifest['database']['method']}, "
            f"{len(manifest['files'])} files, log size {manifest['log']['size']}"
        ))
        self.stdout.write("This backup holds these secrets (protect it like them):")
        for line in manifest["secrets_inside"]:
            self.stdout.write(f"  - {line}")
        self.stdout.write("Keep these OUTSIDE this backup, in a separate safe place:")
        for line in manifest["secrets_elsewhere"]:
            self.stdout.write(f"  - {line}")
