"""What `make demo` runs: migrate, build the region if needed, start the worker, serve."""

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from schakelpunt.demo.address import site_url_for


class Command(BaseCommand):
    help = "Start de demo: database bijwerken, demoregio bouwen als die er nog niet is, serveren."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default=os.environ.get("DEMO_ADDR", "127.0.0.1:8000"))
        parser.add_argument("--students", type=int, default=21_000)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "rundemo werkt alleen met de demo-instellingen (schakelpunt.conf.demo)."
            )
        addr = options["addr"]
        if getattr(settings, "SITE_URL_FOLLOWS_DEMO_ADDR", False):
            # Links in e-mails and .ics files point where this demo serves (also --addr).
            settings.SITE_URL = site_url_for(addr)
        self.stdout.write("Database bijwerken…")
        self.stdout.flush()
        started = time.monotonic()
        call_command("migrate", verbosity=0)
        self.stdout.write(f"Database bijgewerkt ({time.monotonic() - started:.0f} s).")
        call_command("demo", students=options["students"], if_empty=True, stdout=self.stdout)
        worker = subprocess.Popen(
            [sys.executable, "-m", "schakelpunt", "run_huey", "--quiet"],
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
                "DEMO_ADDR": addr,  # the worker's links (its own settings) follow it too
            },
        )
        # Stopped with SIGTERM as with Ctrl+C: leave through `finally`, so the worker stops too.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(f"\nAchtergrondtaken draaien (proces {worker.pid}).")
        self.stdout.write(f"Schakelpunt draait op http://{addr}/ — stoppen met Ctrl+C.")
        self.stdout.write(
            f"Links in e-mails en agenda-uitnodigingen wijzen naar {settings.SITE_URL}/.\n"
        )
        try:
            call_command("runserver", addr, use_reloader=False, use_threading=True)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
