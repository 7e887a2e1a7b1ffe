"""The worker (`run_huey`) imports only the apps' `tasks` modules: every job and every e-mail
delivery a service queues (`mail.py`, decision 0022) must be registered from there."""

import importlib
import subprocess
import sys
from pathlib import Path

from huey.api import TaskWrapper

import schakelpunt

SCRIPT = """
import django
django.setup()
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY
assert not HUEY._registry._registry, "tasks registered before discovery"
autodiscover_modules("tasks")
print("\\n".join(sorted(HUEY._registry._registry)))
"""


def test_the_worker_registers_every_delivery_and_job():
    source = Path(schakelpunt.__file__).parent
    deliveries = set()
    for path in source.glob("*/mail.py"):
        module = importlib.import_module(f"schakelpunt.{path.parent.name}.mail")
        deliveries |= {
            f"{module.__name__}.{name}"
            for name, value in vars(module).items()
            if isinstance(value, TaskWrapper)
        }
    assert len(deliveries) >= 3  # accounts, meetings, notifications
    found = subprocess.run(  # noqa: S603 - a fixed script; a fresh process, as the worker's
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "schakelpunt.conf.test", "PATH": ""},
    ).stdout.split()
    assert deliveries <= set(found)
    assert "schakelpunt.signals.tasks.run_absence_import" in found
