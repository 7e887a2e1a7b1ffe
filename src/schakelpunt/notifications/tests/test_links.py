"""Who hears of a new coordinator, and where a notification's link goes: only to a page the
recipient may open (the access policy decides), also after their access ended."""

from django.test import Client
from django.urls import reverse
from tests.world import World, client_for

from schakelpunt.notifications.models import Notification
from schakelpunt.referrals.models import Consent, Referral
from schakelpunt.referrals.services import consent_withdraw
from schakelpunt.support.services import (
    support_team_add,
    trajectory_open,
    trajectory_set_coordinator,
)


def _inbox_links(client: Client) -> list[str]:
    html = client.get(reverse("notifications:inbox")).content.decode()
    listing = html.split('<ul class="notification-list">', 1)[1].split("</ul>", 1)[0]
    return [part.split('"', 1)[0] for part in listing.split('<a href="')[1:]]


def test_the_newly_chosen_coordinator_hears_of_it_and_so_does_the_one_before(
    world: World,
) -> None:
    anna = world.students["t1"]
    coach, care, schakel = world.users["coach"], world.users["care_l1"], world.users["schakel"]
    t = trajectory_open(actor=coach, student=anna)
    Notification.objects.all().delete()
    t = trajectory_set_coordinator(
        actor=coach, trajectory_id=t.pk, coordinator=care, expected_version=t.version
    )
    told = Notification.objects.get(recipient=care)
    assert told.message == f"U bent nu regisseur van {anna.display_name}."
    # The student hears it too, in their own words (no "regisseur").
    assert (
        Notification.objects.get(recipient=anna.user).message
        == f"Vanaf nu kun je voor je extra hulp op school terecht bij {care}."
    )
    assert client_for(care).get(told.url).status_code == 200  # the file
    Notification.objects.all().delete()
    trajectory_set_coordinator(
        actor=coach, trajectory_id=t.pk, coordinator=schakel, expected_version=t.version
    )
    assert (
        Notification.objects.get(recipient=schakel).message
        == f"U bent nu regisseur van {anna.display_name}."
    )
    assert (
        Notification.objects.get(recipient=care).message
        == f"{anna.display_name}: {schakel} is nu regisseur in plaats van u."
    )
    # Choosing oneself tells nobody.
    Notification.objects.all().delete()
    t.refresh_from_db()
    trajectory_set_coordinator(
        actor=care, trajectory_id=t.pk, coordinator=care, expected_version=t.version
    )
    assert not Notification.objects.filter(recipient=care).exists()


def test_a_provider_in_the_team_is_sent_to_its_referral_not_to_a_file_it_may_not_open(
    world: World,
) -> None:
    bram = world.students["t2"]  # referred to provider 1, not yet accepted: no file for them
    worker = world.users["worker_p1"]
    support_team_add(
        actor=world.users["care_l1"], student=bram, member=worker, role_description="Jeugdhulp"
    )
    trajectory_open(actor=world.users["care_l1"], student=bram)
    notes = list(Notification.objects.filter(recipient=worker))
    assert len(notes) == 2
    referral = Referral.objects.get(student=bram)
    client = client_for(worker)
    assert client.get(f"/studenten/{bram.pk}/").status_code == 404
    for note in notes:
        assert note.url == reverse("referrals:detail", args=[referral.pk])
        assert client.get(note.url).status_code == 200
        assert "Bram" not in note.message


def test_after_consent_is_withdrawn_no_link_leads_the_provider_to_the_file(world: World) -> None:
    chris = world.students["t3"]  # accepted referral to provider 1 with consent
    worker = world.users["worker_p1"]
    advisor = world.users["advisor_l2"]
    support_team_add(actor=advisor, student=chris, member=worker, role_description="Jeugdhulp")
    before = Notification.objects.get(recipient=worker)
    assert before.url == f"/studenten/{chris.pk}/"  # may open it now, with consent
    client = client_for(worker)
    assert client.get(before.url).status_code == 200

    consent_withdraw(actor=advisor, consent_id=Consent.objects.get(student=chris).pk)
    assert client.get(f"/studenten/{chris.pk}/").status_code == 404
    referral = reverse("referrals:detail", args=[Referral.objects.get(student=chris).pk])
    withdrawn = Notification.objects.filter(recipient=worker).exclude(pk=before.pk).get()
    assert withdrawn.url == referral
    # The earlier message now links to the referral too, not to the file it no longer opens.
    links = _inbox_links(client)
    assert f"/studenten/{chris.pk}/" not in links
    assert links.count(referral) == 2
    for link in links:
        assert client.get(link).status_code == 200


def test_every_notification_link_opens_for_its_recipient(world: World) -> None:
    for key in ("t1", "t2", "t3"):
        student = world.students[key]
        actor = world.users["advisor_l2" if key == "t3" else "care_l1"]
        if key != "t1":
            support_team_add(
                actor=actor,
                student=student,
                member=world.users["worker_p1"],
                role_description="Hulp",
            )
        t = trajectory_open(actor=actor, student=student)
        trajectory_set_coordinator(
            actor=actor,
            trajectory_id=t.pk,
            coordinator=world.users["schakel"],
            expected_version=t.version,
        )
    notes = Notification.objects.select_related("recipient")
    assert notes.count() > 5
    for note in notes:  # as sent
        response = client_for(note.recipient).get(note.url)
        assert response.status_code == 200, (note.recipient.email, note.message, note.url)
    consent_withdraw(
        actor=world.users["advisor_l2"],
        consent_id=Consent.objects.get(student=world.students["t3"]).pk,
    )
    for recipient in {note.recipient for note in notes}:  # as listed now
        client = client_for(recipient)
        for link in _inbox_links(client):
            assert client.get(link).status_code == 200, (recipient.email, link)
