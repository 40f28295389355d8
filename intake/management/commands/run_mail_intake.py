"""``manage.py run_mail_intake``: serve the teams' request addresses over SMTP until stopped."""

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intake import services, smtp


class Command(BaseCommand):
    help = "Receive requests by email: an SMTP server for the teams' request addresses."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=settings.EMAIL_INTAKE_HOST)
        parser.add_argument("--port", type=int, default=settings.EMAIL_INTAKE_PORT)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        if not services.intake_domain():
            raise CommandError(
                "Set EMAIL_INTAKE_DOMAIN (the domain of the request addresses, e.g. requests.example.com) first."
            )
        server = smtp.controller(host, port)
        server.start()
        self.stdout.write(f"Receiving requests for *@{services.intake_domain()} on {host}:{port}")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        try:
            stop.wait()
        finally:
            server.stop()
