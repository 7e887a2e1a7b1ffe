"""The daily referral jobs: overdue first contacts escalate once; turning 18 is alerted once."""

from datetime import date, timedelta

from django.urls import reverse
from tests.world import World, client_for

from schakelpunt.accounts.models import Organisation
from schakelpunt.directory.models import DirectoryOrganisation, Law
from schakelpunt.directory.tests.factories import ServiceFactory
from schakelpunt.notifications.models import Notification
from schakelpunt.referrals.models import AdulthoodTransition, Referral, ReferralStatus
from schakelpunt.referrals.services import escalate_overdue_referrals
from schakelpunt.referrals.transition import CHECKLIST_CODES, adulthood_alerts
from schakelpunt.students.models import Student

TODAY = date(2026, 11, 24)


def _youth_help(world: World, student: Student, status: str = ReferralStatus.HELP_STARTED):  # type: ignore[no-untyped-def]
    entry, _new = DirectoryOrganisation.objects.get_or_create(
        account=Organisation.objects.get(name="Zorg Een"),
        defaults={"name": "Zorg Een", "description": "x"},
    )
    service = ServiceFactory(organisation=entry, laws=[Law.JEUGDWET])
    return Referral.objects.create(
        student=student,
        to_organisation=entry.account,
        service=service,
        status=status,
        created_by=world.users["care_l1"],
    )


def test_an_overdue_first_contact_escalates_to_the_care_coordinator_once(world: World) -> None:
    referral = _youth_help(world, world.students["t2"], ReferralStatus.ACCEPTED)
    Referral.objects.filter(pk=referral.pk).update(
        accepted_on=TODAY - timedelta(days=10), first_contact_due=TODAY - timedelta(days=2)
    )
    on_time = _youth_help(world, world.students["t1"], ReferralStatus.ACCEPTED)
    Referral.objects.filter(pk=on_time.pk).update(first_contact_due=TODAY)
    assert escalate_overdue_referrals(TODAY) == 1
    assert escalate_overdue_referrals(TODAY) == 0
    note = Notification.objects.get(recipient=world.users["care_l1"])
    assert note.message.startswith("Eerste contact te laat: Bram")
    assert note.url == reverse("referrals:detail", args=[referral.pk])


def test_students_with_youth_help_are_alerted_three_months_before_18(world: World) -> None:
    bram = world.students["t2"]  # location L1: care_l1 is the care coordinator
    Student.objects.filter(pk=bram.pk).update(date_of_birth=date(2009, 2, 24))  # 18 in 3 months
    _youth_help(world, Student.objects.get(pk=bram.pk))
    anna = world.students["t1"]  # turns 18 in four months: not yet
    Student.objects.filter(pk=anna.pk).update(date_of_birth=date(2009, 3, 25))
    _youth_help(world, Student.objects.get(pk=anna.pk))
    assert adulthood_alerts(TODAY) == 1
    assert adulthood_alerts(TODAY) == 0
    transition = AdulthoodTransition.objects.get()
    assert (transition.student_id, transition.turns_18_on) == (bram.pk, date(2027, 2, 24))
    note = Notification.objects.get(recipient=world.users["care_l1"])
    assert "wordt 18 op 24 februari 2027" in note.message  # a Dutch date, not 24-02-2027


def test_without_youth_help_no_alert(world: World) -> None:
    bram = world.students["t2"]
    Student.objects.filter(pk=bram.pk).update(date_of_birth=date(2009, 1, 10))
    referral = _youth_help(world, Student.objects.get(pk=bram.pk))
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.ENDED)
    assert adulthood_alerts(TODAY) == 0


def test_the_checklist_is_ticked_off_without_overwriting(world: World) -> None:
    bram = world.students["t2"]
    transition = AdulthoodTransition.objects.create(student=bram, turns_18_on=date(2027, 2, 24))
    coordinator = client_for(world.users["care_l1"])
    url = reverse("referrals:transition", args=[bram.pk])
    html = coordinator.get(url).content.decode()
    assert "Wmo-ondersteuning aangevraagd" in html
    coordinator.post(url, {"code": "wmo", "done": "ja", "version": "1"})
    coordinator.post(url, {"code": "talk", "done": "ja", "version": "1"})  # stale: refused
    transition.refresh_from_db()
    assert transition.done == ["wmo"]
    coordinator.post(url, {"code": "talk", "done": "ja", "version": "2"})
    transition.refresh_from_db()
    assert transition.done == [c for c in CHECKLIST_CODES if c in {"talk", "wmo"}]
    assert client_for(world.users["coach2"]).get(url).status_code == 404
