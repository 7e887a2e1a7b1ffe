"""Giving a role is a need-to-know decision: only where the administrator keeps the people,
never to oneself, and always on the record the privacy officer reads."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from tests.world import World, client_for

from schakelpunt.accounts.models import (
    AppendOnlyError,
    GrantOutcome,
    Location,
    Membership,
    Organisation,
    RoleGrant,
    User,
)
from schakelpunt.accounts.roles import Role

from .factories import MembershipFactory, UserFactory

INVITE = "/beheer/gebruikers/nieuw/"
ROLE_GRANTS = "/beheer/rollen/"


def _form(**fields: object) -> dict[str, object]:
    return {"first_name": "Mala", "last_name": "Fide", **fields}


def test_the_attack_from_the_issue_is_refused_and_changes_nothing(world: World) -> None:
    """The administrator of ROC Een makes himself (or an accomplice) care coordinator of
    ROC Twee with a crafted POST, to read ROC Twee's students."""
    admin = world.users["admin"]
    other_roc = Organisation.objects.get(name="ROC Twee")
    client = client_for(admin)
    memberships = Membership.objects.count()
    for email in (admin.email, "handlanger@example.nl"):
        response = client.post(
            INVITE,
            _form(email=email, organisation=other_roc.pk, role=Role.CARE_COORDINATOR),
        )
        assert response.status_code == 200
        assert "Selecteer een geldige keuze" in response.content.decode()
    assert Membership.objects.count() == memberships
    assert not Membership.objects.filter(organisation=other_roc, role=Role.CARE_COORDINATOR)
    assert not User.objects.filter(email="handlanger@example.nl").exists()
    assert mail.outbox == []
    other = world.students["other"]
    assert client.get(f"/studenten/{other.pk}/").status_code == 404
    assert f"/studenten/{other.pk}/" not in client.get("/studenten/").content.decode()


def test_the_service_refuses_another_institution_too_and_records_the_attempt(
    world: World,
) -> None:
    """Behind the form: the service asks the policy itself (a second door cannot forget it)."""
    from django.core.exceptions import ValidationError

    from schakelpunt.accounts.services import user_invite

    other_roc = Organisation.objects.get(name="ROC Twee")
    with pytest.raises(ValidationError, match="U mag de rol Zorgcoördinator niet geven bij ROC"):
        user_invite(
            actor=world.users["admin"],
            email="handlanger@example.nl",
            first_name="",
            last_name="",
            organisation=other_roc,
            role=Role.CARE_COORDINATOR,
            base_url="http://testserver/",
        )
    assert not User.objects.filter(email="handlanger@example.nl").exists()
    refused = RoleGrant.objects.get()
    assert refused.outcome == GrantOutcome.REFUSED
    assert refused.organisation == other_roc
    assert refused.actor == world.users["admin"]
    # ROC Een's privacy officer sees what their administrator tried elsewhere.
    page = client_for(world.users["privacy"]).get(ROLE_GRANTS).content.decode()
    assert "handlanger@example.nl" in page
    assert "geweigerd" in page


def test_no_role_for_oneself_not_even_an_extra_one_in_the_own_institution(world: World) -> None:
    admin = world.users["admin"]
    roc = Organisation.objects.get(name="ROC Een")
    client = client_for(admin)
    response = client.post(
        INVITE, _form(email=admin.email, organisation=roc.pk, role=Role.CARE_COORDINATOR)
    )
    assert response.status_code == 200
    assert "U kunt uzelf geen rol geven" in response.content.decode()
    assert list(Membership.objects.filter(user=admin).values_list("role", flat=True)) == [
        Role.FUNCTIONAL_ADMIN
    ]
    assert client.get(f"/studenten/{world.students['t1'].pk}/").status_code == 404
    record = RoleGrant.objects.get()
    assert (record.outcome, record.grantee, record.role) == (
        GrantOutcome.REFUSED,
        admin,
        Role.CARE_COORDINATOR,
    )


def test_a_grant_in_the_own_institution_works_and_the_privacy_officer_reads_it(
    world: World,
) -> None:
    roc = Organisation.objects.get(name="ROC Een")
    l1 = Location.objects.get(name="L1")
    response = client_for(world.users["admin"]).post(
        INVITE,
        _form(
            email="Nieuwe.Zorg@Example.nl",
            organisation=roc.pk,
            role=Role.CARE_COORDINATOR,
            location=l1.pk,
        ),
    )
    assert response.status_code == 302
    newcomer = User.objects.get(email="nieuwe.zorg@example.nl")
    assert client_for(newcomer).get(f"/studenten/{world.students['t1'].pk}/").status_code == 200
    record = RoleGrant.objects.get()
    assert record.outcome == GrantOutcome.GRANTED
    assert (record.actor, record.grantee, record.organisation) == (
        world.users["admin"],
        newcomer,
        roc,
    )
    assert record.scope_display == "L1"

    page = client_for(world.users["privacy"]).get(ROLE_GRANTS)
    assert page.status_code == 200
    body = page.content.decode()
    assert "nieuwe.zorg@example.nl" in body
    assert "Zorgcoördinator" in body
    assert "toegekend" in body
    # The privacy officer of another institution does not read it; other roles have no page.
    other_privacy = UserFactory(email="privacy2@example.nl")
    MembershipFactory(
        user=other_privacy,
        organisation=Organisation.objects.get(name="ROC Twee"),
        role=Role.PRIVACY_OFFICER,
    )
    assert (
        "nieuwe.zorg@example.nl" not in client_for(other_privacy).get(ROLE_GRANTS).content.decode()
    )
    for who in ("admin", "coach", "governance"):
        assert client_for(world.users[who]).get(ROLE_GRANTS).status_code == 404


def test_the_form_offers_only_what_the_administrator_may_grant(world: World) -> None:
    body = client_for(world.users["admin"]).get(INVITE).content.decode()
    # Its own institution, and the municipality it keeps the people of.
    assert ">ROC Een<" in body
    assert ">Gemeente Enschede<" in body
    # Not another institution, nor a provider or RMC office it was not given to keep.
    for name in ("ROC Twee", "Zorg Een", "Zorg Twee", "RMC Twente"):
        assert f">{name}<" not in body
    assert ">L1<" in body
    assert ">L3<" not in body  # a location of ROC Twee
    assert ">T4<" not in body  # a team of ROC Twee


def test_people_of_a_managed_municipality_but_not_of_an_unmanaged_provider(
    world: World,
) -> None:
    client = client_for(world.users["admin"])
    enschede = Organisation.objects.get(name="Gemeente Enschede")
    provider = Organisation.objects.get(name="Zorg Een")
    ok = client.post(
        INVITE,
        _form(
            email="wijkteam@example.nl",
            organisation=enschede.pk,
            role=Role.EXTERNAL_CARE_WORKER,
        ),
    )
    assert ok.status_code == 302
    refused = client.post(
        INVITE,
        _form(
            email="zorg@example.nl",
            organisation=provider.pk,
            role=Role.EXTERNAL_CARE_WORKER,
        ),
    )
    assert refused.status_code == 200
    assert not User.objects.filter(email="zorg@example.nl").exists()
    # Once the operator lets ROC Een keep the provider's people, it may.
    call_command("organisation", "add", "Zorg Een", kind="care_provider", managed_by="ROC Een")
    again = client.post(
        INVITE,
        _form(email="zorg@example.nl", organisation=provider.pk, role=Role.EXTERNAL_CARE_WORKER),
    )
    assert again.status_code == 302
    assert Membership.objects.filter(user__email="zorg@example.nl", organisation=provider)


def test_only_an_institution_keeps_other_organisations(world: World) -> None:
    with pytest.raises(CommandError, match="Alleen een mbo-instelling"):
        call_command(
            "organisation", "add", "Zorg Een", kind="care_provider", managed_by="Zorg Twee"
        )
    with pytest.raises(CommandError, match="beheert haar eigen mensen"):
        call_command("organisation", "add", "ROC Twee", kind="mbo", managed_by="ROC Een")


def test_the_operator_on_the_command_line_is_not_limited_and_is_recorded(
    world: World,
) -> None:
    call_command("invite", "beheer2@example.nl", role="functional_admin", organisation="ROC Twee")
    record = RoleGrant.objects.get()
    assert record.actor is None
    assert record.actor_display == "beheerder van de installatie (opdrachtregel)"
    assert record.organisation.name == "ROC Twee"


def test_the_record_of_grants_cannot_be_changed_or_deleted(world: World) -> None:
    call_command("invite", "x@example.nl", role="governance", organisation="ROC Een")
    record = RoleGrant.objects.get()
    record.role = Role.CARE_COORDINATOR
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        RoleGrant.objects.update(role=Role.CARE_COORDINATOR)
    with pytest.raises(AppendOnlyError):
        RoleGrant.objects.all().delete()
    # The database itself refuses too, for whoever bypasses the model.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_rolegrant SET role = 'care_coordinator'")
