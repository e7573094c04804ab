"""`spld restore SRC`: verify a backup's checksums, put back database and data files, check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from spld.portal import backup, integrity


class Command(BaseCommand):
    help = ("Restauration d’une sauvegarde `spld backup` (serveur et worker arrêtés), puis "
            "vérification des clés, des fichiers et du journal.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("src", help="Folder written by `spld backup`.")
        parser.add_argument("--force", action="store_true",
                            help="Replace the files already in SPLD_DATA_DIR.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup.restore(Path(options["src"]), say=self.stdout.write,
                                      force=options["force"])
        except (backup.BackupError, TimeoutError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        found = integrity.problems(deep=True)
        if found:
            raise CommandError(
                "restored, but not ready to start:\n- " + "\n- ".join(found)
                + "\n(put the vault master key and the environment file back, then `spld check`)"
            )
        self.stdout.write(self.style.SUCCESS(
            f"restored: log size {manifest['log']['size']}, keys, files and log checked; "
            "run `spld migrate` and `spld collectstatic` if this release is newer"
        ))
