"""`spld worker`: run background tasks from the database queue."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from spld.core.pause import hold_tasks_during_backups
from spld.core.startup import refuse_unsafe_start


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks database backend)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", action="store_true", help="Run queued tasks, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_unsafe_start()
        hold_tasks_during_backups()  # `spld backup` pauses the worker between tasks
        call_command("db_worker", batch=options["batch"], reload=False, interval=0.5)
