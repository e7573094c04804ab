"""`spld serve`: the production HTTP server (gunicorn) with SPLD settings."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand

from spld.core.startup import refuse_unsafe_start


class Command(BaseCommand):
    help = "Serve SPLD with gunicorn (a production WSGI server)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2))
        )
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--control-socket",
            default="",
            help="Path of gunicorn's control socket; off by default, so that several "
            "instances never share $HOME/.gunicorn/gunicorn.ctl.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_unsafe_start()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "spld.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            "--timeout",
            "120",
            # No query strings in access logs: they may carry personal data.
            "--access-logformat",
            '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        ]
        if options["control_socket"]:
            argv += ["--control-socket", options["control_socket"]]
        else:
            argv.append("--no-control-socket")
        os.execv(sys.executable, argv)  # noqa: S606
