"""How the access log and the decision log name who acted (issue 19): a student acting on
their own file is "De student zelf" whatever their roles, so once the student is deleted no
log row keeps their name or address; a student trying someone else's file is named, so the
privacy officer sees who probed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from schakelpunt.access.models import AccessDecision, AccessLogEntry
from schakelpunt.accounts.models import Membership
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory
from tests.world import World, client_for

pytestmark = pytest.mark.django_db


def test_a_student_whose_role_ended_is_no_name_in_the_decision_log(world: World) -> None:
    anna, account = world.students["t1"], world.users["student"]
    Membership.objects.filter(user=account).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    own = client_for(account)
    assert own.get(f"/studenten/{anna.pk}/").status_code == 404
    assert own.get(f"/studenten/{anna.pk}/toegangslog/").status_code == 404
    rows = list(AccessDecision.objects.filter(user=account, student_id=anna.pk))
    assert rows, "her refused attempts are kept"
    assert {r.user_display for r in rows} == {"De student zelf"}
    page = client_for(world.users["privacy"]).get("/privacy/toegangslog/geweigerd/")
    assert "anna@example.nl" not in page.content.decode()


def test_a_student_who_also_works_at_school_reads_her_own_file_as_herself(
    world: World,
) -> None:
    anna, account = world.students["t1"], world.users["student"]
    MembershipFactory(
        user=account,
        organisation=anna.institution,
        role=Role.COACH,
        programme_team=anna.programme.team,
    )
    assert client_for(account).get(f"/studenten/{anna.pk}/").status_code == 200
    rows = list(AccessLogEntry.objects.filter(user=account, student_id=anna.pk))
    assert rows
    assert {r.user_display for r in rows} == {"De student zelf"}


def test_a_student_probing_another_students_file_is_named(world: World) -> None:
    bram, account = world.students["t2"], world.users["student"]
    assert client_for(account).get(f"/studenten/{bram.pk}/").status_code == 404
    rows = list(AccessDecision.objects.filter(user=account, student_id=bram.pk))
    assert len(rows) == 1
    assert rows[0].user_display == f"{account.get_full_name()} <anna@example.nl>"
    # The privacy officer searches the decision log for her and finds the attempt.
    page = client_for(world.users["privacy"]).get(
        "/privacy/toegangslog/geweigerd/", {"user_query": "anna@example.nl"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "anna@example.nl" in html
    assert bram.student_number in html
