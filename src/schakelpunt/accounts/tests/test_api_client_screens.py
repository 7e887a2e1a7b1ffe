"""Connected systems as the functional administrator sees them: the list, registering one
with the scopes that fit its organisation, the secret shown once, renewing and revoking;
and the system itself as others see it: by name in the access log, never as a person."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from tests.world import World, client_for

from schakelpunt.accounts.api_client_forms import a_year_from
from schakelpunt.accounts.api_clients import IssuedClient, api_client_create, api_client_revoke
from schakelpunt.accounts.models import ApiClient, Organisation, User
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.referrals.models import Referral

pytestmark = pytest.mark.django_db

LIST = "/beheer/koppelingen/"
ADD = "/beheer/koppelingen/nieuw/"
TOKEN = re.compile(r"spk_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


def _org(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def _let_roc_een_manage_zorg_een() -> Organisation:
    provider = _org("Zorg Een")
    provider.managed_by = _org("ROC Een")
    provider.save()
    return provider


def _issue(organisation: Organisation, scopes: list[str], days: int = 200, **kw) -> IssuedClient:  # type: ignore[no-untyped-def]
    return api_client_create(
        actor=kw.get("actor"),
        organisation=organisation,
        name=kw.get("name", "Cliëntregistratie"),
        scopes=scopes,
        expires_on=timezone.localdate() + timedelta(days=days),
    )


def _bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _token_in(text: str) -> str | None:
    found = TOKEN.search(text)
    return found.group(0) if found else None


def _add(client: Client, organisation: Organisation, **data: object) -> object:
    form = {
        "name": "Cliëntregistratie",
        "scopes": ["referrals:read", "referrals:write"],
        "expires_on": (timezone.localdate() + timedelta(days=365)).isoformat(),
        **data,
    }
    return client.post(f"{ADD}?organisatie={organisation.pk}", form)


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_the_systems_of_the_managed_organisations_with_their_status(
    world: World,
) -> None:
    provider = _let_roc_een_manage_zorg_een()
    _issue(provider, ["referrals:read", "directory:read"], name="Cliëntregistratie")
    _issue(_org("ROC Een"), ["students:write"], days=10, name="EduArte")
    revoked = _issue(_org("Gemeente Enschede"), ["referrals:read"], name="Wijkteamsysteem")
    api_client_revoke(actor=world.users["admin"], client=revoked.client)
    old = _issue(provider, ["referrals:write"], name="Oud systeem")
    ApiClient.objects.filter(pk=old.client.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    _issue(_org("Zorg Twee"), ["referrals:read"], name="Systeem van Zorg Twee")

    text = _text(client_for(world.users["admin"]), LIST)
    rows = {
        re.sub(r"<[^>]+>", " ", row).split()[0]: " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", text, re.S)
    }
    assert set(rows) == {"Cliëntregistratie", "EduArte", "Wijkteamsysteem", "Oud"}
    assert "Systeem van Zorg Twee" not in text  # a provider ROC Een does not keep
    assert "Zorg Een" in rows["Cliëntregistratie"]
    assert "Verwijzingen naar de eigen organisatie lezen" in rows["Cliëntregistratie"]
    assert "Sociale kaart lezen" in rows["Cliëntregistratie"]
    assert "nog nooit" in rows["Cliëntregistratie"]
    assert rows["Cliëntregistratie"].endswith("actief")
    assert "Studenten en inschrijvingen aanleveren" in rows["EduArte"]
    assert rows["EduArte"].endswith("verloopt binnen 30 dagen")
    assert rows["Wijkteamsysteem"].endswith("ingetrokken")
    assert rows["Oud"].endswith("verlopen")


def test_last_used_shows_once_the_system_called(world: World) -> None:
    issued = _issue(_let_roc_een_manage_zorg_een(), ["referrals:read"])
    assert _bearer(issued.token).get(reverse("referral-list")).status_code == 200
    text = _text(client_for(world.users["admin"]), LIST)
    assert "nog nooit" not in text
    assert date_format(timezone.localdate(), "j F Y") in text  # valid until is months away


def test_the_list_costs_the_same_queries_for_one_system_or_ten(world: World) -> None:
    provider = _let_roc_een_manage_zorg_een()
    admin = client_for(world.users["admin"])
    _issue(provider, ["referrals:read"], actor=world.users["admin"], name="S0")
    admin.get(LIST)  # the session and the caches warm
    with CaptureQueriesContext(connection) as one:
        assert admin.get(LIST).status_code == 200
    for n in range(1, 10):
        client = _issue(provider, ["referrals:read"], actor=world.users["admin"], name=f"S{n}")
        api_client_revoke(actor=world.users["admin"], client=client.client)
    with CaptureQueriesContext(connection) as ten:
        assert admin.get(LIST).status_code == 200
    assert len(ten) == len(one)


def test_only_the_administrator_of_the_organisation_reaches_the_screens(world: World) -> None:
    issued = _issue(_org("Zorg Twee"), ["referrals:read"])
    pk = issued.client.pk
    admin = client_for(world.users["admin"])  # ROC Een's; Zorg Twee is not theirs
    for url in (f"{LIST}{pk}/", f"{LIST}{pk}/vernieuwen/", f"{LIST}{pk}/intrekken/"):
        assert admin.get(url).status_code == 404
    assert admin.post(f"{LIST}{pk}/intrekken/").status_code == 404
    assert admin.post(f"{LIST}{pk}/vernieuwen/", {"expires_on": "2099-01-01"}).status_code == 404
    assert admin.get(f"{ADD}?organisatie={_org('Zorg Twee').pk}").status_code == 404
    for key in ("coach", "worker_p1", "privacy", "care_l1"):
        person = client_for(world.users[key])
        assert person.get(LIST).status_code == 404
        assert person.get(ADD).status_code == 404
    assert Client().get(LIST).status_code == 302  # to the login page
    issued.client.refresh_from_db()
    assert issued.client.revoked_at is None


# --- registering one -----------------------------------------------------------------------


def test_the_administrator_chooses_the_organisation_and_sees_only_the_scopes_that_fit(
    world: World,
) -> None:
    provider = _let_roc_een_manage_zorg_een()
    admin = client_for(world.users["admin"])
    choose = _text(admin, ADD)
    assert "Voor welke organisatie is het systeem?" in choose
    assert "Zorg Een" in choose and "Gemeente Enschede" in choose
    assert "Zorg Twee" not in choose

    form = _text(admin, f"{ADD}?organisatie={provider.pk}")
    offered = set(re.findall(r'name="scopes" value="([^"]+)"', form))
    assert offered == {"referrals:read", "referrals:write", "directory:read"}
    # Why the school's scopes are missing, in words.
    assert "andere rechten staan er daarom niet bij." in form
    assert (
        "Studenten en inschrijvingen aanleveren, Opleidingen aanleveren, Verzuim aanleveren: "
        "alleen voor Mbo-instelling." in form
    )
    # A year from today is the default and the most.
    a_year = a_year_from(timezone.localdate())
    assert f'name="expires_on" value="{a_year.isoformat()}"' in form
    assert f'max="{(timezone.localdate() + timedelta(days=366)).isoformat()}"' in form

    school = _text(admin, f"{ADD}?organisatie={_org('ROC Een').pk}")
    offered = set(re.findall(r'name="scopes" value="([^"]+)"', school))
    assert "students:write" in offered and "referrals:read" not in offered


def test_after_registering_the_token_is_shown_once_and_works(world: World) -> None:
    provider = _let_roc_een_manage_zorg_een()
    admin = client_for(world.users["admin"])
    response = _add(admin, provider)
    client = ApiClient.objects.get(name="Cliëntregistratie")
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{client.pk}/sleutel/"  # type: ignore[index]

    shown = admin.get(f"{LIST}{client.pk}/sleutel/")
    text = shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    assert "Kopieer de sleutel nu. Hij wordt niet meer getoond" in text
    token = _token_in(text)
    assert token is not None and token.startswith(f"spk_{client.token_prefix}_")
    assert _bearer(token).get(reverse("referral-list")).status_code == 200

    # Reloaded, from the detail page, or from the list: never again.
    for url in (f"{LIST}{client.pk}/sleutel/", f"{LIST}{client.pk}/", LIST):
        again = _text(admin, url)
        assert token not in again and _token_in(again) is None
    assert "al getoond en wordt niet nog eens getoond" in _text(
        admin, f"{LIST}{client.pk}/sleutel/"
    )
    assert "_auth_user_id" in admin.session and not any(
        token in str(value) for value in admin.session.values()
    )
    # Who registered it is on the system's page.
    detail = _text(admin, f"{LIST}{client.pk}/")
    assert "Admin" in detail and client.created_by == world.users["admin"]
    assert client.scopes == ["referrals:read", "referrals:write"]


def test_a_token_handed_to_one_system_is_not_shown_on_anothers_page(world: World) -> None:
    provider = _let_roc_een_manage_zorg_een()
    other = _issue(provider, ["referrals:read"], name="Ander systeem")
    admin = client_for(world.users["admin"])
    _add(admin, provider)
    assert _token_in(_text(admin, f"{LIST}{other.client.pk}/sleutel/")) is None
    new = ApiClient.objects.get(name="Cliëntregistratie")
    assert _token_in(_text(admin, f"{LIST}{new.pk}/sleutel/")) is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scopes": ["students:write"]}, "Selecteer een geldige keuze"),
        ({"scopes": []}, "Kies ten minste één recht."),
        ({"name": "  "}, "Dit veld is vereist"),
        ({"expires_on": "2000-01-01"}, "De einddatum ligt in het verleden."),
        ({"expires_on": "2999-01-01"}, "Een sleutel is hoogstens een jaar geldig."),
    ],
)
def test_a_wrong_registration_says_why_in_dutch_and_saves_nothing(
    world: World, data: dict[str, object], message: str
) -> None:
    provider = _let_roc_een_manage_zorg_een()
    users = User.objects.count()
    response = _add(client_for(world.users["admin"]), provider, **data)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    assert not ApiClient.objects.exists()
    assert User.objects.count() == users
    assert _token_in(response.content.decode()) is None  # type: ignore[attr-defined]


def test_every_change_needs_the_csrf_token(world: World) -> None:
    provider = _let_roc_een_manage_zorg_een()
    issued = _issue(provider, ["referrals:read"])
    admin = Client(enforce_csrf_checks=True)
    admin.force_login(world.users["admin"])
    assert _add(admin, provider).status_code == 403  # type: ignore[attr-defined]
    pk = issued.client.pk
    assert admin.post(f"{LIST}{pk}/intrekken/").status_code == 403
    assert admin.post(f"{LIST}{pk}/vernieuwen/", {"expires_on": "2099-01-01"}).status_code == 403
    assert ApiClient.objects.count() == 1
    assert _bearer(issued.token).get(reverse("referral-list")).status_code == 200


# --- renewing and revoking -----------------------------------------------------------------


def test_renewing_shows_a_new_token_once_and_the_old_one_stops(world: World) -> None:
    issued = _issue(_let_roc_een_manage_zorg_een(), ["referrals:read"], days=10)
    admin = client_for(world.users["admin"])
    pk = issued.client.pk
    page = _text(admin, f"{LIST}{pk}/vernieuwen/")
    assert f"spk_{issued.client.token_prefix}_" in page  # which key stops
    until = timezone.localdate() + timedelta(days=300)
    response = admin.post(f"{LIST}{pk}/vernieuwen/", {"expires_on": until.isoformat()})
    assert response["Location"] == f"{LIST}{pk}/sleutel/"
    new = _token_in(_text(admin, f"{LIST}{pk}/sleutel/"))
    assert new is not None and new != issued.token
    assert _token_in(_text(admin, f"{LIST}{pk}/sleutel/")) is None
    assert _bearer(issued.token).get(reverse("referral-list")).status_code == 401
    assert _bearer(new).get(reverse("referral-list")).status_code == 200
    assert "actief" in _text(admin, f"{LIST}{pk}/")  # no longer "verloopt binnen 30 dagen"


def test_revoking_asks_first_then_stops_the_token_and_says_who(world: World) -> None:
    issued = _issue(_let_roc_een_manage_zorg_een(), ["referrals:read"])
    admin = client_for(world.users["admin"])
    pk = issued.client.pk
    confirm = _text(admin, f"{LIST}{pk}/intrekken/")
    assert "Dit kan niet ongedaan worden gemaakt" in confirm
    assert (
        _bearer(issued.token).get(reverse("referral-list")).status_code == 200
    )  # GET changed nothing

    response = admin.post(f"{LIST}{pk}/intrekken/")
    assert response["Location"] == f"{LIST}{pk}/"
    assert _bearer(issued.token).get(reverse("referral-list")).status_code == 401
    detail = _text(admin, f"{LIST}{pk}/")
    assert "is ingetrokken: de sleutel werkt vanaf nu niet meer" in detail
    assert re.search(r"Ingetrokken</dt><dd>[^<]* door Admin", detail)
    assert "Sleutel vernieuwen" not in detail
    # Twice: a Dutch message, nothing else changes.
    revoked_at = ApiClient.objects.get(pk=pk).revoked_at
    admin.post(f"{LIST}{pk}/intrekken/")
    assert "al ingetrokken" in _text(admin, f"{LIST}{pk}/intrekken/")
    assert ApiClient.objects.get(pk=pk).revoked_at == revoked_at
    # A revoked system cannot be renewed back to life.
    renew = admin.post(f"{LIST}{pk}/vernieuwen/", {"expires_on": "2099-01-01"})
    assert renew.status_code == 200 and _token_in(renew.content.decode()) is None


# --- the system as others see it -----------------------------------------------------------


def _link_student_account(world: World, key: str) -> User:
    student = world.students[key]
    account = UserFactory(email=f"{key}@student.example.nl", first_name=key)
    student.user = account
    student.save()
    MembershipFactory(user=account, organisation=student.institution, role=Role.STUDENT)
    return account


def test_the_students_who_looked_shows_the_system_by_name(world: World) -> None:
    """Chris's referral to Zorg Een was accepted with his consent; its system reads it."""
    issued = _issue(_org("Zorg Een"), ["referrals:read"])
    referral = Referral.objects.get(student=world.students["t3"])
    read = _bearer(issued.token).get(reverse("referral-detail", args=[referral.pk]))
    assert read.status_code == 200
    assert read.json()["student"]["id"] == world.students["t3"].pk

    chris = client_for(_link_student_account(world, "t3"))
    text = _text(chris, f"/studenten/{world.students['t3'].pk}/inzage/")
    row = re.search(
        r"<tr><td>[^<]*</td><td>Koppeling Cliëntregistratie \(Zorg Een\)</td>.*?</tr>", text
    )
    assert row, text
    assert "<td>Hulpverlener (extern)</td>" in row.group(0)
    assert "koppelingen.schakelpunt.invalid" not in text and "@" not in row.group(0)

    # The privacy officer finds it under the same name, searching for the system.
    privacy = client_for(world.users["privacy"])
    found = _text(privacy, "/privacy/toegangslog/?user_query=Cliëntregistratie")
    # One cell names who acted, their role and on whose behalf (the log fits the screen).
    assert (
        '<td>Koppeling Cliëntregistratie (Zorg Een)<br><span class="muted">Hulpverlener (extern)'
        in found
    )
    assert "koppelingen.schakelpunt.invalid" not in found
    file_log = _text(privacy, f"/studenten/{world.students['t3'].pk}/inzage/")
    assert (
        "<td>Koppeling Cliëntregistratie (Zorg Een)</td><td>Hulpverlener (extern)</td>" in file_log
    )


def test_a_write_by_the_system_is_logged_under_its_name_too(world: World) -> None:
    """Bram's referral to Zorg Een was only sent; its system marks it received."""
    issued = _issue(_org("Zorg Een"), ["referrals:read", "referrals:write"])
    referral = Referral.objects.get(student=world.students["t2"])
    api = _bearer(issued.token)
    received = api.post(
        reverse("referral-receive", kwargs={"id": referral.pk}), {}, content_type="application/json"
    )
    assert received.status_code == 200, received.content
    privacy = _text(
        client_for(world.users["privacy"]), f"/studenten/{world.students['t2'].pk}/inzage/"
    )
    row = re.search(
        r"<tr><td>[^<]*</td><td>Koppeling Cliëntregistratie \(Zorg Een\)</td>.*?</tr>", privacy
    )
    assert row, privacy
    assert "gewijzigd" in row.group(0)


def test_the_system_never_logs_in_with_a_password_nor_asks_for_one(world: World) -> None:
    issued = _issue(_org("Gemeente Enschede"), ["referrals:read"])
    principal = issued.client.user
    assert not principal.has_usable_password()
    for password in ("", issued.token, "wachtwoord123"):
        browser = Client()
        response = browser.post(
            "/account/inloggen/", {"username": principal.email, "password": password}
        )
        assert response.status_code == 200
        assert "_auth_user_id" not in browser.session
    Client().post("/account/wachtwoord-vergeten/", {"email": principal.email})
    assert mail.outbox == []
    # Not even when someone gave it a password after all (`changepassword` on the server).
    principal.set_password("Een-wachtwoord-van-de-beheerder-1")
    principal.save()
    browser = Client()
    refused = browser.post(
        "/account/inloggen/",
        {"username": principal.email, "password": "Een-wachtwoord-van-de-beheerder-1"},
    )
    assert refused.status_code == 200
    assert "_auth_user_id" not in browser.session
    assert "Dit e-mailadres en wachtwoord horen niet bij elkaar" in refused.content.decode()


def test_the_system_is_no_person_on_the_people_screens(world: World) -> None:
    admin = client_for(world.users["admin"])
    before = _text(admin, "/beheer/mensen/")
    count = re.search(r"<caption>([^<]*)</caption>", before)
    issued = _issue(_org("Gemeente Enschede"), ["referrals:read"], name="Wijkteamsysteem")
    _bearer(issued.token).get(reverse("referral-list"))
    after = _text(admin, "/beheer/mensen/")
    assert re.search(r"<caption>([^<]*)</caption>", after).group(1) == count.group(1)  # type: ignore[union-attr]
    assert "Koppeling Wijkteamsysteem" not in after and "Wijkteamsysteem" not in after
    assert "Wijkteamsysteem" not in _text(admin, "/beheer/mensen/?q=Koppeling")
    assert admin.get(f"/beheer/mensen/{issued.client.user.pk}/").status_code == 404
