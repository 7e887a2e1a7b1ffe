"""The retention job as the privacy officer meets it: the dry run deletes nothing, nothing goes
without approval, a legal hold stops it, a changed list cannot be approved, bad input changes
nothing; the screens, the command and the periodic task."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.privacy.models import (
    LegalHold,
    RetentionRun,
    RetentionRunStatus,
)
from schakelpunt.privacy.register import Activity
from schakelpunt.privacy.retention import (
    RetentionError,
    expiry_date,
    fingerprint,
    legal_hold_lift,
    legal_hold_set,
    retention_approve,
    retention_propose,
    retention_run,
)
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory
from schakelpunt.support.models import Trajectory

TODAY = date(2026, 8, 1)


def _leaver(world: World, *, left: date, born: date = date(2000, 1, 1), sq: bool = True, **kw):  # type: ignore[no-untyped-def]
    return StudentFactory(
        programme=world.students["t1"].programme,
        left_on=left,
        enrolled_on=left - timedelta(days=700),
        date_of_birth=born,
        has_basic_qualification=sq,
        **kw,
    )


def test_the_file_goes_two_years_after_leaving_and_not_before_23_without_startkwalificatie():
    left = date(2023, 7, 1)
    with_sq = Student(left_on=left, date_of_birth=date(2005, 3, 1), has_basic_qualification=True)
    without = Student(left_on=left, date_of_birth=date(2005, 3, 1), has_basic_qualification=False)
    assert expiry_date(with_sq) == date(2025, 7, 1)
    assert expiry_date(without) == date(2028, 3, 1)  # the 23rd birthday (RMC, WEB 8.3.1)
    assert expiry_date(Student(left_on=None, date_of_birth=date(2005, 3, 1))) is None
    # A request answered after leaving is kept two years after the answer.
    assert expiry_date(with_sq, date(2024, 1, 10)) == date(2026, 1, 10)


@pytest.fixture
def leavers(world: World) -> dict[str, Student]:
    return {
        "expired": _leaver(world, left=date(2024, 6, 30)),
        "expired_held": _leaver(world, left=date(2024, 3, 1)),
        "recent": _leaver(world, left=date(2025, 1, 15)),
        "young_rmc": _leaver(world, left=date(2023, 6, 1), born=date(2006, 1, 1), sq=False),
    }


def _propose(world: World) -> RetentionRun:
    return retention_propose(
        institution=world.students["t1"].institution,
        reference_date=TODAY,
        proposed_by=world.users["privacy"],
    )


def test_the_dry_run_lists_who_expired_and_deletes_nothing(world, leavers):  # type: ignore[no-untyped-def]
    LegalHold.objects.create(
        student=leavers["expired_held"], reason="Klacht loopt", set_by=world.users["privacy"]
    )
    students_before = Student.objects.count()
    run = _propose(world)
    listed = {c.student_id: c for c in run.candidates.all()}
    assert set(listed) == {leavers["expired"].pk, leavers["expired_held"].pk}
    assert listed[leavers["expired"].pk].expired_on == date(2026, 6, 30)
    assert "Blokkade" in listed[leavers["expired_held"].pk].skipped_reason
    assert listed[leavers["expired"].pk].skipped_reason == ""
    assert Student.objects.count() == students_before
    assert run.status == RetentionRunStatus.PROPOSED
    # Not approved: the run refuses and still nothing goes.
    with pytest.raises(RetentionError, match="niet goedgekeurd"):
        retention_run(run)
    assert Student.objects.count() == students_before


def test_a_legal_hold_stops_the_deletion_and_lifting_it_lets_the_next_run_take_them(world, leavers):  # type: ignore[no-untyped-def]
    officer = world.users["privacy"]
    expired = leavers["expired"]
    run = _propose(world)
    legal_hold_set(actor=officer, student=expired, reason="Verzoek van de politie")
    # Held after the list was made: the officer approves what the list says now.
    run.refresh_from_db()
    retention_approve(actor=officer, run=run, seen=fingerprint(run))
    done = retention_run(run)
    assert Student.objects.filter(pk=expired.pk).exists()
    assert not Student.objects.filter(pk=leavers["expired_held"].pk).exists()
    assert done.counts["students"] == 1
    assert done.counts["skipped"] == 1
    legal_hold_lift(actor=officer, student=expired)
    second = _propose(world)
    retention_approve(actor=officer, run=second, seen=fingerprint(second))
    retention_run(second)
    assert not Student.objects.filter(pk=expired.pk).exists()


def test_a_hold_needs_a_reason_and_the_officer_of_the_school(world, leavers):  # type: ignore[no-untyped-def]
    with pytest.raises(RetentionError, match="reden"):
        legal_hold_set(actor=world.users["privacy"], student=leavers["expired"], reason="  ")
    with pytest.raises(RetentionError, match="privacyfunctionaris"):
        legal_hold_set(actor=world.users["coach"], student=leavers["expired"], reason="x")
    assert not LegalHold.objects.exists()


def test_a_changed_list_cannot_be_approved_and_a_comeback_is_skipped_at_run_time(world, leavers):  # type: ignore[no-untyped-def]
    officer = world.users["privacy"]
    run = _propose(world)
    seen = fingerprint(run)
    back = leavers["expired"]
    back.left_on = None  # re-enrolled while the officer was reading
    back.save()
    with pytest.raises(RetentionError, match="veranderd"):
        retention_approve(actor=officer, run=run, seen=seen)
    run.refresh_from_db()
    assert run.status == RetentionRunStatus.PROPOSED
    assert run.candidates.get(student_id=back.pk).skipped_reason == "Weer ingeschreven."
    # Approved as it is now; then the other one comes back before the run: skipped too.
    retention_approve(actor=officer, run=run, seen=fingerprint(run))
    with pytest.raises(RetentionError, match="wacht niet meer"):
        retention_approve(actor=officer, run=run, seen=fingerprint(run))
    held = leavers["expired_held"]
    held.left_on = None
    held.save()
    done = retention_run(run)
    assert Student.objects.filter(pk__in=[back.pk, held.pk]).count() == 2
    assert done.counts["students"] == 0
    assert done.status == RetentionRunStatus.DONE


def test_the_trajectory_goes_with_the_student(world, leavers):  # type: ignore[no-untyped-def]
    expired = leavers["expired"]
    Trajectory.objects.create(student=expired, coordinator=world.users["coach"])
    run = _propose(world)
    retention_approve(actor=world.users["privacy"], run=run, seen=fingerprint(run))
    done = retention_run(run)
    assert not Trajectory.objects.filter(student_id=expired.pk).exists()
    assert done.counts["tables"]["support.Trajectory"] == 1


# --- the screens ----------------------------------------------------------------------


def test_the_officer_reviews_the_list_with_names_and_the_read_is_logged(world, leavers):  # type: ignore[no-untyped-def]
    officer = client_for(world.users["privacy"])
    page = officer.post(
        reverse("privacy:retention_new"),
        {"institution": world.students["t1"].institution_id, "reference_date": "2026-08-01"},
        follow=True,
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert leavers["expired"].sort_name in text
    assert leavers["expired"].student_number in text
    assert leavers["recent"].sort_name not in text
    assert "Er is nog niets verwijderd" in text
    logged = AccessLogEntry.objects.filter(
        student_id=leavers["expired"].pk, activity=Activity.RETENTION, kind="list"
    )
    assert logged.exists()


def test_approving_takes_two_steps_and_a_confirmation(world, leavers):  # type: ignore[no-untyped-def]
    officer = client_for(world.users["privacy"])
    run = _propose(world)
    review = officer.get(reverse("privacy:retention_review", args=[run.pk]))
    assert "Goedkeuren" in review.content.decode()
    seen = review.context["seen"]
    url = reverse("privacy:retention_review", args=[run.pk])
    unconfirmed = officer.post(url, {"seen": seen}, follow=True)
    assert "Vink aan" in unconfirmed.content.decode()
    run.refresh_from_db()
    assert run.status == RetentionRunStatus.PROPOSED
    officer.post(url, {"seen": seen, "confirm": "yes"})
    run.refresh_from_db()
    assert run.status == RetentionRunStatus.APPROVED
    assert run.approved_by == world.users["privacy"]
    twice = officer.post(url, {"seen": seen, "confirm": "yes"}, follow=True)
    assert "wacht niet meer op goedkeuring" in twice.content.decode()
    run.refresh_from_db()
    assert run.status == RetentionRunStatus.APPROVED


def test_others_get_a_404_and_nothing_changes(world, leavers):  # type: ignore[no-untyped-def]
    run = _propose(world)
    seen = fingerprint(run)
    for who in ("coach", "care_l1", "governance", "student"):
        c = client_for(world.users[who])
        assert c.get(reverse("privacy:retention_runs")).status_code == 404
        assert c.get(reverse("privacy:retention_run", args=[run.pk])).status_code == 404
        url = reverse("privacy:retention_review", args=[run.pk])
        assert c.post(url, {"seen": seen, "confirm": "yes"}).status_code == 404
    officer = client_for(world.users["privacy"])
    assert officer.get(reverse("privacy:retention_run", args=[run.pk + 10_000])).status_code == 404
    candidate = run.candidates.get(student_id=leavers["expired"].pk)
    hold = reverse("privacy:retention_hold", args=[run.pk, candidate.pk])
    empty = officer.post(hold, {"reason": ""}, follow=True)
    assert "Geef een reden" in empty.content.decode()
    bad_date = officer.post(
        reverse("privacy:retention_new"),
        {"institution": world.students["t1"].institution_id, "reference_date": "gisteren"},
        follow=True,
    )
    assert "JJJJ-MM-DD" in bad_date.content.decode()
    run.refresh_from_db()
    assert run.status == RetentionRunStatus.PROPOSED
    assert not LegalHold.objects.exists()
    assert RetentionRun.objects.count() == 1


def test_the_officer_holds_a_student_on_the_list(world, leavers):  # type: ignore[no-untyped-def]
    officer = client_for(world.users["privacy"])
    run = _propose(world)
    candidate = run.candidates.get(student_id=leavers["expired"].pk)
    url = reverse("privacy:retention_hold", args=[run.pk, candidate.pk])
    page = officer.post(url, {"reason": "Geschil over het diploma"}, follow=True)
    assert "Geschil over het diploma" in page.content.decode()
    candidate.refresh_from_db()
    assert "Blokkade" in candidate.skipped_reason
    officer.post(url, {"lift": "yes"})
    candidate.refresh_from_db()
    assert candidate.skipped_reason == ""
    assert not LegalHold.objects.exists()


def test_a_finished_run_shows_counts_and_no_names(world, leavers):  # type: ignore[no-untyped-def]
    run = _propose(world)
    retention_approve(actor=world.users["privacy"], run=run, seen=fingerprint(run))
    retention_run(run)
    page = client_for(world.users["privacy"]).get(reverse("privacy:retention_run", args=[run.pk]))
    text = page.content.decode()
    assert "Wat er is verwijderd" in text
    assert "students.Student" in text
    assert leavers["expired"].last_name not in text


# --- the command and the yearly job ----------------------------------------------------


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def test_the_command_proposes_shows_approves_and_runs(world, leavers):  # type: ignore[no-untyped-def]
    roc = world.students["t1"].institution
    text = _call("propose", "--institution", str(roc.pk), "--date", "2026-08-01")
    assert "Er is niets verwijderd" in text
    run = RetentionRun.objects.get(institution=roc, status=RetentionRunStatus.PROPOSED)
    shown = _call("show", "--run", str(run.pk))
    assert leavers["expired"].student_number in shown
    assert leavers["expired"].last_name not in shown
    with pytest.raises(CommandError, match="Alleen de privacyfunctionaris"):
        _call("approve", "--run", str(run.pk), "--by", world.users["coach"].email)
    with pytest.raises(CommandError, match="Onbekende ronde"):
        _call("approve", "--run", str(run.pk + 999), "--by", world.users["privacy"].email)
    _call("approve", "--run", str(run.pk), "--by", world.users["privacy"].email)
    done = _call("run")
    assert "2 studenten verwijderd" in done or "1 studenten verwijderd" in done
    run.refresh_from_db()
    assert run.status == RetentionRunStatus.DONE
    assert not Student.objects.filter(pk=leavers["expired"].pk).exists()


def test_the_yearly_job_makes_a_list_per_school_and_the_worker_runs_approved_ones(
    world, leavers, time_machine
):  # type: ignore[no-untyped-def]
    from schakelpunt.privacy.tasks import retention_propose_yearly, retention_run_approved

    time_machine.move_to(datetime(2026, 8, 1, 3, 0, tzinfo=timezone.get_current_timezone()))
    made = retention_propose_yearly.call_local()
    assert made >= 2  # both ROCs get a list, for their own officer
    run = RetentionRun.objects.get(
        institution=world.students["t1"].institution, status=RetentionRunStatus.PROPOSED
    )
    assert run.candidates.count() == 2
    assert Student.objects.filter(pk=leavers["expired"].pk).exists()
    retention_approve(actor=world.users["privacy"], run=run, seen=fingerprint(run))
    assert retention_run_approved.call_local() == 1
    run.refresh_from_db()
    assert run.status == RetentionRunStatus.DONE
