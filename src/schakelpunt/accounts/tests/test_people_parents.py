"""Inviting a parent or carer (issue 17): on the invitation screen in two steps, from the
invitations file and with `schakelpunt invite`. The account belongs to one guardian of one
student under 18; a refusal leaves no account, no role and sends no e-mail."""

import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.world import World, client_for

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.access.parts import Action, Part
from schakelpunt.accounts.invitation_importer import invitation_import
from schakelpunt.accounts.models import GrantOutcome, Membership, RoleGrant, User
from schakelpunt.accounts.roles import Role
from schakelpunt.students.models import Guardian, GuardianRelation

pytestmark = pytest.mark.django_db

INVITE = "/beheer/gebruikers/nieuw/"
HEADER = "email;voornaam;achternaam;rol;organisatie;locatie;team;studentnummer;ouder\n"
BASE = "http://testserver/"


@pytest.fixture
def family(world: World) -> dict[str, Guardian]:
    """Anna (17) has two parents and a grandmother in her record; Dewi (19) has one parent."""
    anna, dewi = world.students["t1"], world.students["early"]
    return {
        "petra": Guardian.objects.create(
            student=anna,
            name="Petra de Vries",
            relation=GuardianRelation.PARENT,
            email="petra.devries@example.nl",
        ),
        "karel": Guardian.objects.create(
            student=anna,
            name="Karel de Vries",
            relation=GuardianRelation.CARER,
            email="karel.devries@example.nl",
        ),
        "joke": Guardian.objects.create(
            student=anna, name="Joke Visser", relation=GuardianRelation.OTHER
        ),
        "dewi_mother": Guardian.objects.create(
            student=dewi,
            name="Mira Dewi",
            relation=GuardianRelation.PARENT,
            email="mira@example.nl",
        ),
    }


def parent_form(world: World, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "email": "",
        "first_name": "",
        "last_name": "",
        "organisation": world.students["t1"].institution.pk,
        "role": Role.PARENT,
        "student_number": world.students["t1"].student_number,
    }
    return data | changes


def choose_password(path: str, email: str) -> Client:
    """The invited person follows the e-mailed link, chooses a password and logs in."""
    newcomer = Client()
    form = newcomer.get(path, follow=True)
    password = "een-eigen-wachtwoord-2026"
    newcomer.post(
        form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    response = newcomer.post("/account/inloggen/", {"username": email, "password": password})
    assert response.status_code == 302
    return newcomer


def test_the_admin_invites_a_parent_in_two_steps_and_the_parent_sees_the_child(
    world: World, family: dict[str, Guardian], django_capture_on_commit_callbacks
) -> None:
    admin = client_for(world.users["admin"])
    anna = world.students["t1"]
    users_before = User.objects.count()

    # Step 1: the student's number; the page asks which guardian this is.
    step = admin.post(INVITE, parent_form(world))
    page = step.content.decode()
    assert step.status_code == 200
    assert "Stap 2: welke ouder of verzorger?" in page
    assert "Petra de Vries (Ouder), petra.devries@example.nl" in page
    assert "Karel de Vries (Verzorger), karel.devries@example.nl" in page
    assert "Joke Visser (Iemand anders uit het netwerk), geen e-mailadres in het dossier" in page
    assert User.objects.count() == users_before and mail.outbox == []
    # Reading the guardians from Anna's record is in her access log.
    assert AccessLogEntry.objects.filter(
        student_id=anna.pk, user=world.users["admin"], part=Part.CONTACT, action=Action.VIEW
    ).exists()

    # Step 2: Petra; her address comes from the record.
    with django_capture_on_commit_callbacks(execute=True):
        done = admin.post(INVITE, parent_form(world, guardian=family["petra"].pk), follow=True)
    parent = User.objects.get(email="petra.devries@example.nl")
    assert done.redirect_chain[-1][0] == f"/beheer/mensen/{parent.pk}/"
    assert (parent.first_name, parent.last_name) == ("Petra", "de Vries")
    assert Membership.objects.get(user=parent).role == Role.PARENT
    family["petra"].refresh_from_db()
    assert family["petra"].user == parent
    # The person page names the student by number only: the administrator opens no file.
    detail = done.content.decode()
    assert f"de student met studentnummer {anna.student_number} bij ROC Een" in detail
    assert anna.last_name not in detail

    assert [m.to for m in mail.outbox] == [["petra.devries@example.nl"]]
    link = re.search(r"http://testserver(/account/wachtwoord-herstellen/\S+/)", mail.outbox[0].body)
    assert link is not None
    petra = choose_password(link.group(1), "petra.devries@example.nl")
    # Anna is 17: her mother sees what Anna shares with her.
    Guardian.objects.filter(pk=family["petra"].pk).update(shared_parts=["plan", "team"])
    start = petra.get("/").content.decode()
    assert "Mijn kinderen" in start and 'href="/ouder/"' in start
    children = petra.get("/ouder/").content.decode()
    assert anna.first_name in children
    assert petra.get(f"/ouder/kind/{anna.pk}/").status_code == 200
    assert petra.get(f"/studenten/{anna.pk}/").status_code == 404  # no file role


def test_one_guardian_fills_in_the_address_and_name_on_the_second_step(
    world: World, family: dict[str, Guardian]
) -> None:
    Guardian.objects.filter(pk__in=[family["karel"].pk, family["joke"].pk]).delete()
    page = client_for(world.users["admin"]).post(INVITE, parent_form(world)).content.decode()
    assert 'value="petra.devries@example.nl"' in page
    assert 'value="Petra"' in page and 'value="de Vries"' in page
    assert re.search(rf'value="{family["petra"].pk}"[^>]*checked', page)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("ONBEKEND", "Bij ROC Een staat geen student met studentnummer ONBEKEND."),
        ("", "Vul bij de rol Ouder of verzorger het studentnummer van het kind in."),
    ],
)
def test_an_unknown_or_missing_student_number_is_refused_in_dutch(
    world: World, family: dict[str, Guardian], number: str, message: str
) -> None:
    response = client_for(world.users["admin"]).post(
        INVITE, parent_form(world, student_number=number, email="x@example.nl")
    )
    assert message in response.content.decode()
    assert not User.objects.filter(email="x@example.nl").exists()


def test_a_parent_of_a_student_of_18_gets_no_account_and_the_refusal_is_recorded(
    world: World, family: dict[str, Guardian], django_capture_on_commit_callbacks
) -> None:
    admin = client_for(world.users["admin"])
    dewi = world.students["early"]
    refusal = f"De student met studentnummer {dewi.student_number} is 18 of ouder."
    # The first step already says so, and does not show the guardians.
    step = admin.post(INVITE, parent_form(world, student_number=dewi.student_number))
    assert refusal in step.content.decode() and "Mira Dewi" not in step.content.decode()
    # A second step sent anyway (a form kept open, a birthday meanwhile) is refused too.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            INVITE,
            parent_form(
                world, student_number=dewi.student_number, guardian=family["dewi_mother"].pk
            ),
        )
    assert refusal in response.content.decode()
    assert not User.objects.filter(email="mira@example.nl").exists()
    assert mail.outbox == []
    family["dewi_mother"].refresh_from_db()
    assert family["dewi_mother"].user is None
    grant = RoleGrant.objects.get(grantee_email="mira@example.nl")
    assert (grant.role, grant.outcome) == (Role.PARENT, GrantOutcome.REFUSED)
    assert refusal in grant.reason


def test_a_guardian_with_another_account_undoes_the_whole_invitation(
    world: World, family: dict[str, Guardian], django_capture_on_commit_callbacks
) -> None:
    """The account is made and the role given before the link is refused: all of it goes."""
    first = User.objects.create(email="karel.eerder@example.nl")
    Membership.objects.create(
        user=first, organisation=world.students["t1"].institution, role=Role.PARENT
    )
    Guardian.objects.filter(pk=family["karel"].pk).update(user=first)
    grants_before = RoleGrant.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.users["admin"]).post(
            INVITE,
            parent_form(world, guardian=family["karel"].pk),
        )
    assert (
        "Karel de Vries heeft al een ander account. Er kan maar één account bij horen."
        in response.content.decode()
    )
    assert not User.objects.filter(email="karel.devries@example.nl").exists()
    assert RoleGrant.objects.count() == grants_before
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("guardian", "email", "message"),
    [
        (
            "petra",
            "iemand.anders@example.nl",
            "iemand.anders@example.nl is niet het e-mailadres dat bij Petra de Vries in het "
            "dossier staat (petra.devries@example.nl).",
        ),
        ("joke", "joke@example.nl", "Bij Joke Visser staat geen e-mailadres in het dossier."),
    ],
)
def test_only_the_recorded_address_becomes_the_parents_account(
    world: World, family: dict[str, Guardian], guardian: str, email: str, message: str
) -> None:
    response = client_for(world.users["admin"]).post(
        INVITE, parent_form(world, email=email, guardian=family[guardian].pk)
    )
    assert message in response.content.decode()
    assert not User.objects.filter(email=email).exists()
    assert mail.outbox == []


def test_a_parent_is_no_location_or_team_member(world: World, family: dict[str, Guardian]) -> None:
    team = world.students["t1"].programme.team
    response = client_for(world.users["admin"]).post(
        INVITE, parent_form(world, programme_team=team.pk, guardian=family["petra"].pk)
    )
    assert "Een ouder of verzorger hoort niet bij een locatie of opleidingsteam." in (
        response.content.decode()
    )
    assert not User.objects.filter(email="petra.devries@example.nl").exists()


# --- the invitations file ------------------------------------------------------------------


def run(world: World, body: str, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        return invitation_import(
            actor=world.users["admin"], data=(HEADER + body).encode(), base_url=BASE
        )


def state() -> tuple[object, ...]:
    return (
        User.objects.count(),
        RoleGrant.objects.count(),
        list(Membership.objects.order_by("pk").values_list("user_id", "role", "valid_until")),
        list(Guardian.objects.order_by("pk").values_list("pk", "user_id")),
        len(mail.outbox),
    )


def test_a_file_invites_parents_by_the_recorded_name_or_address(
    world: World, family: dict[str, Guardian], django_capture_on_commit_callbacks
) -> None:
    anna = world.students["t1"].student_number
    bram = world.students["t2"]
    only = Guardian.objects.create(
        student=bram, name="Sem Bakker", relation="parent", email="sem@example.nl"
    )
    body = (
        # by the recorded address, by the recorded name (case and spaces aside), the only one
        f"petra.devries@example.nl;Petra;de Vries;Ouder of verzorger;ROC Een;;;{anna};\n"
        f"karel.devries@example.nl;Karel;de Vries;parent;ROC Een;;;{anna};karel  DE vries\n"
        f"sem@example.nl;Sem;Bakker;Ouder;ROC Een;;;{bram.student_number};\n"
    )
    result = run(world, body, django_capture_on_commit_callbacks)
    assert result.ok, result.errors
    assert (result.invited, result.added, result.unchanged) == (3, 0, 0)
    linked = dict(Guardian.objects.filter(user__isnull=False).values_list("pk", "user__email"))
    assert linked == {
        family["petra"].pk: "petra.devries@example.nl",
        family["karel"].pk: "karel.devries@example.nl",
        only.pk: "sem@example.nl",
    }
    assert sorted(m.to[0] for m in mail.outbox) == [
        "karel.devries@example.nl",
        "petra.devries@example.nl",
        "sem@example.nl",
    ]
    before = state()
    again = run(world, body, django_capture_on_commit_callbacks)
    assert (again.invited, again.added, again.unchanged) == (0, 0, 3)
    assert state() == before


def test_bad_parent_rows_change_nothing_and_are_named_by_line(
    world: World, family: dict[str, Guardian], django_capture_on_commit_callbacks
) -> None:
    anna = world.students["t1"].student_number
    dewi = world.students["early"].student_number
    other = User.objects.create(email="eerder@example.nl")
    Guardian.objects.filter(pk=family["karel"].pk).update(user=other)
    before = state()
    body = (
        f"petra.devries@example.nl;Petra;de Vries;parent;ROC Een;;;{anna};Petra de Vries\n"
        f"a@example.nl;A;A;parent;ROC Een;;;{anna};Oma Jansen\n"
        f"b@example.nl;B;B;parent;ROC Een;;;{anna};\n"
        f"c@example.nl;C;C;parent;ROC Een;;;{dewi};Mira Dewi\n"
        f"karel.devries@example.nl;D;D;parent;ROC Een;;;{anna};Karel de Vries\n"
        "e@example.nl;E;E;coach;ROC Een;;T1;;Petra de Vries\n"
        "f@example.nl;F;F;parent;ROC Een;;;;\n"
        f"petra.devries@example.nl;G;G;parent;ROC Een;;;{anna};petra.devries@example.nl\n"
        f"ander@example.nl;A;A;parent;ROC Een;;;{anna};Petra de Vries\n"
    )
    result = run(world, body, django_capture_on_commit_callbacks)
    assert [str(e) for e in result.errors] == [
        "Regel 3: in het dossier staat geen ouder of verzorger 'Oma Jansen'. In het dossier "
        "staan: Joke Visser, Karel de Vries, Petra de Vries.",
        "Regel 4: noem de ouder of verzorger (naam of e-mailadres zoals in het dossier): "
        "Joke Visser, Karel de Vries, Petra de Vries.",
        f"Regel 5: de student met studentnummer {dewi} is 18 of ouder; ouders van volwassen "
        "studenten krijgen geen account.",
        "Regel 6: Karel de Vries heeft al een ander account.",
        "Regel 7: de kolom ouder hoort alleen bij de rol Ouder of verzorger.",
        "Regel 8: bij de rol Ouder of verzorger hoort het studentnummer van het kind.",
        "Regel 9: dezelfde rol voor petra.devries@example.nl staat ook op regel 2.",
        "Regel 10: ander@example.nl is niet het e-mailadres dat bij Petra de Vries in het "
        "dossier staat (petra.devries@example.nl).",
    ]
    assert state() == before


PARENT_ROWS = st.sampled_from(
    [
        "petra.devries@example.nl;P;{n};parent;ROC Een;;;{anna};Petra de Vries",
        "karel.devries@example.nl;K;{n};Ouder of verzorger;ROC Een;;;{anna};",
        "p{n}@example.nl;P;{n};parent;ROC Een;;;{anna};Karel de Vries",
        "mira@example.nl;M;{n};parent;ROC Een;;;{dewi};Mira Dewi",
        "p{n}@example.nl;P;{n};parent;ROC Een;;;{anna};",
        "p{n}@example.nl;P;{n};coach;ROC Een;;T1;;",
    ]
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(PARENT_ROWS, st.integers(1, 3)), min_size=1, max_size=5))
def test_importing_a_file_with_parents_again_changes_nothing(
    world: World,
    family: dict[str, Guardian],
    django_capture_on_commit_callbacks,
    rows: list[tuple[str, int]],
) -> None:
    numbers = {
        "anna": world.students["t1"].student_number,
        "dewi": world.students["early"].student_number,
    }
    body = "".join(f"{t.format(n=n, **numbers)}\n" for t, n in rows)
    first = run(world, body, django_capture_on_commit_callbacks)
    after_first = state()
    second = run(world, body, django_capture_on_commit_callbacks)
    assert state() == after_first
    if first.ok:
        assert (second.invited, second.added) == (0, 0)
        assert second.unchanged == first.invited + first.added + first.unchanged
    else:
        assert [str(e) for e in second.errors] == [str(e) for e in first.errors]


# --- the command line ----------------------------------------------------------------------


def test_the_command_invites_a_parent_of_the_named_guardian(
    world: World, family: dict[str, Guardian], django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "invite",
            "karel.devries@example.nl",
            role="parent",
            organisation="ROC Een",
            student_number=world.students["t1"].student_number,
            guardian="Karel de Vries",
        )
    karel = User.objects.get(email="karel.devries@example.nl")
    assert (karel.first_name, karel.last_name) == ("Karel", "de Vries")
    family["karel"].refresh_from_db()
    assert family["karel"].user == karel
    assert Membership.objects.get(user=karel).role == Role.PARENT
    assert [m.to for m in mail.outbox] == [["karel.devries@example.nl"]]


@pytest.mark.parametrize(
    ("student", "guardian", "message"),
    [
        ("early", "Mira Dewi", "is 18 of ouder"),
        ("t1", "Oma Jansen", "In het dossier staat geen ouder of verzorger 'Oma Jansen'."),
        ("t1", "", "Noem de ouder of verzorger"),
        ("t1", "Petra de Vries", "is niet het e-mailadres dat bij Petra de Vries"),
    ],
)
def test_the_command_refuses_in_dutch_and_makes_nothing(
    world: World, family: dict[str, Guardian], student: str, guardian: str, message: str
) -> None:
    before = state()
    with pytest.raises(CommandError, match=message):
        call_command(
            "invite",
            "nieuw@example.nl",
            role="parent",
            organisation="ROC Een",
            student_number=world.students[student].student_number,
            guardian=guardian,
        )
    assert state() == before
