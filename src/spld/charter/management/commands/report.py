"""`spld report annual --year YYYY [--output FILE.pdf] [--publish]`: the charter's annual report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Génère le rapport annuel public de la charte (page web et PDF)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        annual = sub.add_parser("annual", help="Rapport annuel de la charte.")
        annual.add_argument("--year", type=int, required=True, help="Année du rapport.")
        annual.add_argument("--output", type=Path, help="Écrire aussi le PDF dans ce fichier.")
        annual.add_argument("--publish", action="store_true",
                            help="Publier le rapport (son empreinte est inscrite au journal).")

    def handle(self, *args: Any, **options: Any) -> None:
        from spld.charter import services
        from spld.charter.models import AnnualReport

        year = options["year"]
        existing = AnnualReport.objects.filter(year=year).first()
        try:
            if existing is not None and existing.status == AnnualReport.Status.PUBLISHED:
                report = existing
                self.stdout.write(f"Le rapport {year} est déjà publié ; il n’est pas régénéré.")
            else:
                report = services.generate_annual_report(actor=services.SYSTEM, year=year)
                if options["publish"]:
                    report = services.publish_annual_report(actor=services.SYSTEM, report=report)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if options.get("output"):
            with report.pdf.open("rb") as source:
                options["output"].write_bytes(source.read())
            self.stdout.write(f"PDF écrit dans {options['output']}")
        score = "—" if report.readability is None else f"{report.readability:.1f}"
        self.stdout.write(self.style.SUCCESS(
            f"Rapport {year} : {report.get_status_display()}, SHA-256 {report.pdf_sha256}, "
            f"lisibilité {score}"))
