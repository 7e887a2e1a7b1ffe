"""The student's right of access (AVG art. 15): the download holds every part the student may
see and nothing they may not, decided by the access policy; the privacy officer downloads it
for a student of their own school on request; everyone else gets the same 404.

Every marker is one word, so a line the PDF wraps cannot split it.
"""

import io
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from tests.world import World, client_for

from schakelpunt.access.models import AccessDecision, AccessLogEntry
from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    Grant,
    StudentAccess,
    concern_visible_to_student,
    guardian_may_be_involved,
    may_read_agenda_item_minutes,
    may_see_guardian_contact,
    own_data_parts,
    parent_parts_of_guardian,
)
from schakelpunt.accounts.models import Membership
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.meetings.models import AgendaItem, Decision, Meeting, MeetingKind, MeetingStatus
from schakelpunt.privacy.models import CorrectionRequest, Objection, RequestStatus
from schakelpunt.privacy.register import ACTIVITIES, Activity
from schakelpunt.referrals.models import Advice, Consent, ConsentBasis, Referral, ReferralStatus
from schakelpunt.signals.models import AbsenceReasonCode, AbsenceRecord, Concern, ConcernSource
from schakelpunt.students.models import Guardian, GuardianRelation, Student
from schakelpunt.students.tests.factories import born_years_ago
from schakelpunt.support.models import (
    ContactKind,
    ContactNote,
    HelpRequest,
    StudentContribution,
)
from schakelpunt.support.plans import ActionInput, GoalInput, plan_save
from schakelpunt.support.services import trajectory_open, trajectory_set_coordinator
from schakelpunt.transitions.models import Departure, Destination, LeavingReason

OWN_PDF = reverse("privacy:own_data_pdf")
OWN_JSON = reverse("privacy:own_data_json")


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _meeting(world: World, title: str, status: str, notes: str) -> Meeting:
    roc = world.students["t1"].institution
    return Meeting.objects.create(
        institution=roc,
        kind=MeetingKind.CARE_TEAM,
        title=title,
        starts_at=timezone.now() - timedelta(days=3),
        chair=world.users["care_l1"],
        status=status,
        notes=notes,
        created_by=world.users["care_l1"],
    )


def fill_every_part(world: World) -> dict[str, Any]:
    """Anna (t1) with data in every part, and around her what she may not see."""
    anna, bram = world.students["t1"], world.students["t2"]
    care, coach = world.users["care_l1"], world.users["coach"]
    today = timezone.localdate()
    anna.email, anna.phone = "anna.markeer@example.nl", "0612345678"
    anna.save()
    parent = UserFactory(email="moeder@example.nl")
    MembershipFactory(user=parent, organisation=anna.institution, role=Role.PARENT)
    Guardian.objects.create(
        student=anna, name="Moedernaam", relation=GuardianRelation.PARENT, user=parent
    )
    AbsenceRecord.objects.create(
        student=anna,
        day=today - timedelta(days=5),
        scheduled_hours=Decimal(6),
        absent_hours=Decimal("3.5"),
        reason=AbsenceReasonCode.UNAUTHORISED,
    )
    trajectory = trajectory_open(actor=care, student=anna, life_domains=["home"])
    trajectory = trajectory_set_coordinator(
        actor=care, trajectory_id=trajectory.pk, coordinator=care, expected_version=1
    )
    plan_save(
        actor=care,
        trajectory_id=trajectory.pk,
        expected_version=0,
        goals=[GoalInput("home", "Eerstedoelversie")],
        actions=[],
    )
    plan_save(
        actor=care,
        trajectory_id=trajectory.pk,
        expected_version=1,
        goals=[GoalInput("home", "Rustigeleerplek")],
        actions=[ActionInput("Huiswerkafspraak", today + timedelta(days=7), owner=care)],
        wishes="Dinsdagwens",
    )
    ContactNote.objects.create(
        student=anna,
        kind=ContactKind.CONVERSATION,
        happened_on=today,
        summary="Gedeeldgesprek",
        author=care,
        shared_with_student=True,
    )
    ContactNote.objects.create(
        student=anna,
        kind=ContactKind.PHONE,
        happened_on=today,
        summary="Stafnotitie",
        author=care,
        shared_with_student=False,
    )
    StudentContribution.objects.create(student=anna, text="Mijninbreng")
    HelpRequest.objects.create(student=anna, text="Mijnhulpvraag")
    Concern.objects.create(student=anna, raised_by=coach, text="Zichtbarezorg")
    Concern.objects.create(
        student=anna,
        raised_by=coach,
        text="Achtergehoudenzorg",
        withheld_reason="Meldcode",
        withheld_by=coach,
        withheld_at=timezone.now(),
    )
    Concern.objects.create(
        student=anna,
        source=ConcernSource.EARLY_WARNING,
        text="Vroegsignaal",
        factors=[{"code": "absence", "explanation": "Verzuimfactor"}],
    )
    Concern.objects.create(student=bram, raised_by=coach, text="Bramszorg")
    # A meeting about Anna alone, approved: its minutes and decisions are hers to read.
    own = _meeting(world, "Zorgteam", MeetingStatus.APPROVED, "Algemeenverslag")
    item = AgendaItem.objects.create(
        meeting=own, student=anna, question="Overlegvraag", minutes="Verslagoveranna"
    )
    Decision.objects.create(item=item, text="Besluitoveranna", created_by=care)
    # A meeting about Anna and Bram: Bram's minutes and the general part are not hers.
    shared = _meeting(world, "Breed overleg", MeetingStatus.APPROVED, "Gedeeldalgemeen")
    AgendaItem.objects.create(
        meeting=shared, student=anna, question="Tweedevraag", minutes="Annatweedeverslag"
    )
    AgendaItem.objects.create(
        meeting=shared, student=bram, question="Bramsvraag", minutes="Bramsverslag"
    )
    # Held, but its minutes not yet approved: a concept nobody outside the team reads.
    draft = _meeting(world, "Concept", MeetingStatus.HELD, "")
    AgendaItem.objects.create(
        meeting=draft, student=anna, question="Conceptvraag", minutes="Conceptverslag"
    )
    bram_referral = Referral.objects.get(student=bram)
    referral = Referral.objects.create(
        student=anna,
        to_organisation=bram_referral.to_organisation,
        status=ReferralStatus.ACCEPTED,
        question="Verwijsvraag",
        shared_parts=[Part.CONTACT],
    )
    Advice.objects.create(
        referral=referral, text="Adviesvoorschool", given_by=world.users["worker_p1"]
    )
    Advice.objects.create(referral=bram_referral, text="Adviesoverbram")
    Consent.objects.create(
        student=anna, organisation=referral.to_organisation, parts=[Part.CONTACT, Part.SUPPORT]
    )
    Consent.objects.create(
        student=anna,
        organisation=referral.to_organisation,
        parts=[Part.ABSENCE],
        basis=ConsentBasis.EMERGENCY,
        emergency_reason="Noodreden",
        expires_on=today + timedelta(days=14),
    )
    Departure.objects.create(
        student=anna,
        left_on=today - timedelta(days=200),
        reason=LeavingReason.SWITCH,
        destination=Destination.MBO,
        note="Vertrekreden",
        returned_on=today - timedelta(days=150),
    )
    CorrectionRequest.objects.create(
        student=anna,
        part=Part.CONTACT,
        text="Verbeterverzoek",
        requested_by=world.users["student"],
        deadline=today + timedelta(days=30),
        status=RequestStatus.GRANTED,
        answer="Verbeterantwoord",
        answered_by=care,
        answered_at=timezone.now(),
    )
    Objection.objects.create(
        student=anna,
        activity=Activity.EARLY_WARNING,
        reason="Bezwaarreden",
        requested_by=world.users["student"],
        deadline=today + timedelta(days=30),
        status=RequestStatus.REFUSED,
        decision="Bezwaarbesluit",
        decided_by=care,
        decided_at=timezone.now(),
    )
    # The coach opens Anna's file: a visit she reads with its purpose.
    assert client_for(coach).get(reverse("students:detail", args=[anna.pk])).status_code == 200
    return {"anna": anna, "bram": bram}


def downloads(world: World) -> tuple[dict[str, Any], str, str]:
    client = client_for(world.users["student"])
    as_json = client.get(OWN_JSON)
    as_pdf = client.get(OWN_PDF)
    assert as_json.status_code == as_pdf.status_code == 200
    return json.loads(as_json.content), as_json.content.decode(), pdf_text(as_pdf.content)


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_the_download_holds_every_part_the_student_may_see_and_nothing_they_may_not(
    world: World,
) -> None:
    fill_every_part(world)
    anna, bram = world.students["t1"], world.students["t2"]
    data, raw_json, text = downloads(world)

    def shown(marker: str) -> bool:
        in_json, in_pdf = marker in raw_json, marker in text
        assert in_json == in_pdf, f"{marker}: JSON {in_json}, PDF {in_pdf}"
        return in_json

    # Each part the policy gives the student of themselves has its section, with its data.
    parts = own_data_parts()
    per_part = {
        Part.IDENTITY: ("identity", anna.student_number),
        Part.CONTACT: ("contact", "anna.markeer@example.nl"),
        Part.ENROLMENT: ("enrolment", anna.programme.name),
        Part.ABSENCE: ("absence_days", "Ongeoorloofd"),
        Part.SUPPORT: ("support", "Rustigeleerplek"),
        Part.REFERRALS: ("referrals", "Verwijsvraag"),
    }
    for part, (section, marker) in per_part.items():
        assert (section in data["sections"]) == (part in parts), part
        assert shown(marker) == (part in parts), part
    assert data["student_number"] == anna.student_number
    assert anna.full_name in text and "Dit is alles wat Schakelpunt over jou bewaart" in text

    # Concerns: exactly those the policy shows the student, none about anyone else.
    for concern in Concern.objects.all():
        expected = concern.student_id == anna.pk and concern_visible_to_student(concern)
        assert shown(concern.text) == expected, concern.text
    assert shown("Verzuimfactor")  # why the early warning fired

    # Contacts: those shared with the student; a staff-only note stays out.
    for note in ContactNote.objects.filter(student=anna):
        assert shown(note.summary) == note.shared_with_student, note.summary

    # Minutes: the student's own item once approved; never another student's, never a concept.
    student_user = world.users["student"]
    for item in AgendaItem.objects.select_related("meeting", "student"):
        approved = item.meeting.status == MeetingStatus.APPROVED
        expected = (
            item.student_id == anna.pk
            and approved
            and may_read_agenda_item_minutes(student_user, item.student)
        )
        assert shown(item.minutes) == expected, item.minutes
    assert shown("Besluitoveranna")
    assert shown("Algemeenverslag")  # only Anna on the agenda
    assert not shown("Gedeeldalgemeen")  # Bram was on that agenda too
    assert not shown("Bramsvraag")

    # What each parent sees, as the policy gives it today.
    guardian = Guardian.objects.get(student=anna)
    sees = data["sections"]["guardians"]["records"][0]["sees"]
    assert len(sees) == len(parent_parts_of_guardian(guardian, timezone.localdate()))

    # Plan, its earlier version, own words, advice, consents (the emergency named), leaving.
    for marker in (
        "Eerstedoelversie",
        "Dinsdagwens",
        "Huiswerkafspraak",
        "Mijninbreng",
        "Mijnhulpvraag",
        "Adviesvoorschool",
        "Noodreden",
        "Vertrekreden",
        "Verbeterverzoek",
        "Verbeterantwoord",
        "Bezwaarreden",
        "Bezwaarbesluit",
    ):
        assert shown(marker), marker
    assert "Nood: zonder je toestemming" in text
    consents = data["sections"]["consents"]["records"]
    assert {c["given_on"] for c in consents} == {timezone.localdate().isoformat()}

    # Nothing of another student.
    for marker in (bram.full_name, "Adviesoverbram", "Bramszorg", bram.student_number):
        assert not shown(marker), marker

    # Who looked, and why, in plain Dutch; not the student's own reads.
    visits = data["sections"]["access_log"]["records"]
    coach_visits = [v for v in visits if "Coach" in v["who"]]
    assert coach_visits, visits
    assert all(str(ACTIVITIES[Activity.SUPPORT].plain) in v["why"] for v in coach_visits)
    assert str(ACTIVITIES[Activity.SUPPORT].plain) in text

    # No internal ids: keys are English words, ids and codes stay out.
    assert not {k for k in _keys(data) if k == "id" or k.endswith("_id")}


def test_the_student_downloads_pdf_and_json_with_clear_names_and_each_is_logged(
    world: World,
) -> None:
    anna = world.students["t1"]
    client = client_for(world.users["student"])
    pdf = client.get(OWN_PDF)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == (
        f'attachment; filename="gegevens-schakelpunt-{anna.student_number}-'
        f'{timezone.localdate().isoformat()}.pdf"'
    )
    assert "no-store" in pdf["Cache-Control"]
    as_json = client.get(OWN_JSON)
    assert as_json["Content-Type"] == "application/json; charset=utf-8"
    assert as_json["Content-Disposition"].endswith('.json"')
    assert json.loads(as_json.content.decode("utf-8"))["student_number"] == anna.student_number
    exports = AccessLogEntry.objects.filter(student_id=anna.pk, action=Action.EXPORT)
    assert exports.values("event_id").distinct().count() == 2
    assert {e.part for e in exports} == {p.value for p in own_data_parts()}
    assert {e.activity for e in exports} == {Activity.RIGHTS}
    assert {e.user_id for e in exports} == {world.users["student"].pk}


@pytest.mark.parametrize("who", ["coach", "care_l1", "privacy", "nobody", "worker_p1"])
def test_who_is_not_a_student_with_a_file_gets_404(world: World, who: str) -> None:
    client = client_for(world.users[who])
    for url in (OWN_PDF, OWN_JSON, reverse("privacy:own_data")):
        assert client.get(url).status_code == 404, url


def test_a_student_whose_role_ended_gets_404(world: World) -> None:
    student_user = world.users["student"]
    Membership.objects.filter(user=student_user).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    assert client_for(student_user).get(OWN_JSON).status_code == 404


def test_the_privacy_officer_finds_a_student_of_their_school_and_downloads_on_request(
    world: World,
) -> None:
    fill_every_part(world)
    anna = world.students["t1"]
    officer = client_for(world.users["privacy"])
    page = officer.get(reverse("privacy:officer_data"), {"student_number": anna.student_number})
    html = page.content.decode()
    assert anna.full_name in html
    assert reverse("privacy:officer_data_pdf", args=[anna.pk]) in html
    # Seeing who the student is, for their request, is a read in the log.
    assert AccessLogEntry.objects.filter(
        student_id=anna.pk,
        user=world.users["privacy"],
        action=Action.VIEW,
        part=Part.IDENTITY,
        activity=Activity.RIGHTS,
    ).exists()
    # Another school's student with a number: not found, like an unknown number.
    other = world.students["other"]
    html = officer.get(
        reverse("privacy:officer_data"), {"student_number": other.student_number}
    ).content.decode()
    assert other.full_name not in html and "Geen student met dit studentnummer" in html
    # An empty number: a clear message, nothing found.
    empty = officer.get(reverse("privacy:officer_data"), {"student_number": "  "}).content.decode()
    assert "Controleer dit veld" in empty
    # The download is the student's own view: what they may see, not what the officer may.
    as_json = officer.get(reverse("privacy:officer_data_json", args=[anna.pk]))
    assert as_json.status_code == 200
    assert "Zichtbarezorg" in as_json.content.decode()
    assert "Achtergehoudenzorg" not in as_json.content.decode()
    pdf = officer.get(reverse("privacy:officer_data_pdf", args=[anna.pk]))
    assert anna.full_name in pdf_text(pdf.content)
    exports = AccessLogEntry.objects.filter(
        student_id=anna.pk, action=Action.EXPORT, user=world.users["privacy"]
    )
    assert exports.values("event_id").distinct().count() == 2
    assert {e.activity for e in exports} == {Activity.RIGHTS}
    assert {e.role for e in exports} == {Role.PRIVACY_OFFICER}
    # The student later reads in their own download that the officer exported it, and why.
    data, _raw, _text = downloads(world)
    officer_rows = [
        v for v in data["sections"]["access_log"]["records"] if v["did"] == "geëxporteerd"
    ]
    assert officer_rows and all(
        str(ACTIVITIES[Activity.RIGHTS].plain) in v["why"] for v in officer_rows
    )


def test_the_privacy_officer_of_another_school_and_a_coach_get_404_and_the_attempt_is_kept(
    world: World,
) -> None:
    anna = world.students["t1"]
    roc2 = world.students["other"].institution
    officer2 = UserFactory(email="privacy2@example.nl")
    MembershipFactory(user=officer2, organisation=roc2, role=Role.PRIVACY_OFFICER)
    missing = (Student.objects.order_by("-pk").first().pk or 0) + 1000
    for user in (officer2, world.users["coach"], world.users["student"]):
        client = client_for(user)
        for name in ("privacy:officer_data_pdf", "privacy:officer_data_json"):
            assert client.get(reverse(name, args=[anna.pk])).status_code == 404
            assert client.get(reverse(name, args=[missing])).status_code == 404
    assert client_for(world.users["coach"]).get(reverse("privacy:officer_data")).status_code == 404
    # Nothing was exported; the refusals on an existing student are in the decision log.
    assert not AccessLogEntry.objects.filter(action=Action.EXPORT).exists()
    assert AccessDecision.objects.filter(student_id=anna.pk, user=officer2).count() == 2


def test_a_parents_phone_and_email_follow_the_policy_from_18(world: World) -> None:
    """From 18 school involves a parent only with the student's consent; the download shows
    that parent's phone and e-mail exactly when the policy lets the student's file show them."""
    anna = world.students["t1"]
    anna.date_of_birth = born_years_ago(19)
    anna.save()
    kept = Guardian.objects.create(
        student=anna,
        name="Betrokkenouder",
        relation=GuardianRelation.PARENT,
        phone="0611110001",
        email="betrokken@example.nl",
        student_consents=True,
    )
    apart = Guardian.objects.create(
        student=anna,
        name="Andereouder",
        relation=GuardianRelation.PARENT,
        phone="0611110002",
        email="ander@example.nl",
        student_consents=False,
    )
    own = StudentAccess((Grant("own_file", Role.STUDENT, own_data_parts()),))
    _data, raw_json, text = downloads(world)
    today = timezone.localdate()
    for guardian in (kept, apart):
        involved = guardian_may_be_involved(anna, guardian.student_consents, today)
        expected = may_see_guardian_contact(own, guardian.student_consents, involved)
        assert guardian.name in raw_json and guardian.name in text
        assert (guardian.phone in raw_json) == (guardian.phone in text) == expected
        assert (guardian.email in raw_json) == (guardian.email in text) == expected
    assert "0611110001" in text and "0611110002" not in text
