"""A provider who does not see the student's name is told why, and what it waits for: not
"ziet u zodra u accepteert" once they have accepted (found: said after acceptance when the
consent was missing)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.referrals.models import Consent, Referral, ReferralStatus
from schakelpunt.referrals.services import consent_withdraw

BEFORE_ACCEPTING = "Naam en gedeelde gegevens ziet u zodra u de verwijzing accepteert."


def _provider_page(world: World, referral: Referral) -> str:
    client = client_for(world.users["worker_p1"])
    return client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()


def test_before_accepting_with_consent_the_name_follows_acceptance(world: World) -> None:
    referral = Referral.objects.get(student=world.students["t2"])  # sent, consent given
    Consent.objects.filter(student=world.students["t2"]).update(parts=["contact"])
    assert BEFORE_ACCEPTING in _provider_page(world, referral)


def test_before_accepting_without_consent_acceptance_alone_is_not_enough(world: World) -> None:
    bram = world.students["t2"]
    Consent.objects.filter(student=bram).delete()
    html = _provider_page(world, Referral.objects.get(student=bram))
    assert BEFORE_ACCEPTING not in html
    assert "Er is (nog) geen toestemming om naam en gegevens met uw organisatie te delen" in html


@pytest.mark.parametrize(
    ("consent", "says"),
    [
        (None, "Er is (nog) geen toestemming om naam en gegevens met uw organisatie te delen"),
        ("withdrawn", "De student heeft de toestemming ingetrokken op"),
        ("expired", "De toestemming is verlopen op"),
        ("later", "De toestemming gaat in op"),
    ],
)
def test_after_accepting_the_page_says_what_is_missing(
    world: World, consent: str | None, says: str
) -> None:
    chris = world.students["t3"]  # accepted by provider 1, with consent
    referral = Referral.objects.get(student=chris)
    given = Consent.objects.get(student=chris)
    today = timezone.localdate()
    if consent is None:
        given.delete()
    elif consent == "withdrawn":
        consent_withdraw(actor=world.users["advisor_l2"], consent_id=given.pk)
    elif consent == "expired":
        Consent.objects.filter(pk=given.pk).update(
            given_on=today - timedelta(days=400), expires_on=today - timedelta(days=1)
        )
    else:
        Consent.objects.filter(pk=given.pk).update(given_on=today + timedelta(days=3))
    html = _provider_page(world, referral)
    assert chris.first_name not in html
    assert BEFORE_ACCEPTING not in html
    assert says in html


def test_a_closed_referral_says_it_is_closed(world: World) -> None:
    chris = world.students["t3"]
    referral = Referral.objects.get(student=chris)
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.ENDED)
    html = _provider_page(world, referral)
    assert BEFORE_ACCEPTING not in html
    assert "Deze verwijzing is afgesloten; naam en gegevens worden niet meer gedeeld." in html


def test_with_consent_after_accepting_the_name_shows_and_no_notice(world: World) -> None:
    chris = world.students["t3"]
    html = _provider_page(world, Referral.objects.get(student=chris))
    assert chris.first_name in html
    assert 'class="notice"' not in html
