"""The functional administrator's people screens: list, roles changed and ended, accounts
blocked, invitations sent again. Through the screens, against the real database."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.accounts.models import GrantOutcome, Membership, Organisation, RoleGrant, User
from schakelpunt.accounts.people import person_version
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    PASSWORD,
    MembershipFactory,
    ProgrammeTeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/beheer/mensen/"


def page_text(client: Client, url: str) -> str:
    """The page without its random CSRF tokens, which can hold any short name ("T4")."""
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r"[A-Za-z0-9]{40,}", "TOKEN", response.content.decode())


def team(world: World, key: str):  # type: ignore[no-untyped-def]
    return world.students[key].programme.team


def membership_of(user: User, role: str = Role.COACH) -> Membership:
    return Membership.objects.get(user=user, role=role)


# --- the list ------------------------------------------------------------------------------


def test_the_list_shows_the_people_of_the_managed_organisations_only(world: World) -> None:
    text = page_text(client_for(world.users["admin"]), LIST)
    assert "coach@example.nl" in text
    assert "municipal@example.nl" in text  # Gemeente Enschede is kept by ROC Een
    assert "worker_p1@example.nl" not in text  # a provider ROC Een does not manage
    assert "rmc@example.nl" not in text
    assert "nobody@example.nl" not in text  # no role anywhere


def test_only_a_functional_administrator_sees_the_list(world: World) -> None:
    for key in ("coach", "privacy", "governance", "student"):
        assert client_for(world.users[key]).get(LIST).status_code == 404
    assert Client().get(LIST).status_code == 302  # to the login page


def test_search_by_name_or_email(world: World) -> None:
    admin = client_for(world.users["admin"])
    text = page_text(admin, f"{LIST}?q=coach2")
    assert "coach2@example.nl" in text
    assert "care_l1@example.nl" not in text
    world.users["care_l1"].last_name = "Zwartkop"
    world.users["care_l1"].save()
    text = page_text(admin, f"{LIST}?q=zwartk")
    assert "care_l1@example.nl" in text
    assert "coach@example.nl" not in text


def test_filter_by_role_and_team(world: World) -> None:
    admin = client_for(world.users["admin"])
    text = page_text(admin, f"{LIST}?rol=coach")
    assert "coach@example.nl" in text and "coach2@example.nl" in text
    assert "care_l1@example.nl" not in text
    assert "expired@example.nl" not in text  # their coach role ended
    text = page_text(admin, f"{LIST}?team={team(world, 't2').pk}")
    assert "coach2@example.nl" in text
    assert "coach@example.nl" not in text


def test_filter_by_status(world: World) -> None:
    admin = client_for(world.users["admin"])
    invited = UserFactory(email="nieuw@example.nl")
    invited.set_unusable_password()
    invited.save()
    MembershipFactory(
        user=invited,
        organisation=Organisation.objects.get(name="ROC Een"),
        role=Role.GOVERNANCE,
    )
    world.users["schakel"].is_active = False
    world.users["schakel"].save()
    cases = {
        "invited": "nieuw@example.nl",
        "deactivated": "schakel@example.nl",
        "ended": "expired@example.nl",
        "active": "coach@example.nl",
    }
    for status, email in cases.items():
        text = page_text(admin, f"{LIST}?status={status}")
        assert email in text, status
        for other_status, other in cases.items():
            if other_status != status:
                assert other not in text, (status, other)


def test_the_list_is_paged_and_asks_the_database_a_fixed_number_of_times(world: World) -> None:
    roc = Organisation.objects.get(name="ROC Een")
    admin = client_for(world.users["admin"])
    page_text(admin, LIST)  # warm up (sessions, caches)
    with CaptureQueriesContext(connection) as few:
        page_text(admin, LIST)
    for n in range(60):
        MembershipFactory(
            user=UserFactory(email=f"extra{n:02d}@example.nl", last_name=f"Zz{n:02d}"),
            organisation=roc,
            role=Role.GOVERNANCE,
        )
    with CaptureQueriesContext(connection) as many:
        first = page_text(admin, LIST)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "Pagina 1 van 2" in first
    second = page_text(admin, f"{LIST}?rol=governance&pagina=2")
    assert second.count('<tr><th scope="row">') == 11  # 61 governance people, 50 a page
    assert "Pagina 2 van 2" in second
    assert "rol=governance&amp;pagina=1" in second  # the filter stays when paging


def test_a_person_of_another_organisation_is_not_found(world: World) -> None:
    admin = client_for(world.users["admin"])
    assert admin.get(f"{LIST}{world.users['worker_p1'].pk}/").status_code == 404
    assert admin.get(f"{LIST}{world.users['nobody'].pk}/").status_code == 404
    text = page_text(admin, f"{LIST}{world.users['coach'].pk}/")
    assert "Studieloopbaanbegeleider (SLB)" in text
    assert "T1" in text


# --- change a role or team -----------------------------------------------------------------


def change_url(world: World, key: str, membership: Membership, what: str = "wijzigen") -> str:
    return f"{LIST}{world.users[key].pk}/rol/{membership.pk}/{what}/"


def test_moving_a_coach_to_another_team_ends_the_old_one_and_records_both(world: World) -> None:
    coach = world.users["coach"]
    old = membership_of(coach)
    student_t1 = f"/studenten/{world.students['t1'].pk}/"
    student_t2 = f"/studenten/{world.students['t2'].pk}/"
    assert client_for(coach).get(student_t1).status_code == 200
    assert client_for(coach).get(student_t2).status_code == 404
    admin = client_for(world.users["admin"])
    response = admin.post(
        change_url(world, "coach", old),
        {
            "version": person_version(coach.pk),
            "role": Role.COACH,
            "programme_team": team(world, "t2").pk,
        },
    )
    assert response.status_code == 302
    today = timezone.localdate()
    old.refresh_from_db()
    assert old.valid_until == today - timedelta(days=1)
    new = Membership.objects.get(user=coach, programme_team=team(world, "t2"))
    assert new.valid_from == today and new.valid_until is None
    assert new.created_by == world.users["admin"]
    grants = RoleGrant.objects.filter(grantee=coach).order_by("pk")
    assert [g.outcome for g in grants] == [GrantOutcome.ENDED, GrantOutcome.GRANTED]
    assert grants[0].scope_display == "T1" and grants[1].scope_display == "T2"
    assert client_for(coach).get(student_t1).status_code == 404
    assert client_for(coach).get(student_t2).status_code == 200


def test_a_role_change_that_makes_no_sense_is_refused_in_dutch(world: World) -> None:
    coach = world.users["coach"]
    old = membership_of(coach)
    admin = client_for(world.users["admin"])
    response = admin.post(
        change_url(world, "coach", old),
        {"version": person_version(coach.pk), "role": Role.COACH, "programme_team": ""},
    )
    assert response.status_code == 200
    assert "Een studieloopbaanbegeleider hoort bij een opleidingsteam." in response.content.decode()
    old.refresh_from_db()
    assert old.valid_until is None
    assert Membership.objects.filter(user=coach).count() == 1


def test_a_stale_form_is_refused_and_nothing_is_overwritten(world: World) -> None:
    coach = world.users["coach"]
    role = membership_of(coach)
    shown = person_version(coach.pk)  # two administrators open the same person
    first = client_for(world.users["admin"])
    second_admin = UserFactory(email="admin2@example.nl")
    MembershipFactory(
        user=second_admin,
        organisation=Organisation.objects.get(name="ROC Een"),
        role=Role.FUNCTIONAL_ADMIN,
    )
    second = client_for(second_admin)
    last_day = timezone.localdate() + timedelta(days=30)
    response = first.post(
        change_url(world, "coach", role, "beeindigen"),
        {"version": shown, "last_day": last_day.isoformat()},
    )
    assert response.status_code == 302
    response = second.post(
        change_url(world, "coach", role),
        {"version": shown, "role": Role.COACH, "programme_team": team(world, "t2").pk},
    )
    assert "Iemand anders heeft deze persoon intussen gewijzigd" in response.content.decode()
    response = second.post(
        change_url(world, "coach", role, "beeindigen"),
        {"version": shown, "last_day": (last_day + timedelta(days=60)).isoformat()},
    )
    assert "Iemand anders heeft deze persoon intussen gewijzigd" in response.content.decode()
    response = second.post(f"{LIST}{coach.pk}/blokkeren/", {"version": shown}, follow=True)
    assert "Iemand anders heeft deze persoon intussen gewijzigd" in response.content.decode()
    coach.refresh_from_db()
    assert coach.is_active
    assert list(Membership.objects.filter(user=coach).values_list("valid_until", flat=True)) == [
        last_day
    ]
    assert RoleGrant.objects.filter(grantee=coach).count() == 1  # the first change only


def test_an_administrator_cannot_change_their_own_role(world: World) -> None:
    admin_user = world.users["admin"]
    own = membership_of(admin_user, Role.FUNCTIONAL_ADMIN)
    admin = client_for(admin_user)
    response = admin.post(
        change_url(world, "admin", own, "beeindigen"),
        {"version": person_version(admin_user.pk), "last_day": timezone.localdate().isoformat()},
    )
    assert "U kunt uzelf geen rol geven" in response.content.decode()
    own.refresh_from_db()
    assert own.valid_until is None
    assert RoleGrant.objects.filter(grantee=admin_user, outcome=GrantOutcome.REFUSED).exists()


def test_moving_back_to_a_team_held_before_starts_that_role_again(world: World) -> None:
    coach = world.users["coach"]
    admin = client_for(world.users["admin"])
    t1, t2 = team(world, "t1"), team(world, "t2")
    first = membership_of(coach)
    admin.post(
        change_url(world, "coach", first),
        {"version": person_version(coach.pk), "role": Role.COACH, "programme_team": t2.pk},
    )
    second = Membership.objects.get(user=coach, programme_team=t2)
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        admin = client_for(world.users["admin"])  # a new day, a new session
        admin.post(
            change_url(world, "coach", second),
            {"version": person_version(coach.pk), "role": Role.COACH, "programme_team": t1.pk},
        )
        first.refresh_from_db()
        assert first.valid_until is None and first.valid_from == timezone.localdate()
        assert client_for(coach).get(f"/studenten/{world.students['t1'].pk}/").status_code == 200


# --- end a role on a date ------------------------------------------------------------------


def end_url(world: World, key: str) -> str:
    return change_url(world, key, membership_of(world.users[key]), "beeindigen")


def test_a_role_ended_yesterday_gives_404_today(world: World) -> None:
    coach = world.users["coach"]
    student = f"/studenten/{world.students['t1'].pk}/"
    assert client_for(coach).get(student).status_code == 200
    response = client_for(world.users["admin"]).post(
        end_url(world, "coach"),
        {
            "version": person_version(coach.pk),
            "last_day": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert client_for(coach).get(student).status_code == 404
    grant = RoleGrant.objects.get(grantee=coach)
    assert grant.outcome == GrantOutcome.ENDED
    assert grant.actor == world.users["admin"]


def test_a_role_still_works_on_its_last_day_and_not_the_day_after(world: World) -> None:
    coach = world.users["coach"]
    student = f"/studenten/{world.students['t1'].pk}/"
    last_day = timezone.localdate() + timedelta(days=2)
    client_for(world.users["admin"]).post(
        end_url(world, "coach"),
        {"version": person_version(coach.pk), "last_day": last_day.isoformat()},
    )
    assert membership_of(coach).valid_until == last_day
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        assert timezone.localdate() == last_day
        assert client_for(coach).get(student).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        assert client_for(coach).get(student).status_code == 404


def test_an_end_date_before_yesterday_is_refused(world: World) -> None:
    coach = world.users["coach"]
    response = client_for(world.users["admin"]).post(
        end_url(world, "coach"),
        {
            "version": person_version(coach.pk),
            "last_day": (timezone.localdate() - timedelta(days=5)).isoformat(),
        },
    )
    assert "niet verder terug dan gisteren" in response.content.decode()
    assert membership_of(coach).valid_until is None
    assert not RoleGrant.objects.filter(grantee=coach).exists()


# --- block an account ------------------------------------------------------------------------


def test_a_blocked_account_cannot_log_in_and_loses_its_session(world: World) -> None:
    coach = world.users["coach"]
    session = client_for(coach)
    admin = client_for(world.users["admin"])
    response = admin.post(
        f"{LIST}{coach.pk}/blokkeren/", {"version": person_version(coach.pk)}, follow=True
    )
    assert "is geblokkeerd" in response.content.decode()
    assert session.get(f"/studenten/{world.students['t1'].pk}/").status_code == 302  # to login
    login = Client().post(
        "/account/inloggen/", {"username": "coach@example.nl", "password": PASSWORD}
    )
    assert login.status_code == 200  # the form again, not logged in
    assert RoleGrant.objects.get(grantee=coach).outcome == GrantOutcome.SUSPENDED
    assert "Dit account is geblokkeerd" in page_text(admin, f"{LIST}{coach.pk}/")

    admin.post(f"{LIST}{coach.pk}/openen/", {"version": person_version(coach.pk)})
    fresh = Client()
    login = fresh.post("/account/inloggen/", {"username": "coach@example.nl", "password": PASSWORD})
    assert login.status_code == 302
    assert fresh.get(f"/studenten/{world.students['t1'].pk}/").status_code == 200
    assert list(
        RoleGrant.objects.filter(grantee=coach).order_by("pk").values_list("outcome", flat=True)
    ) == [GrantOutcome.SUSPENDED, GrantOutcome.RESTORED]


def test_someone_who_also_works_elsewhere_is_not_blocked_by_one_administrator(
    world: World,
) -> None:
    coach = world.users["coach"]
    MembershipFactory(
        user=coach,
        organisation=Organisation.objects.get(name="Zorg Een"),
        role=Role.EXTERNAL_CARE_WORKER,
    )
    response = client_for(world.users["admin"]).post(
        f"{LIST}{coach.pk}/blokkeren/", {"version": person_version(coach.pk)}, follow=True
    )
    assert "werkt ook voor een organisatie die u niet beheert" in response.content.decode()
    coach.refresh_from_db()
    assert coach.is_active


def test_an_administrator_cannot_block_themselves(world: World) -> None:
    admin_user = world.users["admin"]
    response = client_for(admin_user).post(
        f"{LIST}{admin_user.pk}/blokkeren/",
        {"version": person_version(admin_user.pk)},
        follow=True,
    )
    assert "eigen account niet blokkeren" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


# --- send the invitation again ----------------------------------------------------------------


def test_the_invitation_is_sent_again_only_to_someone_without_a_password(
    world: World, django_capture_on_commit_callbacks
) -> None:
    admin = client_for(world.users["admin"])
    invited = UserFactory(email="nieuw@example.nl")
    invited.set_unusable_password()
    invited.save()
    MembershipFactory(
        user=invited,
        organisation=Organisation.objects.get(name="ROC Een"),
        role=Role.GOVERNANCE,
    )
    assert "Uitnodiging opnieuw sturen" in page_text(admin, f"{LIST}{invited.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"{LIST}{invited.pk}/uitnodiging/", follow=True)
    assert "opnieuw gestuurd naar nieuw@example.nl" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["nieuw@example.nl"]]
    assert "wachtwoord-herstellen" in mail.outbox[0].body

    coach = world.users["coach"]
    assert "Uitnodiging opnieuw sturen" not in page_text(admin, f"{LIST}{coach.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"{LIST}{coach.pk}/uitnodiging/", follow=True)
    assert "heeft al een wachtwoord gekozen" in response.content.decode()
    assert len(mail.outbox) == 1
    assert admin.post(f"{LIST}{world.users['worker_p1'].pk}/uitnodiging/").status_code == 404


def test_a_new_team_is_offered_when_changing_a_role(world: World) -> None:
    new_team = ProgrammeTeamFactory(location=team(world, "t1").location, name="Nieuw team")
    coach = world.users["coach"]
    text = page_text(
        client_for(world.users["admin"]), change_url(world, "coach", membership_of(coach))
    )
    assert "Nieuw team" in text
    assert "T4" not in text  # another institution's team
    # A student's or a parent's role belongs to a record: never the result of a change.
    assert 'value="student"' not in text and 'value="parent"' not in text
    assert new_team.pk
