"""`spld charter seed|check [--date YYYY-MM-DD]`: seed version 1, run the daily checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Charte : créer la version 1 (seed) ou lancer les contrôles quotidiens (check)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seed", help="Créer la version 1 de la charte si elle n’existe pas.")
        check = sub.add_parser("check", help="Mesurer les indicateurs, proposer des alertes, "
                                             "relancer les auto-évaluations en retard.")
        check.add_argument("--date", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        from spld.charter import services

        if options["action"] == "seed":
            version = services.seed_first_version(actor=services.SYSTEM)
            self.stdout.write(self.style.SUCCESS(f"Charte version {version.number} présente."))
            return
        at = options["date"]
        stored = services.record_indicator_values(actor=services.SYSTEM, at_date=at)
        proposals = services.propose_alerts_from_indicators(actor=services.SYSTEM)
        overdue = services.check_overdue_evaluations(actor=services.SYSTEM, at_date=at)
        self.stdout.write(self.style.SUCCESS(
            f"{stored} valeurs d’indicateurs, {len(proposals)} propositions d’alerte, "
            f"{overdue['reminders']} relances, {overdue['alerts']} alertes."))
