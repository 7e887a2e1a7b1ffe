"""Leaving school and aftercare: contacts after 1, 3 and 6 months for early leavers, outcomes,
the RMC list, and a return that brings the earlier plan back."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.access.policy import students_for_user
from schakelpunt.students.models import Student
from schakelpunt.support.models import SupportPlan, Trajectory, TrajectoryState
from schakelpunt.support.plans import ActionInput, GoalInput, plan_save
from schakelpunt.support.services import trajectory_open, trajectory_set_coordinator
from schakelpunt.transitions.models import AftercareContact, AftercareOutcome, Departure
from schakelpunt.transitions.services import (
    aftercare_contact_record,
    aftercare_generate,
    departure_record,
    student_return,
)


def _leave(world: World, student: str = "t1", **extra: object) -> Departure:
    values = {
        "left_on": timezone.localdate(),
        "reason": "dropout",
        "destination": "none",
        "with_basic_qualification": False,
        **extra,
    }
    return departure_record(
        actor=world.users["care_l1"],
        student_id=world.students[student].pk,
        **values,  # type: ignore[arg-type]
    )


def test_an_early_leaver_gets_three_contacts_and_is_on_the_rmc_list(world: World) -> None:
    Student.objects.filter(pk=world.students["t1"].pk).update(enrolled_on=date(2025, 9, 1))
    departure = _leave(world, left_on=date(2026, 1, 31))
    assert [(c.months, c.due_on) for c in departure.contacts.all()] == [
        (1, date(2026, 2, 28)),
        (3, date(2026, 4, 30)),
        (6, date(2026, 7, 31)),
    ]
    anna = Student.objects.get(pk=world.students["t1"].pk)
    assert anna.left_on == date(2026, 1, 31)
    assert students_for_user(world.users["rmc"]).filter(pk=anna.pk).exists()


def test_leaving_with_a_diploma_needs_no_aftercare_and_closes_support(world: World) -> None:
    anna = world.students["t1"]
    trajectory_open(actor=world.users["care_l1"], student=anna)
    departure = _leave(world, reason="diploma", destination="hbo", with_basic_qualification=True)
    assert departure.contacts.count() == 0
    trajectory = Trajectory.objects.get(student=anna)
    assert trajectory.state == TrajectoryState.CLOSED and trajectory.close_reason == "left_school"
    with pytest.raises(ValidationError, match="al uitgeschreven"):
        _leave(world)


def test_only_the_care_team_records_leaving(world: World) -> None:
    with pytest.raises(PermissionDenied):
        departure_record(
            actor=world.users["worker_p1"],
            student_id=world.students["t1"].pk,
            left_on=timezone.localdate(),
            reason="dropout",
            destination="none",
            with_basic_qualification=False,
        )


def test_leavers_from_the_import_get_aftercare_once(world: World) -> None:
    # "early" left 40 days ago without startkwalificatie, as the import recorded it.
    assert aftercare_generate(timezone.localdate()) == 1
    assert aftercare_generate(timezone.localdate()) == 0
    departure = Departure.objects.get(student=world.students["early"])
    assert departure.contacts.count() == 3 and departure.destination == "unknown"


def test_an_outcome_closes_a_contact_and_the_list_shows_what_is_due(world: World) -> None:
    departure = _leave(world, left_on=timezone.localdate() - timedelta(days=40))
    first = departure.contacts.get(months=1)
    care = client_for(world.users["care_l1"])
    html = care.get(reverse("transitions:aftercare")).content.decode()
    assert "Anna" in html
    care.post(
        reverse("transitions:contact", args=[first.pk]),
        {"outcome": AftercareOutcome.IN_WORK, "note": "Werkt bij een supermarkt"},
    )
    first.refresh_from_db()
    assert first.outcome == "in_work" and first.done_on == timezone.localdate()
    assert "Anna" not in care.get(reverse("transitions:aftercare")).content.decode()
    with pytest.raises(ValidationError, match="al vastgelegd"):
        aftercare_contact_record(
            actor=world.users["care_l1"], contact_id=first.pk, outcome="in_work"
        )
    assert (
        client_for(world.users["worker_p1"])
        .post(
            reverse("transitions:contact", args=[departure.contacts.get(months=3).pk]),
            {"outcome": "in_work"},
        )
        .status_code
        == 404
    )


def test_a_student_who_returns_gets_the_earlier_plan_back(world: World) -> None:
    anna = world.students["t1"]
    care = world.users["care_l1"]
    trajectory = trajectory_open(actor=care, student=anna, life_domains=["home"])
    trajectory_set_coordinator(
        actor=care,
        trajectory_id=trajectory.pk,
        coordinator=care,
        expected_version=trajectory.version,
    )
    plan_save(
        actor=care,
        trajectory_id=trajectory.pk,
        expected_version=0,
        goals=[GoalInput("home", "Een rustige plek om te leren")],
        actions=[
            ActionInput("Gesprek met moeder", timezone.localdate() + timedelta(days=3), owner=care),
            ActionInput("Rooster maken", timezone.localdate(), owner_name="Anna", done=True),
        ],
        wishes="Liever op dinsdag",
    )
    _leave(world, left_on=timezone.localdate() - timedelta(days=20))
    back = student_return(actor=care, student_id=anna.pk, enrolled_on=timezone.localdate())
    assert back is not None and back.state == TrajectoryState.SIGNALLED
    plan = SupportPlan.objects.get(trajectory=back)
    assert [g.text for g in plan.goals.all()] == ["Een rustige plek om te leren"]
    assert [a.description for a in plan.actions.all()] == ["Gesprek met moeder"]
    assert plan.wishes == "Liever op dinsdag"
    anna.refresh_from_db()
    assert anna.left_on is None
    assert not AftercareContact.objects.filter(done_on__isnull=True).exists()


def test_the_aftercare_list_shows_and_logs_one_page_most_overdue_first(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schakelpunt.access.models import AccessLogEntry
    from schakelpunt.students.tests.factories import StudentFactory
    from schakelpunt.transitions import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2, raising=False)
    world.students["t1b"] = StudentFactory(programme=world.students["t1"].programme)
    # Left 50, 40 and 35 days ago: the one-month contacts are overdue in that order.
    for key, days in (("t2", 35), ("t1", 50), ("t1b", 40)):
        _leave(world, key, left_on=timezone.localdate() - timedelta(days=days))
    order = [world.students[k].pk for k in ("t1", "t1b", "t2")]
    client = client_for(world.users["care_l1"])

    def page(number: int) -> tuple[list[int], set[int]]:
        before = AccessLogEntry.objects.count()
        response = client.get(reverse("transitions:aftercare"), {"pagina": number})
        html = response.content.decode()
        assert "3 nazorgcontacten" in html
        assert f'name="next" value="/nazorg/?pagina={number}"' in html
        logged = AccessLogEntry.objects.order_by("pk")[before:].values_list("student_id", flat=True)
        return [c.departure.student_id for c in response.context["contacts"]], set(logged)

    assert page(1) == (order[:2], set(order[:2]))
    assert page(2) == (order[2:], set(order[2:]))

    # Recording an outcome from page 2 comes back to page 2.
    contact = AftercareContact.objects.get(departure__student_id=order[2], months=1)
    response = client.post(
        reverse("transitions:contact", args=[contact.pk]),
        {"outcome": "in_work", "note": "", "next": f"{reverse('transitions:aftercare')}?pagina=2"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?pagina=2")
    contact.refresh_from_db()
    assert contact.done_on is not None
    # A `next` that a browser reads as another site is not followed.
    other = AftercareContact.objects.get(departure__student_id=order[0], months=1)
    response = client.post(
        reverse("transitions:contact", args=[other.pk]),
        {"outcome": "in_work", "note": "", "next": "/\\evil.example/"},
    )
    assert response["Location"] == reverse("transitions:aftercare")
