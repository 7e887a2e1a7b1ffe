"""The student rates help that closed (1–10), once; the monitor averages the ratings."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.monitor.indicators import satisfaction
from schakelpunt.monitor.periods import school_year_of
from schakelpunt.students.models import Student
from schakelpunt.support.models import Trajectory
from schakelpunt.support.student_services import trajectory_rate


def _closed(world: World, days_ago: int = 3) -> Trajectory:
    return Trajectory.objects.create(
        student=world.students["t1"],
        state="closed",
        close_reason="goal_reached",
        closed_at=timezone.now() - timedelta(days=days_ago),
    )


def test_the_student_rates_closed_help_once_from_their_file(world: World) -> None:
    trajectory = _closed(world)
    anna = client_for(world.users["student"])
    page = anna.get(f"/studenten/{world.students['t1'].pk}/").content.decode()
    assert "Hoe was de hulp?" in page
    anna.post(f"/studenten/{world.students['t1'].pk}/waardering/{trajectory.pk}/", {"rating": "8"})
    trajectory.refresh_from_db()
    assert trajectory.student_rating == 8
    assert (
        "Hoe was de hulp?"
        not in anna.get(f"/studenten/{world.students['t1'].pk}/").content.decode()
    )
    with pytest.raises(ValidationError, match="al gewaardeerd"):
        trajectory_rate(actor=world.users["student"], trajectory_id=trajectory.pk, rating=9)
    year = school_year_of(timezone.localdate())
    assert satisfaction(Student.objects.all(), year) == (1, 8.0)


def test_only_the_student_and_only_1_to_10_and_not_too_late(world: World) -> None:
    trajectory = _closed(world)
    with pytest.raises(PermissionDenied):
        trajectory_rate(actor=world.users["care_l1"], trajectory_id=trajectory.pk, rating=7)
    with pytest.raises(ValidationError, match="1 tot en met 10"):
        trajectory_rate(actor=world.users["student"], trajectory_id=trajectory.pk, rating=11)
    late = _closed(world, days_ago=120)
    with pytest.raises(ValidationError, match="te lang geleden"):
        trajectory_rate(actor=world.users["student"], trajectory_id=late.pk, rating=7)
