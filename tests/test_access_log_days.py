"""The privacy officer's search by date takes whole days in Dutch time, also around midnight
(the search reads `at` as a range, so it stays fast on a log that only grows)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.selectors import access_log_search
from schakelpunt.access.services import access_log_record
from schakelpunt.privacy.register import Activity

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_a_day_runs_from_midnight_to_midnight_dutch_time(world):
    student = world.students["t1"]
    for moment in (
        datetime(2026, 3, 9, 23, 59, tzinfo=AMSTERDAM),  # 22:59 UTC, still the 9th here
        datetime(2026, 3, 10, 0, 1, tzinfo=AMSTERDAM),  # 23:01 UTC on the 9th, the 10th here
    ):
        with time_machine.travel(moment, tick=False):
            access_log_record(
                actor=world.users["care_l1"],
                activity=Activity.SUPPORT,
                students=[student],
                action=Action.VIEW,
                parts=[Part.IDENTITY],
                role="care_coordinator",
            )

    def found(first: date, last: date) -> list[int]:
        """The Dutch hours of the entries the search finds."""
        entries = access_log_search(
            user=world.users["privacy"], student_id=student.pk, date_from=first, date_until=last
        )
        return sorted(e.at.astimezone(AMSTERDAM).hour for e in entries)

    assert found(date(2026, 3, 9), date(2026, 3, 9)) == [23]
    assert found(date(2026, 3, 10), date(2026, 3, 10)) == [0]
    assert found(date(2026, 3, 9), date(2026, 3, 10)) == [0, 23]
    assert found(date(2026, 3, 11), date(2026, 3, 12)) == []
