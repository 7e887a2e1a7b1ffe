"""The daily jobs run at Dutch clock time: the morning run at 06:30 in winter and in summer
time, before school starts and before /health/jobs/ expects it (08:00)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from huey.contrib.djhuey import HUEY

from schakelpunt.signals.tasks import compute_signals_every_morning

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _due_now() -> set[str]:
    return {task.name for task in HUEY.read_periodic(HUEY._get_timestamp())}


@pytest.mark.parametrize(
    ("utc_moment", "season"),
    [
        (datetime(2026, 7, 1, 6, 30, tzinfo=AMSTERDAM), "zomertijd"),
        (datetime(2026, 1, 14, 6, 30, tzinfo=AMSTERDAM), "wintertijd"),
    ],
)
def test_the_morning_run_is_due_at_half_past_six_dutch_time(utc_moment, season):
    with time_machine.travel(utc_moment, tick=False):
        assert compute_signals_every_morning.task_class.__name__ in _due_now(), season


def test_the_morning_run_is_not_due_at_half_past_eight_in_summer():
    # 08:30 in Amsterdam in summer is 06:30 UTC: huey's UTC default ran the job then.
    with time_machine.travel(datetime(2026, 7, 1, 8, 30, tzinfo=AMSTERDAM), tick=False):
        assert compute_signals_every_morning.task_class.__name__ not in _due_now()
