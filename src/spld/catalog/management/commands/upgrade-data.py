"""`spld upgrade-data [--dry-run]`: bring data files of earlier releases to the current format.

The file name carries the hyphen so that the command is the one the upgrade guide names.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from spld.catalog import upgrade

WIDTH = 30
LABELS = {
    upgrade.REWRITE: "Parquet réécrit sans __id",
    upgrade.BUILD: "base de requête construite",
    upgrade.CURRENT: "déjà au format actuel",
    upgrade.MISSING: "FICHIER ABSENT",
}


class Command(BaseCommand):
    help = ("Mettre au format actuel les versions importées par une version antérieure "
            "de SPLD (base de requête dérivée, Parquet sans __id). Sans effet si tout est à jour.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="dire ce qui serait fait, sans rien modifier")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]

        def show(index: int, total: int, step: upgrade.Step) -> None:
            filled = WIDTH * index // total
            actions = ", ".join(LABELS[a] for a in step.actions)
            prefix = "à faire : " if dry_run and step.actions != [upgrade.CURRENT] else ""
            self.stdout.write(f"[{'#' * filled}{'.' * (WIDTH - filled)}] {index}/{total} "
                              f"{step.label} : {prefix}{actions}")

        steps = upgrade.upgrade(dry_run=dry_run, on_step=show)
        done = [s for s in steps if upgrade.REWRITE in s.actions or upgrade.BUILD in s.actions]
        missing = [s for s in steps if upgrade.MISSING in s.actions]
        verb = "à mettre à jour" if dry_run else "mises à jour"
        self.stdout.write(f"{len(steps)} versions, {len(done)} {verb}, "
                          f"{len(missing)} sans fichier.")
        if missing:
            raise CommandError(
                "Fichiers de version absents (restaurez le dossier de données ou renvoyez "
                "le fichier) : " + ", ".join(str(s.version.file_path) for s in missing))
