"""The timeline of a file lists what happened on one day in the order it happened (newest
first): by the full moment it was recorded, then by record. Found: a tier change and a
conversation of the same day were put at noon, above or below the rest by chance."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from tests.world import World, client_for

from schakelpunt.support.models import Trajectory
from schakelpunt.support.services import (
    trajectory_change_tier,
    trajectory_open,
    trajectory_set_coordinator,
)
from schakelpunt.support.student_services import contact_add

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 2, hour, minute, tzinfo=AMSTERDAM)


def _timeline_titles(html: str, day: str) -> list[str]:
    """The titles of the timeline's entries on `day` (YYYY-MM-DD), top to bottom."""
    timeline = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    return re.findall(
        rf'<time datetime="{day}T[^"]*">[^<]*</time> <strong>(.*?)</strong>', timeline
    )


def test_one_days_events_are_listed_newest_first_in_the_order_they_happened(
    world: World,
) -> None:
    anna = world.students["t1"]
    care = world.users["care_l1"]
    with time_machine.travel(_at(9), tick=False):
        trajectory = trajectory_open(actor=care, student=anna, life_domains=["home"])
    with time_machine.travel(_at(14), tick=False):
        contact_add(actor=care, student=anna, kind="conversation", happened_on=_at(14).date())
    with time_machine.travel(_at(15), tick=False):
        trajectory = trajectory_change_tier(
            actor=care,
            trajectory_id=trajectory.pk,
            tier="breedte",
            reason="SMW erbij",
            expected_version=trajectory.version,
        )
    with time_machine.travel(_at(16), tick=False):
        # Two changes in the same instant: the later record is the newer.
        trajectory = trajectory_set_coordinator(
            actor=care,
            trajectory_id=trajectory.pk,
            coordinator=care,
            expected_version=trajectory.version,
        )
        trajectory_change_tier(
            actor=care,
            trajectory_id=trajectory.pk,
            tier="basis",
            reason="Gaat weer goed",
            expected_version=Trajectory.objects.get(pk=trajectory.pk).version,
        )
        html = client_for(care).get(f"/studenten/{anna.pk}/").content.decode()
    assert _timeline_titles(html, "2026-12-02") == [
        "Zwaarte gewijzigd",  # 16:00, recorded second
        "Regisseur gewijzigd",  # 16:00, recorded first
        "Zwaarte gewijzigd",  # 15:00
        "Gesprek",  # 14:00
        "Traject geopend",  # 09:00
    ]
