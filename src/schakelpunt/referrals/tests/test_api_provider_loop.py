"""The whole referral loop: the school works on the screen, the care provider's system works
through the API with its token only. Both go through the same services and workflow table,
so each side sees the other's steps, and the student sees the system in "who looked"."""

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.referrals.models import Consent, Referral, ReferralStatus

from .test_api_provider import SYSTEM_NAME, issue, post, provider_service, system


def _school_sees(school: Client, referral: Referral, *texts: str) -> str:
    page = school.get(reverse("referrals:detail", args=[referral.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    for text in texts:
        assert text in html, text
    return html


def test_the_school_on_the_screen_and_the_providers_system_through_the_api(
    world: World,
) -> None:
    anna = world.students["t1"]
    service = provider_service()
    school = client_for(world.users["care_l1"])
    issued = issue(world, ["referrals:read", "referrals:write"])
    api = system(issued)
    assert not api.cookies  # no session: the token is all the system has

    # The school writes the referral with the student's consent and keeps it as a draft ...
    form = school.post(
        reverse("referrals:new", args=[anna.pk]),
        {
            "service": service.pk,
            "question": "Slaapt slecht en mist veel lessen. Wil praten met iemand.",
            "urgency": "normal",
            "parts": ["contact", "support"],
            "student_agrees": "on",
            "send": "concept",
        },
    )
    assert form.status_code == 302, form.content.decode()
    referral = Referral.objects.get(student=anna)
    assert referral.status == ReferralStatus.DRAFT
    assert Consent.objects.get(student=anna).parts == ["contact", "support"]
    # ... which the provider's system does not see yet.
    assert api.get(f"/api/v1/referrals/{referral.pk}").status_code == 404

    # The school sends it.
    sent = school.post(
        reverse("referrals:step", args=[referral.pk]),
        {"version": referral.version, "to_status": "sent"},
    )
    assert sent.status_code == 302
    _school_sees(school, referral, "Verstuurd")

    # The system finds the referral: the question, but not who the student is.
    listed = {row["id"]: row for row in api.get("/api/v1/referrals").json()["results"]}
    assert listed[referral.pk]["student"] is None
    assert listed[referral.pk]["question"].startswith("Slaapt slecht")
    detail = api.get(f"/api/v1/referrals/{referral.pk}").json()
    assert detail["student"] is None and detail["status"] == "sent"
    unnamed = api.get(f"/api/v1/referrals/{referral.pk}").content.decode()
    assert anna.first_name not in unnamed and anna.last_name not in unnamed

    # It accepts; with the consent the school recorded, it now sees the name.
    accepted = post(api, referral, "accept", {"version": detail["version"]})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["student"] == {"id": anna.pk, "name": anna.display_name}
    assert accepted.json()["first_contact_due"] is not None
    named = api.get(f"/api/v1/referrals/{referral.pk}").json()
    assert named["student"]["name"] == anna.display_name
    html = _school_sees(school, referral, "Geaccepteerd", "Eerste contact uiterlijk")
    assert SYSTEM_NAME in html  # the timeline says who took the step

    today = timezone.localdate().isoformat()
    contact = post(api, referral, "first-contact", {"date": today, "version": named["version"]})
    assert contact.status_code == 200 and contact.json()["first_contact_on"] == today
    _school_sees(school, referral, "Eerste contact gemaakt", "gemaakt op")

    started = post(api, referral, "help-started", {"date": today})
    assert started.status_code == 200 and started.json()["help_started_on"] == today
    _school_sees(school, referral, "Hulp gestart")

    advice = post(
        api, referral, "advice", {"text": "Geef Anna de eerste les van de dag vrij van toetsen."}
    )
    assert advice.status_code == 200 and advice.json()["status"] == "help_started"
    _school_sees(school, referral, "Geef Anna de eerste les van de dag vrij van toetsen.")

    ended = post(
        api,
        referral,
        "end",
        {"outcome": "successful", "note": "Slaapt weer goed, komt op tijd.", "date": today},
    )
    assert ended.status_code == 200
    assert ended.json()["status"] == "ended" and ended.json()["outcome"] == "successful"
    assert ended.json()["ended_on"] == today
    assert ended.json()["student"] is None  # closed: the name is no longer shared, as on screen
    _school_sees(school, referral, "Afgerond", "Geslaagd", "Slaapt weer goed, komt op tijd.")

    # The student sees the system among those who looked at her file, by its name.
    who = client_for(world.users["student"]).get(reverse("students:access_log", args=[anna.pk]))
    assert who.status_code == 200
    assert SYSTEM_NAME in who.content.decode()
    # Every read of the name and every step is in the access log under the system.
    logged = AccessLogEntry.objects.filter(user=issued.client.user, student_id=anna.pk)
    assert logged.filter(action="view", part="identity").exists()
    steps = logged.filter(action="change")
    assert steps.values("event_id").distinct().count() == 5  # accept to end, with the advice
    # The name was shown with every step while the referral ran; the end answer no longer.
    assert steps.filter(part="identity").count() == 4
    # Before acceptance the system read the referral, never the name.
    first_read = logged.order_by("sequence").first()
    assert first_read is not None and first_read.part == "referrals"


def test_after_consent_is_withdrawn_the_system_no_longer_sees_the_name(world: World) -> None:
    anna = world.students["t1"]
    school = client_for(world.users["care_l1"])
    form = school.post(
        reverse("referrals:new", args=[anna.pk]),
        {
            "service": provider_service().pk,
            "question": "Wil praten over thuis.",
            "urgency": "normal",
            "parts": ["contact"],
            "student_agrees": "on",
        },
    )
    assert form.status_code == 302
    referral = Referral.objects.get(student=anna)
    api = system(issue(world, ["referrals:read", "referrals:write"]))
    assert post(api, referral, "accept").json()["student"]["name"] == anna.display_name

    withdrawn = school.post(
        reverse("referrals:withdraw", args=[Consent.objects.get(student=anna).pk]), follow=True
    )
    assert "De toestemming is ingetrokken." in withdrawn.content.decode()

    assert api.get(f"/api/v1/referrals/{referral.pk}").json()["student"] is None
    rows = {row["id"]: row for row in api.get("/api/v1/referrals").json()["results"]}
    assert rows[referral.pk]["student"] is None
    assert anna.first_name not in api.get("/api/v1/referrals").content.decode()
    # The referral itself runs on: a step still answers, without the name.
    contact = post(api, referral, "first-contact")
    assert contact.status_code == 200 and contact.json()["student"] is None
