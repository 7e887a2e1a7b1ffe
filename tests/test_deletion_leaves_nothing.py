"""Issue 19, done when: a student whose retention expired is deleted, and then every table
and every file is scanned for any of that student's identifiers (name, student number, BSN,
e-mail, phone): none is left. Another student's data stays as it was.

The student gets everything Schakelpunt can hold about someone, written in 2022 (time
machine): file, plan, concerns, absence and its reports, early warning, referral with consent
and advice, a case meeting with minutes, guardian with a parent account, the student's own
account with a failed login, a session and an authenticator, notifications, an absence import
file with their number, an event delivery, a handover from the vo-school, requests. They
leave in July 2022; the retention job runs today (December 2026), as the privacy officer
proposes, approves and runs it.

What may still name them is only what the law keeps longer, by its own rule: the access log
(who looked, NEN 7513: five years) names the student's account as it was when the student
looked at their own file. `test_after_five_years_the_access_log_names_them_no_more` shows
that goes too once the access app's purge exists. The role grants' append-only log loses the
grants to the student's and the parent's accounts through its one deliberate path
(accounts/grant_erasure.py); other people's grants stay.
"""

import re
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from schakelpunt.access.models import AccessDecision, AccessLogEntry
from schakelpunt.accounts.models import ApiClient, Membership, User
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.events.models import Delivery, Subscription
from schakelpunt.meetings.models import AgendaItem, Decision, Meeting, Participant
from schakelpunt.notifications.models import Notification
from schakelpunt.privacy.models import CorrectionRequest, Objection, RetentionRunStatus
from schakelpunt.privacy.retention import (
    fingerprint,
    retention_approve,
    retention_propose,
    retention_run,
)
from schakelpunt.referrals.models import Advice, Consent, Referral
from schakelpunt.signals.models import (
    AbsenceImportJob,
    AbsenceRecord,
    AbsenceReport,
    Concern,
    EarlyWarning,
    LeaverFollowUp,
)
from schakelpunt.students.models import Guardian, Student
from schakelpunt.students.tests.factories import StudentFactory
from schakelpunt.support.models import (
    ContactNote,
    HelpRequest,
    PlanAction,
    PlanGoal,
    PlanVersion,
    StudentContribution,
    SupportPlan,
    Trajectory,
)
from schakelpunt.transitions.models import (
    AftercareContact,
    Departure,
    HandoverRecord,
    IntakeConversation,
)
from tests.world import World

AMS = ZoneInfo("Europe/Amsterdam")
BUILT = datetime(2022, 3, 1, 10, 0, tzinfo=AMS)
LEFT = date(2022, 7, 15)
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=AMS)

# Made-up identifiers no demo or factory produces, so a hit is this student.
FIRST, LAST = "Quirijntje", "Zwaneveldbroek"
NUMBER = "RT8831907"
BSN = "918273645"
EMAIL = "quirijntje.zwaneveldbroek@student.example"
PHONE = "0687654321"
PARENT_NAME, PARENT_EMAIL = "Hendrikus Zwaneveldbroek", "h.zwaneveldbroek@ouder.example"
IDENTIFIERS = (FIRST, LAST, NUMBER, BSN, EMAIL, PHONE, PARENT_EMAIL)

# Kept by their own rule, longer than the student's file (docs/retention.md).
ACCESS_LOGS = {"access_accesslogentry", "access_accessdecision"}
ROLE_GRANTS = "accounts_rolegrant"


def _text(value: Any) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def scan_tables() -> dict[str, list[tuple[str, str]]]:
    """Every row of every table, every column as text: which identifiers appear where."""
    hits: dict[str, list[tuple[str, str]]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            names = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(names, row, strict=True):
                    text = _text(value).lower()
                    for needle in IDENTIFIERS:
                        if needle.lower() in text:
                            hits.setdefault(table, []).append((column, needle))
    return hits


def scan_files(root: Path) -> list[tuple[str, str]]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            hits += [(str(path), n) for n in IDENTIFIERS if n.lower().encode() in data]
    return hits


def build_everything(world: World, built: datetime = BUILT) -> Student:
    """The student with every kind of row, in 2022, as the screens and jobs would write it."""
    roc = world.students["t1"].institution
    coach = world.users["coach"]
    provider = world.users["worker_p1"].memberships.first().organisation  # type: ignore[union-attr]
    left = date(built.year, 7, 15)
    with time_machine.travel(built, tick=False):
        student = StudentFactory(
            programme=world.students["t1"].programme,
            student_number=NUMBER,
            first_name=FIRST,
            last_name=LAST,
            bsn=BSN,
            email=EMAIL,
            phone=PHONE,
            date_of_birth=date(2004, 5, 1),
            has_basic_qualification=True,
            enrolled_on=date(2020, 8, 20),
        )
        s = student
        # The student's own account: logged in, looked at their file, an authenticator.
        account = UserFactory(email=EMAIL, first_name=FIRST, last_name=LAST)
        s.user = account
        s.save()
        MembershipFactory(user=account, organisation=roc, role=Role.STUDENT)
        own = Client()
        own.force_login(account)
        assert own.get(reverse("students:own"), follow=True).status_code == 200
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=account, name="telefoon")
        # A failed login with their address (django-axes keeps it).
        Client().post(reverse("accounts:login"), {"username": EMAIL, "password": "fout-fout"})
        # A parent with an account and no other child; they look at the child's page.
        parent = UserFactory(email=PARENT_EMAIL, first_name="Hendrikus", last_name=LAST)
        MembershipFactory(user=parent, organisation=roc, role=Role.PARENT)
        guardian = Guardian.objects.create(
            student=s,
            name=PARENT_NAME,
            relation="parent",
            email=PARENT_EMAIL,
            phone="0611122233",
            user=parent,
        )
        mum = Client()
        mum.force_login(parent)
        mum.get(reverse("parent:child", args=[s.pk]))
        # A coach opens the file (the access log) and works with it.
        staff = Client()
        staff.force_login(world.users["care_l1"])
        assert staff.get(reverse("students:detail", args=[s.pk])).status_code == 200
        trajectory = Trajectory.objects.create(student=s, coordinator=coach)
        plan = SupportPlan.objects.create(
            trajectory=trajectory, wishes=f"{FIRST} wil rust", updated_by=coach
        )
        PlanGoal.objects.create(plan=plan, life_domain="home", text=f"{FIRST} slaapt thuis")
        action = PlanAction.objects.create(
            plan=plan, description=f"Bel {FIRST}", due_on=date(2022, 4, 1), owner=coach
        )
        PlanVersion.objects.create(
            plan=plan, number=1, content={"wishes": f"{FIRST} {LAST}"}, saved_by=coach
        )
        ContactNote.objects.create(
            student=s,
            kind="phone",
            happened_on=date(2022, 2, 1),
            author=coach,
            summary=f"Gebeld met {FIRST} op {PHONE}",
        )
        StudentContribution.objects.create(student=s, text=f"Ik ben {FIRST}")
        HelpRequest.objects.create(student=s, text=f"Help, {FIRST}")
        Concern.objects.create(student=s, raised_by=coach, text=f"Zorg om {FIRST} {LAST}")
        AbsenceRecord.objects.create(
            student=s,
            day=date(2022, 2, 14),
            scheduled_hours=6,
            absent_hours=6,
            reason="unauthorised",
        )
        AbsenceReport.objects.create(
            student=s,
            kind="16_in_4",
            start_date=date(2022, 2, 1),
            threshold_on=date(2022, 2, 28),
            unauthorised_hours=16,
            rules_version=1,
        )
        EarlyWarning.objects.create(
            student=s, computed_on=date(2022, 2, 28), factors={"naam": f"{FIRST}"}
        )
        consent = Consent.objects.create(student=s, organisation=provider, recorded_by=coach)
        referral = Referral.objects.create(
            student=s,
            to_organisation=provider,
            consent=consent,
            created_by=coach,
            question=f"Kan {FIRST} bij jullie terecht? Bel {PHONE}",
        )
        Advice.objects.create(referral=referral, text=f"Advies voor {FIRST}")
        meeting = Meeting.objects.create(
            institution=roc,
            kind="mdo",
            title=f"MDO over {FIRST} {LAST}",
            starts_at=built + timedelta(days=7),
            chair=coach,
            notes=f"Algemeen. (Per ongeluk: {FIRST} {LAST}, {NUMBER}.)",
        )
        item = AgendaItem.objects.create(
            meeting=meeting,
            student=s,
            question=f"Hoe verder met {FIRST}?",
            minutes=f"{FIRST} vertelde over thuis",
        )
        Decision.objects.create(item=item, text=f"{FIRST} krijgt hulp", action=action)
        Participant.objects.create(
            meeting=meeting, user=account, name=f"{FIRST} {LAST}", email=EMAIL, kind="student"
        )
        Participant.objects.create(
            meeting=meeting,
            guardian=guardian,
            name=PARENT_NAME,
            email=PARENT_EMAIL,
            kind="parent",
        )
        Participant.objects.create(meeting=meeting, user=coach, name="Coach", kind="staff")
        HandoverRecord.objects.create(
            institution=roc,
            source_school="Vo Oost",
            first_name=FIRST,
            last_name=LAST,
            date_of_birth=s.date_of_birth,
            school_type="havo",
            diploma_expected="yes",
            consent=True,
            mbo_student_number=NUMBER,
            student=s,
            support_received=f"{FIRST} had een rustige plek nodig",
        )
        IntakeConversation.objects.create(
            student=s,
            held_on=date(2020, 8, 25),
            participants=f"{FIRST}, ouder",
            notes=f"Intake {FIRST} {LAST}",
        )
        Notification.objects.create(
            recipient=coach, student_id=s.pk, message=f"Nieuwe zorg over {FIRST} {LAST}"
        )
        Notification.objects.create(recipient=account, message="Je plan is klaar")
        CorrectionRequest.objects.create(
            student=s,
            part="contact",
            text=f"Mijn nummer is {PHONE}",
            requested_by=account,
            deadline=date(2022, 4, 1),
            answered_at=BUILT,
        )
        Objection.objects.create(
            student=s,
            activity="early_warning",
            reason=f"Ik, {FIRST}, wil dit niet",
            requested_by=account,
            deadline=date(2022, 4, 1),
            decided_at=BUILT,
        )
        AbsenceImportJob.objects.create(
            institution=roc,
            uploaded_by=world.users["absence"],
            filename="verzuim.csv",
            data=f"studentnummer;dag;uren\n{NUMBER};2022-02-14;6\n".encode(),
            errors=[{"regel": 2, "fout": f"{NUMBER} onbekend"}],
        )
        system_user = UserFactory(email="systeem@zorg.example", is_api_client=True)
        client_ = ApiClient.objects.create(
            organisation=provider,
            user=system_user,
            name="Cliëntregistratie",
            token_prefix="rt88",
            token_hash="0" * 64,
            expires_on=date(2030, 1, 1),
        )
        subscription = Subscription.objects.create(
            organisation=provider,
            api_client=client_,
            name="verwijzingen",
            callback_url="https://zorg.example/hook",
            secret="s" * 32,
        )
        Delivery.objects.create(
            subscription=subscription,
            student_id=s.pk,
            event_id=uuid.uuid4(),
            type="nl.schakelpunt.referral.sent",
            subject=str(referral.pk),
            cloudevent={"data": {"studentNumber": NUMBER, "name": f"{FIRST} {LAST}"}},
        )
    with time_machine.travel(datetime(built.year, 7, 15, 16, 0, tzinfo=AMS), tick=False):
        s.left_on = left
        s.save()
        Departure.objects.create(
            student=s,
            left_on=left,
            reason="dropout",
            destination="work",
            note=f"{FIRST} gaat werken",
        )
        departure = Departure.objects.get(student=s)
        AftercareContact.objects.create(
            departure=departure,
            months=3,
            due_on=date(2022, 10, 15),
            note=f"Nazorg {FIRST}",
        )
        LeaverFollowUp.objects.create(student=s, left_on=left)
    return s


def _other_students_rows(world: World) -> dict[str, int]:
    other = world.students["t1"]
    return {
        "student": Student.objects.filter(pk=other.pk).count(),
        "guardians": Guardian.objects.filter(student=other).count(),
        "absence": AbsenceReport.objects.filter(student=other).count(),
        "referrals": Referral.objects.filter(student=other).count(),
        "consents": Consent.objects.filter(student=other).count(),
        "account": User.objects.filter(pk=other.user_id, is_active=True).count(),
        "log": AccessLogEntry.objects.filter(student_id=other.pk).count(),
    }


def _run_as_the_officer(world: World, day: date) -> Any:
    officer = world.users["privacy"]
    roc = world.students["t1"].institution
    run = retention_propose(institution=roc, reference_date=day, proposed_by=officer)
    retention_approve(actor=officer, run=run, seen=fingerprint(run))
    return retention_run(run, batch_size=1)


@pytest.fixture
def data_dir(tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def _only_in_logs(hits: dict[str, list[tuple[str, str]]]) -> dict[str, list[tuple[str, str]]]:
    return {t: h for t, h in hits.items() if t not in ACCESS_LOGS}


@pytest.mark.django_db
def test_deleting_an_expired_student_leaves_nothing_of_them(world: World, data_dir: Path) -> None:
    student = build_everything(world)
    sid = student.pk
    before = scan_tables()
    # The scan finds the student everywhere before: it is not blind.
    for table in (
        "students_student",
        "students_guardian",
        "support_supportplan",
        "signals_concern",
        "meetings_agendaitem",
        "meetings_meeting",
        "referrals_referral",
        "events_delivery",
        "signals_absenceimportjob",
        "transitions_handoverrecord",
        "notifications_notification",
        "accounts_user",
        "axes_accessattempt",
    ):
        assert table in before, table
    others = _other_students_rows(world)

    with time_machine.travel(NOW, tick=False):
        run = _run_as_the_officer(world, NOW.date())

    assert run.status == RetentionRunStatus.DONE
    assert run.counts["students"] == 1
    assert not Student.objects.filter(pk=sid).exists()
    left = scan_tables()
    assert _only_in_logs(left) == {}
    # The access log keeps its rows for five years (NEN 7513): the student's account named
    # as it was when they looked at their own file, in 2022. Nothing else, nowhere else.
    assert set(left) <= ACCESS_LOGS
    newest = AccessLogEntry.objects.filter(user_display__icontains=LAST).order_by("-at").first()
    if newest is not None:
        assert newest.at > NOW - timedelta(days=5 * 366)
    assert scan_files(data_dir) == []
    # The accounts stay (the access log points at them) but say nothing and open nothing.
    account = User.objects.get(pk=student.user_id)
    assert account.email == f"verwijderd-{account.pk}@verwijderd.invalid"
    assert not account.is_active and not account.has_usable_password()
    assert not Membership.objects.filter(user=account).exists()
    # Another student's data stays intact.
    assert _other_students_rows(world) == others
    # The deletion's own record: counts, no names.
    assert run.counts["tables"]["students.Student"] == 1
    assert run.counts["tables"]["support.SupportPlan"] == 1
    assert not re.search(FIRST, str(run.counts), re.IGNORECASE)


@pytest.mark.django_db
def test_the_role_grants_name_the_student_no_more(world: World, data_dir: Path) -> None:
    from schakelpunt.accounts.models import RoleGrant

    student = build_everything(world)
    roc = student.institution
    parent = User.objects.get(email=PARENT_EMAIL)
    coach = world.users["coach"]
    other = world.students["t1"]
    with time_machine.travel(BUILT, tick=False):
        RoleGrant.objects.create(
            actor=None,
            actor_display="opdrachtregel",
            grantee_id=student.user_id,
            grantee_email=EMAIL,
            organisation=roc,
            role=Role.STUDENT,
            outcome="granted",
        )
        # The parent's account linked by the coach, as students/parent_services.py writes it.
        RoleGrant.objects.create(
            actor=coach,
            actor_display=f"{coach} <{coach.email}>",
            grantee=parent,
            grantee_email=PARENT_EMAIL,
            organisation=roc,
            role=Role.PARENT,
            scope_display=f"ouder of verzorger van studentnummer {NUMBER}",
            outcome="granted",
        )
        # A refused invitation to the parent's address, before they had an account.
        RoleGrant.objects.create(
            actor=coach,
            actor_display=f"{coach} <{coach.email}>",
            grantee=None,
            grantee_email=PARENT_EMAIL,
            organisation=roc,
            role=Role.PARENT,
            outcome="refused",
            reason=f"geen ouder in het dossier van {NUMBER}",
        )
        # The parent of two: a grant for the other child stays, without this student's number.
        twice = UserFactory(email="ouder.van.twee@ouder.example")
        RoleGrant.objects.create(
            actor=coach,
            actor_display="coach",
            grantee=twice,
            grantee_email=twice.email,
            organisation=roc,
            role=Role.PARENT,
            scope_display=f"ouder of verzorger van studentnummer {NUMBER}, {other.student_number}",
            outcome="granted",
        )
        # Another person's grant.
        RoleGrant.objects.create(
            actor=None,
            actor_display="opdrachtregel",
            grantee=coach,
            grantee_email=coach.email,
            organisation=roc,
            role=Role.COACH,
            scope_display="locatie Oost",
            outcome="granted",
        )
    before = {
        g.pk: (g.grantee_id, g.scope_display)
        for g in RoleGrant.objects.exclude(grantee_email__in=[EMAIL, PARENT_EMAIL])
    }
    assert ROLE_GRANTS in scan_tables()
    with time_machine.travel(NOW, tick=False):
        run = _run_as_the_officer(world, NOW.date())
    assert ROLE_GRANTS not in scan_tables()
    assert not RoleGrant.objects.filter(grantee_email__in=[EMAIL, PARENT_EMAIL]).exists()
    after = {
        g.pk: (g.grantee_id, g.scope_display)
        for g in RoleGrant.objects.exclude(grantee_email__in=[EMAIL, PARENT_EMAIL])
    }
    twice_grant = next(pk for pk, (grantee, _s) in before.items() if grantee == twice.pk)
    assert after.pop(twice_grant)[1] == (
        f"ouder of verzorger van studentnummer [verwijderd], {other.student_number}"
    )
    before.pop(twice_grant)
    assert after == before
    assert run.counts["tables"]["accounts.RoleGrant"] == 3


@pytest.mark.django_db
def test_once_its_five_years_have_passed_the_access_log_names_them_no_more(
    world: World, data_dir: Path
) -> None:
    # The same student, but their file was read in March 2021: by now (the run's day) the
    # access log's own five years have passed, so the run's purge takes those rows too and
    # nothing at all names them.
    student = build_everything(world, datetime(2021, 3, 1, 10, 0, tzinfo=AMS))
    assert AccessLogEntry.objects.exists() or "access_accessdecision" in scan_tables()
    with time_machine.travel(NOW, tick=False):
        run = _run_as_the_officer(world, NOW.date())
    assert not Student.objects.filter(pk=student.pk).exists()
    assert scan_tables() == {}
    assert run.counts["tables"].get("access.AccessDecision", 0) >= 1


@pytest.mark.django_db
def test_a_student_who_tried_their_file_after_leaving_is_no_name_in_the_decision_log(
    world: World, data_dir: Path
) -> None:
    # After leaving (their student role ended) the student tries their own file: refused,
    # and the decision log keeps the attempt, kept for five years like the access log. It
    # says "De student zelf", so once the student is deleted it names them no more.
    student = build_everything(world)
    Membership.objects.filter(user_id=student.user_id).update(valid_until=LEFT)
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    own = Client()
    own.force_login(User.objects.get(pk=student.user_id))
    session = own.session  # they passed their second factor
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user_id=student.user_id).persistent_id
    session.save()
    with time_machine.travel(datetime(2022, 9, 1, 10, 0, tzinfo=AMS), tick=False):
        assert own.get(reverse("students:detail", args=[student.pk])).status_code == 404
    assert AccessDecision.objects.filter(user_id=student.user_id, student_id=student.pk).exists()
    with time_machine.travel(NOW, tick=False):
        _run_as_the_officer(world, NOW.date())
    assert not Student.objects.filter(pk=student.pk).exists()
    # The rows stay (five years) but say nothing of who it was. (The parent, refused the
    # page of an adult child, is named like every other actor: the access log's rule.)
    assert AccessDecision.objects.filter(student_id=student.pk).exists()
    named = {needle for _, needle in scan_tables().get("access_accessdecision", [])}
    assert named <= {LAST, PARENT_EMAIL}
    assert not AccessDecision.objects.filter(user_display__icontains=FIRST).exists()
