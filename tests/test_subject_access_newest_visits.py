"""The student's download lists who looked at their file: with more visits than it lists,
it keeps the newest, not the oldest (issue 19)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from schakelpunt.privacy import subject_access
from tests.world import World, client_for

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")


def test_the_download_keeps_the_newest_visits(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    anna = world.students["t1"]
    coach = client_for(world.users["coach"])
    days = [datetime(2026, 3, day, 10, 0, tzinfo=AMS) for day in (2, 3, 4, 5, 6)]
    for day in days:
        with time_machine.travel(day, tick=False):
            assert coach.get(f"/studenten/{anna.pk}/").status_code == 200
    monkeypatch.setattr(subject_access, "VISIT_LIMIT", 2)
    visits = subject_access.subject_access_for(anna).section("access_log").records
    listed = sorted(str(v["at"])[:10] for v in visits)
    assert listed == ["2026-03-05", "2026-03-06"]
