"""`spld rights_maintenance`: daily job (cron) or `--enqueue` for the task worker."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from spld.rights.tasks import rights_maintenance


class Command(BaseCommand):
    help = ("Expire consents, flag overdue rights requests and purge data past its retention "
            "period (counts only are printed and logged).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true",
                            help="Queue the job for `spld worker` instead of running it now.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = rights_maintenance.enqueue()
            self.stdout.write(f"queued: {result.id}")
            return
        self.stdout.write(json.dumps(rights_maintenance.call(), sort_keys=True))
