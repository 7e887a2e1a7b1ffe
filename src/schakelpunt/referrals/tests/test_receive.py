"""Opening a referral is reading it; "received" is a step the provider takes on purpose."""

from django.urls import reverse
from tests.world import World, client_for

from schakelpunt.referrals.models import Referral, ReferralStatus


def test_opening_a_referral_does_not_mark_it_received(world: World) -> None:
    referral = Referral.objects.get(student=world.students["t2"])  # sent to provider 1
    assert referral.status == ReferralStatus.SENT
    worker = client_for(world.users["worker_p1"])
    url = reverse("referrals:detail", args=[referral.pk])
    for _ in range(2):
        page = worker.get(url)
        assert page.status_code == 200
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert referral.received_at is None
    assert not referral.events.exists()
    assert "Markeren als ontvangen" in page.content.decode()


def test_the_provider_marks_it_received_with_a_button_and_it_is_in_the_history(
    world: World,
) -> None:
    referral = Referral.objects.get(student=world.students["t2"])
    worker = client_for(world.users["worker_p1"])
    url = reverse("referrals:detail", args=[referral.pk])
    worker.get(url)
    done = worker.post(
        reverse("referrals:step", args=[referral.pk]),
        {"version": str(referral.version), "to_status": ReferralStatus.RECEIVED},
        follow=True,
    )
    assert "Verwijzing bijgewerkt: ontvangen." in done.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED
    assert referral.received_at is not None
    event = referral.events.get()
    assert (event.from_status, event.to_status, event.actor) == (
        ReferralStatus.SENT,
        ReferralStatus.RECEIVED,
        world.users["worker_p1"],
    )
    # The school sees the step in the referral's history.
    school = client_for(world.users["care_l1"]).get(url).content.decode()
    assert "<strong>Ontvangen</strong>" in school


def test_the_school_cannot_mark_it_received(world: World) -> None:
    referral = Referral.objects.get(student=world.students["t2"])
    client_for(world.users["care_l1"]).post(
        reverse("referrals:step", args=[referral.pk]),
        {"version": str(referral.version), "to_status": ReferralStatus.RECEIVED},
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
