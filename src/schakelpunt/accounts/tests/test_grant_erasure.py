"""The role grants' log changes only through its one deliberate path (migration 0012): the
database still refuses every other UPDATE and DELETE, on SQLite and PostgreSQL; the path
takes only the grants of the accounts it is given and redacts only the whole number."""

import pytest
from django.db import DatabaseError, connection, transaction
from tests.world import World

from schakelpunt.accounts.grant_erasure import role_grants_erase
from schakelpunt.accounts.models import RoleGrant
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import UserFactory


def _grant(world: World, grantee, scope: str = "") -> RoleGrant:  # type: ignore[no-untyped-def]
    roc = world.students["t1"].institution
    return RoleGrant.objects.create(
        actor=None,
        actor_display="opdrachtregel",
        grantee=grantee,
        grantee_email=grantee.email,
        organisation=roc,
        role=Role.PARENT,
        scope_display=scope,
        outcome="granted",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM accounts_rolegrant WHERE id = %s",
        "UPDATE accounts_rolegrant SET scope_display = 'x' WHERE id = %s",
        "UPDATE accounts_rolegrant SET grantee_email = 'x@x.example' WHERE id = %s",
    ],
)
def test_the_database_refuses_any_other_change_of_a_grant(world: World, sql: str) -> None:
    grant = _grant(world, UserFactory(), "ouder of verzorger van studentnummer 4711")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [grant.pk])
    stored = RoleGrant.objects.get(pk=grant.pk)
    assert stored.scope_display == "ouder of verzorger van studentnummer 4711"
    assert stored.grantee_email == grant.grantee_email


@pytest.mark.django_db
def test_after_an_erasure_the_permit_is_gone_and_the_guard_is_back(world: World) -> None:
    gone, kept = UserFactory(), UserFactory()
    _grant(world, gone)
    other = _grant(world, kept, "ouder of verzorger van studentnummer 4711")
    with transaction.atomic():
        roc = world.students["t1"].institution
        assert role_grants_erase(
            user_ids=[gone.pk], emails=[gone.email], organisation_id=roc.pk, student_number="999"
        ) == (1, 0)
        # In the same transaction, right after: refused again.
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_rolegrant WHERE id = %s", [other.pk])
    assert not RoleGrant.objects.filter(grantee=gone).exists()
    assert RoleGrant.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_only_the_whole_student_number_is_taken_out(world: World) -> None:
    roc = world.students["t1"].institution
    same = _grant(world, UserFactory(), "ouder of verzorger van studentnummer 4711, 5822")
    longer = _grant(world, UserFactory(), "ouder of verzorger van studentnummer 47110")
    assert role_grants_erase(
        user_ids=[], emails=[], organisation_id=roc.pk, student_number="4711"
    ) == (0, 1)
    assert RoleGrant.objects.get(pk=same.pk).scope_display == (
        "ouder of verzorger van studentnummer [verwijderd], 5822"
    )
    assert RoleGrant.objects.get(pk=longer.pk).scope_display == (
        "ouder of verzorger van studentnummer 47110"
    )
