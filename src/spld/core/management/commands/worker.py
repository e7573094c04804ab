"""`spld worker`: run background tasks from the database queue, with a lease and crash recovery."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from spld.core.pause import hold_tasks_during_backups
from spld.core.recovery import Heartbeat
from spld.core.startup import refuse_unsafe_start


class LeasedWorker(Worker):
    """The django-tasks-db worker, holding a lease while it runs (see spld.core.recovery)."""

    def run(self) -> None:
        heartbeat = Heartbeat(self.worker_id)
        heartbeat.start()  # recovers what a dead worker left before taking new tasks
        try:
            super().run()
        finally:
            heartbeat.stop()


class Command(BaseCommand):
    help = "Run the background task worker (django-tasks database backend)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", action="store_true", help="Run queued tasks, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME

        refuse_unsafe_start()
        hold_tasks_during_backups()  # `spld backup` pauses the worker between tasks
        DbWorkerCommand(stdout=self.stdout, stderr=self.stderr).configure_logging(
            options["verbosity"])
        worker = LeasedWorker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME], interval=0.5, batch=options["batch"],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS, startup_delay=not options["batch"],
            max_tasks=None, worker_id=get_random_string(32), excluded_queue_names=[])
        worker.configure_signals()
        worker.run()
