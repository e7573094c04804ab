"""`spld check`: Django's system checks, then keys, data files and transparency log."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.core.management.commands import check
from django.db import DatabaseError

from spld.portal import integrity


class Command(check.Command):
    help = ("Vérifie la configuration, les clés (reçus, coffre, journal), les fichiers de "
            "données et le journal de transparence.")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--quick", action="store_true",
            help="Skip hashing data files, verifying each receipt and replaying the log.",
        )
        parser.add_argument(
            "--config-only", action="store_true", help="Only Django's system checks.",
        )

    def handle(self, *app_labels: Any, **options: Any) -> None:
        super().handle(*app_labels, **options)
        if options["config_only"] or app_labels or options["list_tags"]:
            return
        try:
            found = integrity.problems(deep=not options["quick"], out=self.stdout.write)
        except DatabaseError as exc:
            raise CommandError(f"database not ready ({exc}): run `spld migrate`") from exc
        if found:
            raise CommandError(
                f"{len(found)} problem(s):\n- " + "\n- ".join(found)
                + "\nSee docs/operations.md (recovery)."
            )
        self.stdout.write(self.style.SUCCESS(
            "OK: keys match the receipts, vaults and checkpoints; data files"
            + (" present" if options["quick"] else " and checksums")
            + (", transparency log consistent" if not options["quick"] else "")
        ))
