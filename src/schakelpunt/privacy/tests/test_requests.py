"""The student's correction requests and objections (issue 19, item 4): the student asks on
"Mijn gegevens", the care coordinator of the school answers within a month, the student reads
the answer; an upheld objection to the early warning switches it off for that student."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from tests.world import client_for

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.core.dates import months_after
from schakelpunt.notifications.models import Notification
from schakelpunt.privacy import requests as services
from schakelpunt.privacy.models import (
    CorrectionRequest,
    Objection,
    RequestStatus,
    objection_upheld,
)
from schakelpunt.privacy.register import Activity
from schakelpunt.signals.daily import early_warnings_compute
from schakelpunt.signals.models import AbsenceRecord, Concern, ConcernStatus, EarlyWarning
from schakelpunt.signals.triage import triage_queue
from schakelpunt.students.tests.factories import StudentFactory

HUB = "/privacy/mijn-gegevens/"
NEW_CORRECTION = "/privacy/mijn-gegevens/verbeteren/"
NEW_OBJECTION = "/privacy/mijn-gegevens/bezwaar/"
QUEUE = "/privacy/verzoeken/"
# The early-warning tests run the morning computation on a fixed Friday in term time.
TODAY = date(2025, 11, 28)


def _other_school_coordinator(world):  # type: ignore[no-untyped-def]
    roc2 = world.students["other"].institution
    user = UserFactory(email="care_roc2@example.nl", first_name="Zorg")
    MembershipFactory(user=user, organisation=roc2, role=Role.CARE_COORDINATOR)
    return user


def _ask_correction(world, **data):  # type: ignore[no-untyped-def]
    form = {
        "part": "contact",
        "wrong": "Mijn telefoonnummer is oud.",
        "should_be": "06 12345678",
        **data,
    }
    return client_for(world.users["student"]).post(NEW_CORRECTION, form)


def test_the_student_asks_a_correction_and_the_coordinator_of_the_school_sees_it(world):
    anna = world.students["t1"]
    care = world.users["care_l1"]
    response = _ask_correction(world)
    assert response.status_code == 302
    request = CorrectionRequest.objects.get(student=anna)
    assert request.status == RequestStatus.OPEN
    assert request.deadline == months_after(timezone.localdate(), 1)
    assert "Mijn telefoonnummer is oud." in request.text and "06 12345678" in request.text
    # The coordinator hears of it, by name, with a link to the request.
    note = Notification.objects.get(recipient=care)
    assert anna.display_name in note.message
    assert note.url == reverse("privacy:correction_detail", args=[request.pk])

    page = client_for(care).get(QUEUE).content.decode()
    assert anna.display_name in page
    assert request.deadline.strftime("%Y") in page and "Contactgegevens" in page
    listed = AccessLogEntry.objects.filter(user=care, student_id=anna.pk, kind="list")
    assert listed.filter(activity=Activity.RIGHTS, part="contact").exists()

    detail = client_for(care).get(reverse("privacy:correction_detail", args=[request.pk]))
    assert detail.status_code == 200
    assert "06 12345678" in detail.content.decode()
    assert AccessLogEntry.objects.filter(
        user=care, student_id=anna.pk, kind="detail", activity=Activity.RIGHTS, part="contact"
    ).exists()


def test_a_coach_and_a_coordinator_of_another_school_do_not_see_the_request(world):
    anna = world.students["t1"]
    _ask_correction(world)
    request = CorrectionRequest.objects.get(student=anna)
    outsider = _other_school_coordinator(world)
    for user in (world.users["coach"], outsider, world.users["privacy"]):
        client = client_for(user)
        detail = client.get(reverse("privacy:correction_detail", args=[request.pk]))
        assert detail.status_code == 404
        answered = client.post(
            reverse("privacy:correction_detail", args=[request.pk]),
            {"version": request.version, "status": "granted", "answer": "Gedaan."},
        )
        assert answered.status_code == 404
        queue = client.get(QUEUE)
        assert anna.display_name not in queue.content.decode()
    assert not Notification.objects.filter(recipient=outsider).exists()
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN


def test_the_hub_is_the_students_own_and_a_404_for_everyone_else(world):
    page = client_for(world.users["student"]).get(HUB)
    assert page.status_code == 200
    text = page.content.decode()
    # What is kept and why, in the student's words, with the legal basis in plain words.
    assert "Om je te begeleiden op school." in text and "Dit moet van de wet." in text
    assert "Om vroeg te zien of je misschien hulp nodig hebt." in text
    assert f"{NEW_OBJECTION}?verwerking=early_warning" in text
    assert "Daarom kun je hier geen bezwaar tegen maken." in text
    # Everything held about the student, to download.
    assert reverse("privacy:own_data_pdf") in text and reverse("privacy:own_data_json") in text
    for key in ("coach", "care_l1", "privacy", "nobody"):
        assert client_for(world.users[key]).get(HUB).status_code == 404
        assert client_for(world.users[key]).get(NEW_CORRECTION).status_code == 404


def test_an_answer_from_a_stale_form_is_refused_and_the_student_reads_the_first(world):
    anna = world.users["student"]
    care = world.users["care_l1"]
    colleague = UserFactory(email="care2@example.nl")
    MembershipFactory(
        user=colleague,
        organisation=world.students["t1"].institution,
        role=Role.CARE_COORDINATOR,
        location=world.students["t1"].location,
    )
    _ask_correction(world)
    request = CorrectionRequest.objects.get(student=world.students["t1"])
    url = reverse("privacy:correction_detail", args=[request.pk])
    opened = request.version
    first = client_for(care).post(
        url,
        {"version": opened, "status": "granted", "answer": "Je nummer is aangepast."},
    )
    assert first.status_code == 302
    late = client_for(colleague).post(
        url,
        {"version": opened, "status": "refused", "answer": "Dit klopt wel."},
        follow=True,
    )
    assert "Iemand anders heeft dit verzoek intussen beantwoord" in late.content.decode()
    request.refresh_from_db()
    assert (request.status, request.answer, request.answered_by) == (
        RequestStatus.GRANTED,
        "Je nummer is aangepast.",
        care,
    )
    hub = client_for(anna).get(HUB).content.decode()
    assert "Je nummer is aangepast." in hub and "Verbeterd" in hub
    assert "Dit klopt wel." not in hub
    assert Notification.objects.filter(recipient=anna, url=HUB).exists()
    assert AccessLogEntry.objects.filter(
        user=care, action="change", activity=Activity.RIGHTS, part="contact"
    ).exists()


def test_an_answer_needs_a_decision_and_a_text(world):
    _ask_correction(world)
    request = CorrectionRequest.objects.get(student=world.students["t1"])
    url = reverse("privacy:correction_detail", args=[request.pk])
    response = client_for(world.users["care_l1"]).post(
        url, {"version": request.version, "status": "granted", "answer": "   "}
    )
    assert response.status_code == 400
    assert "Schrijf het antwoord aan de student." in response.content.decode()
    request.refresh_from_db()
    assert (request.status, request.answer, request.version) == (RequestStatus.OPEN, "", 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"wrong": ""}, "Schrijf op wat er niet klopt."),
        ({"should_be": "   "}, "Schrijf op wat het wel moet zijn."),
        ({"part": ""}, "Kies over welk deel van je gegevens het gaat."),
        ({"part": "bsn"}, "Kies over welk deel van je gegevens het gaat."),
        ({"wrong": "x" * 2001}, "Gebruik hoogstens 2000 tekens"),
    ],
)
def test_bad_input_gives_a_dutch_message_and_changes_nothing(world, data, message):
    response = _ask_correction(world, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CorrectionRequest.objects.exists()
    assert not Notification.objects.exists()


def _absent(student, days):  # type: ignore[no-untyped-def]
    AbsenceRecord.objects.bulk_create(
        AbsenceRecord(
            student=student,
            day=d,
            scheduled_hours=Decimal(6),
            absent_hours=Decimal(6),
            reason="unauthorised",
        )
        for d in days
    )


def _last_school_days(n: int) -> list[date]:
    days, d = [], TODAY
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d -= timedelta(days=1)
    return days


@pytest.fixture
def absent_pair(world):  # type: ignore[no-untyped-def]
    """Anna and a classmate alike in every way the early warning looks at: both enrolled
    last year and absent the last four school days, so the morning run flags both."""
    anna = world.students["t1"]
    classmate = StudentFactory(
        programme=anna.programme,
        date_of_birth=anna.date_of_birth,
        enrolled_on=date(2024, 9, 1),
        first_name="Fenna",
    )
    anna.enrolled_on = date(2024, 9, 1)
    anna.save()
    for student in (anna, classmate):
        _absent(student, _last_school_days(4))
    early_warnings_compute(institution=anna.institution, today=TODAY)
    assert EarlyWarning.objects.filter(student__in=[anna, classmate], flagged=True).count() == 2
    return anna, classmate


def _object(world, activity="early_warning", reason="Ik wil niet dat een computer mij volgt."):  # type: ignore[no-untyped-def]
    return client_for(world.users["student"]).post(
        NEW_OBJECTION, {"activity": activity, "reason": reason}
    )


def _decide(world, status, decision):  # type: ignore[no-untyped-def]
    objection = Objection.objects.get(student=world.students["t1"], status=RequestStatus.OPEN)
    return client_for(world.users["care_l1"]).post(
        reverse("privacy:objection_detail", args=[objection.pk]),
        {"version": objection.version, "status": status, "decision": decision},
    )


def test_an_upheld_objection_switches_the_early_warning_off_for_that_student(world, absent_pair):
    anna, classmate = absent_pair
    care = world.users["care_l1"]
    assert _object(world).status_code == 302
    objection = Objection.objects.get(student=anna)
    assert objection.deadline == months_after(timezone.localdate(), 1)
    queue = client_for(care).get(QUEUE).content.decode()
    assert anna.display_name in queue and "Vroegsignalering" in queue
    assert Concern.objects.filter(student=anna).exists()  # in triage before the decision

    response = _decide(world, "granted", "Je hebt gelijk, we zetten het uit.")
    assert response.status_code == 302
    assert objection_upheld(anna.pk, Activity.EARLY_WARNING)
    # Off at once: the computed row and the untouched signal are gone.
    assert not EarlyWarning.objects.filter(student=anna).exists()
    assert not Concern.objects.filter(student=anna).exists()
    # And the next morning the rules skip her, while her classmate is flagged as before.
    early_warnings_compute(institution=anna.institution, today=TODAY)
    assert not EarlyWarning.objects.filter(student=anna).exists()
    assert EarlyWarning.objects.filter(student=classmate, flagged=True).exists()
    queued = {c.student_id for c in triage_queue(care)}
    assert classmate.pk in queued and anna.pk not in queued
    # The student reads the decision and its reason; the processing says it is off.
    hub = client_for(world.users["student"]).get(HUB).content.decode()
    assert "Je hebt gelijk, we zetten het uit." in hub
    assert "Dit staat voor jou uit, omdat je bezwaar kreeg." in hub
    assert AccessLogEntry.objects.filter(
        user=care, student_id=anna.pk, action="change", activity=Activity.RIGHTS, part="support"
    ).exists()
    # A second objection to what is already off is refused.
    again = _object(world)
    assert again.status_code == 400
    assert "Je bezwaar hiertegen is al toegewezen." in again.content.decode()


def test_a_signal_someone_already_picked_up_is_closed_with_the_reason(world, absent_pair):
    anna, _classmate = absent_pair
    signal = Concern.objects.get(student=anna)
    signal.status = ConcernStatus.IN_PROGRESS
    signal.first_action_at = timezone.now()
    signal.save()
    _object(world)
    _decide(world, "granted", "Toegewezen.")
    signal.refresh_from_db()
    assert signal.status == ConcernStatus.CLOSED
    assert "bezwaar" in signal.closed_reason
    assert anna.pk not in {c.student_id for c in triage_queue(world.users["care_l1"])}


def test_a_refused_objection_leaves_the_early_warning_on(world, absent_pair):
    anna, _classmate = absent_pair
    _object(world)
    assert _decide(world, "refused", "We zien zo op tijd of je hulp nodig hebt.").status_code == 302
    assert not objection_upheld(anna.pk, Activity.EARLY_WARNING)
    early_warnings_compute(institution=anna.institution, today=TODAY)
    assert EarlyWarning.objects.filter(student=anna, flagged=True).exists()
    hub = client_for(world.users["student"]).get(HUB).content.decode()
    assert "We zien zo op tijd of je hulp nodig hebt." in hub and "Afgewezen" in hub
    # Refused, the student may object again later.
    assert _object(world).status_code == 302


def test_one_open_objection_per_processing(world):
    assert _object(world).status_code == 302
    again = _object(world, reason="Nog een keer.")
    assert again.status_code == 400
    assert "Je hebt hier al bezwaar tegen gemaakt." in again.content.decode()
    assert Objection.objects.count() == 1


def test_no_objection_to_a_legal_duty_or_consent_and_a_reason_is_needed(world):
    refused = _object(world, activity="absence")
    assert refused.status_code == 400
    assert (
        "Tegen dit gebruik van je gegevens kun je geen bezwaar maken." in refused.content.decode()
    )
    empty = _object(world, reason="  ")
    assert empty.status_code == 400
    assert "Schrijf op waarom je bezwaar maakt." in empty.content.decode()
    assert not Objection.objects.exists()
    # The service says why, whatever the screen offered.
    anna = world.students["t1"]
    for activity, words in (
        (Activity.ABSENCE, "Dit moet de school doen van de wet."),
        (Activity.REFERRAL, "Je kunt je toestemming altijd intrekken."),
    ):
        with pytest.raises(ValidationError) as error:
            services.objection_make(
                actor=world.users["student"], student=anna, activity=activity, reason="Nee."
            )
        assert words in " ".join(error.value.messages)
    assert not Objection.objects.exists()


def test_a_stale_decision_is_refused_and_the_first_one_stands(world):
    _object(world)
    objection = Objection.objects.get()
    url = reverse("privacy:objection_detail", args=[objection.pk])
    care = client_for(world.users["care_l1"])
    opened = objection.version
    care.post(url, {"version": opened, "status": "refused", "decision": "Gaat door."})
    late = care.post(
        url, {"version": opened, "status": "granted", "decision": "Toch uit."}, follow=True
    )
    assert "Iemand anders heeft dit verzoek intussen beantwoord" in late.content.decode()
    objection.refresh_from_db()
    assert (objection.status, objection.decision) == (RequestStatus.REFUSED, "Gaat door.")


def test_the_queue_puts_the_nearest_deadline_first_and_marks_the_overdue(world):
    anna = world.students["t1"]
    _ask_correction(world)
    _object(world)
    late = CorrectionRequest.objects.get(student=anna)
    late.requested_at = timezone.now() - timedelta(days=40)
    late.deadline = timezone.localdate() - timedelta(days=9)
    late.save()
    page = client_for(world.users["care_l1"]).get(QUEUE).content.decode()
    assert "1 verzoek is over de termijn." in page
    # The overdue correction comes before the objection due in a month.
    assert page.index("(te laat)") < page.index("Vroegsignalering")
