"""Referral screens over HTTP: refer with consent, the provider's view, withdrawal."""

import io
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from tests.world import World, client_for

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.accounts.models import Organisation
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.directory.models import DirectoryOrganisation
from schakelpunt.directory.tests.factories import ServiceFactory
from schakelpunt.referrals.models import Consent, Referral, ReferralStatus
from schakelpunt.support.plans import GoalInput, plan_save
from schakelpunt.support.services import trajectory_open


def _service(name: str = "Jongerencoaching"):  # type: ignore[no-untyped-def]
    entry = DirectoryOrganisation.objects.create(
        name="Zorg Een", description="Jeugdhulp", account=Organisation.objects.get(name="Zorg Een")
    )
    return ServiceFactory(organisation=entry, name=name)


def _sent_referral(student, service):  # type: ignore[no-untyped-def]
    """The student's only referral: sent to the service, contact details shared."""
    Referral.objects.filter(student=student).delete()
    return Referral.objects.create(
        student=student,
        to_organisation=service.organisation.account,
        service=service,
        service_name=service.name,
        question="Slaapt slecht",
        status=ReferralStatus.SENT,
        shared_parts=["contact"],
    )


def test_withdrawing_consent_stops_the_providers_access_at_once(world: World) -> None:
    chris = world.students["t3"]
    chris.user = UserFactory(email="chris@example.nl")
    chris.save()
    MembershipFactory(user=chris.user, organisation=chris.institution, role=Role.STUDENT)
    worker = client_for(world.users["worker_p1"])
    file_url = reverse("students:detail", args=[chris.pk])
    assert worker.get(file_url).status_code == 200
    consent = Consent.objects.get(student=chris)
    student = client_for(chris.user)
    page = student.get(file_url)
    assert "Toestemming intrekken" in page.content.decode()
    asked = student.post(reverse("referrals:withdraw", args=[consent.pk]))
    assert "Toestemming intrekken?" in asked.content.decode()  # first the question
    assert worker.get(file_url).status_code == 200
    response = student.post(reverse("referrals:withdraw", args=[consent.pk]), {"bevestigd": "ja"})
    assert response.status_code == 302
    assert worker.get(file_url).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_by == chris.user
    assert AccessLogEntry.objects.filter(
        student_id=chris.pk, role="consent_withdrawn", user=chris.user
    ).exists()


def test_nobody_else_withdraws_a_students_consent(world: World) -> None:
    consent = Consent.objects.get(student=world.students["t3"])
    response = client_for(world.users["worker_p1"]).post(
        reverse("referrals:withdraw", args=[consent.pk])
    )
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_the_coordinator_refers_from_the_file_with_consent(world: World) -> None:
    service = _service()
    bram = world.students["t2"]
    coordinator = client_for(world.users["care_l1"])
    page = coordinator.get(reverse("referrals:new", args=[bram.pk]) + f"?aanbod={service.pk}")
    html = page.content.decode()
    assert "Verantwoordelijke gemeente" in html and "Hengelo" in html
    assert "De student beslist zelf (16 jaar of ouder)." in html
    refused = coordinator.post(
        reverse("referrals:new", args=[bram.pk]),
        {
            "service": service.pk,
            "question": "Hulp bij slapen",
            "urgency": "normal",
            "parts": ["contact"],
            "send": "versturen",
        },
    )
    assert "De student moet zelf instemmen met het delen." in refused.content.decode()
    assert not Referral.objects.filter(service=service).exists()
    done = coordinator.post(
        reverse("referrals:new", args=[bram.pk]),
        {
            "service": service.pk,
            "question": "Hulp bij slapen",
            "urgency": "urgent",
            "parts": ["contact", "support"],
            "student_agrees": "on",
            "send": "versturen",
        },
    )
    referral = Referral.objects.get(service=service)
    assert done.url == reverse("referrals:detail", args=[referral.pk])
    assert referral.status == ReferralStatus.SENT and referral.urgency == "urgent"
    assert referral.consent is not None and referral.consent.student_agrees


def test_a_coach_cannot_refer(world: World) -> None:
    response = client_for(world.users["coach"]).get(
        reverse("referrals:new", args=[world.students["t1"].pk])
    )
    assert response.status_code == 404


def test_the_provider_sees_the_name_only_after_accepting(world: World) -> None:
    service = _service()
    bram = world.students["t2"]
    referral = _sent_referral(bram, service)
    worker = client_for(world.users["worker_p1"])
    url = reverse("referrals:detail", args=[referral.pk])
    html = worker.get(url).content.decode()
    assert "Bram" not in html and "Slaapt slecht" in html
    assert "Naam en gedeelde gegevens ziet u zodra u de verwijzing accepteert." in html
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT  # opening is reading; receiving is a step
    # Even before acceptance, the look is in the access log (the referral part only).
    assert set(
        AccessLogEntry.objects.filter(
            student_id=bram.pk, user=world.users["worker_p1"]
        ).values_list("part", flat=True)
    ) == {"referrals"}
    version = re.search(r'name="version" value="(\d+)"', html)
    assert version is not None
    worker.post(
        reverse("referrals:step", args=[referral.pk]),
        {"version": str(referral.version), "to_status": "accepted"},
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    html = worker.get(url).content.decode()
    assert "Bram" in html and "Overdracht" in html
    assert AccessLogEntry.objects.filter(
        student_id=bram.pk, user=world.users["worker_p1"], part="contact"
    ).exists()
    # Another provider does not even see that the referral exists.
    assert client_for(world.users["worker_p2"]).get(url).status_code == 404


def test_advice_from_the_provider_reaches_the_school(world: World) -> None:
    referral = Referral.objects.get(student=world.students["t3"])
    worker = client_for(world.users["worker_p1"])
    worker.post(
        reverse("referrals:advice", args=[referral.pk]),
        {"text": "Geef Chris korte opdrachten en vaste momenten om in te checken."},
    )
    school = client_for(world.users["advisor_l2"])
    html = school.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Geef Chris korte opdrachten" in html
    # It lands in the student's plan, on screen and in the PDF.
    trajectory = trajectory_open(actor=world.users["advisor_l2"], student=world.students["t3"])
    plan_save(
        actor=world.users["advisor_l2"],
        trajectory_id=trajectory.pk,
        expected_version=0,
        goals=[GoalInput("education", "Ik wil mijn diploma halen.")],
        actions=[],
        review_on=timezone.localdate() + timedelta(days=30),
    )
    plan_url = f"/studenten/{world.students['t3'].pk}/plan/"
    assert "Geef Chris korte opdrachten" in school.get(plan_url).content.decode()
    pdf = school.get(f"/studenten/{world.students['t3'].pk}/plan.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Advies van hulpverleners" in text and "korte opdrachten" in text


def test_overdue_first_contact_shows_on_both_start_pages(world: World) -> None:
    referral = Referral.objects.get(student=world.students["t3"])  # accepted, provider 1
    Referral.objects.filter(pk=referral.pk).update(
        first_contact_due=timezone.localdate() - timedelta(days=3)
    )
    provider = client_for(world.users["worker_p1"]).get("/").content.decode()
    assert "eerste contact te laat" in provider and "Chris" in provider
    school = client_for(world.users["advisor_l2"]).get("/").content.decode()
    assert 'class="big-number overdue">1<' in school


def test_the_provider_sees_which_school_refers_and_the_location_only_with_enrolment(
    world: World,
) -> None:
    """The referring institution is part of the referral; the location is enrolment data."""
    service = _service()
    bram = world.students["t2"]
    bram.location.name = "Locatie Lqz Oost"
    bram.location.save(update_fields=["name"])
    referral = _sent_referral(bram, service)
    worker = client_for(world.users["worker_p1"])
    url = reverse("referrals:detail", args=[referral.pk])
    html = worker.get(url).content.decode()
    assert bram.institution.name in html and "Lqz" not in html
    school = client_for(world.users["care_l1"]).get(url).content.decode()
    assert "Lqz" in school
    Consent.objects.create(
        student=bram,
        organisation=service.organisation.account,
        parts=["enrolment"],
        student_agrees=True,
        given_on=timezone.localdate(),
    )
    referral.status = ReferralStatus.ACCEPTED
    referral.save(update_fields=["status"])
    assert "Lqz" in worker.get(url).content.decode()
