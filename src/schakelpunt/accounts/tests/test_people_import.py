"""Inviting many people from a CSV file: all or nothing, Dutch row errors, a no-op again."""

from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.world import World, client_for

from schakelpunt.accounts.invitation_importer import invitation_import
from schakelpunt.accounts.models import GrantOutcome, Membership, RoleGrant, User
from schakelpunt.students.models import Student

pytestmark = pytest.mark.django_db

HEADER = "email;voornaam;achternaam;rol;organisatie;locatie;team;studentnummer\n"
BASE = "http://testserver/"
EXAMPLE = Path(__file__).resolve().parents[2] / "core" / "examples" / "uitnodigingen.csv"


def run(world: World, body: str, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        return invitation_import(
            actor=world.users["admin"], data=(HEADER + body).encode(), base_url=BASE
        )


def state() -> tuple[int, int, list[tuple[object, ...]], int]:
    return (
        User.objects.count(),
        RoleGrant.objects.count(),
        list(
            Membership.objects.order_by("pk").values_list(
                "user_id", "role", "programme_team_id", "location_id", "valid_until"
            )
        ),
        len(mail.outbox),
    )


def test_a_file_invites_new_people_once_and_adds_roles_to_existing_ones(
    world: World, django_capture_on_commit_callbacks
) -> None:
    number = world.students["t2"].student_number
    # The student import recorded Bram's address: only that one becomes his account.
    Student.objects.filter(pk=world.students["t2"].pk).update(email="bram@example.nl")
    body = (
        "p.dekker@example.nl;Petra;Dekker;Studieloopbaanbegeleider (SLB);ROC Een;L1;T1;\n"
        "P.Dekker@example.nl;Petra;Dekker;slb;roc een;;T2;\n"  # same person, second team
        "a.yilmaz@example.nl;Ayse;Yilmaz;Zorgcoördinator;ROC Een;L2;;\n"
        "coach@example.nl;Coach;X;coach;ROC Een;;T3;\n"  # already has an account
        "w.wijk@example.nl;Wim;Wijk;Beleidsadviseur gemeente;Gemeente Enschede;;;\n"
        f"bram@example.nl;Bram;B;Student;ROC Een;;;{number}\n"
    )
    result = run(world, body, django_capture_on_commit_callbacks)
    assert result.ok, result.errors
    assert (result.invited, result.added, result.unchanged) == (4, 2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a.yilmaz@example.nl",
        "bram@example.nl",
        "p.dekker@example.nl",  # once, though she has two roles
        "w.wijk@example.nl",
    ]
    petra = User.objects.get(email="p.dekker@example.nl")
    assert petra.first_name == "Petra" and not petra.has_usable_password()
    assert sorted(
        Membership.objects.filter(user=petra).values_list("programme_team__name", flat=True)
    ) == ["T1", "T2"]
    assert Membership.objects.get(user__email="a.yilmaz@example.nl").location.name == "L2"
    world.students["t2"].refresh_from_db()
    assert world.students["t2"].user.email == "bram@example.nl"
    assert RoleGrant.objects.filter(outcome=GrantOutcome.GRANTED).count() == 6

    before = state()
    again = run(world, body, django_capture_on_commit_callbacks)
    assert (again.invited, again.added, again.unchanged) == (0, 0, 6)
    assert state() == before  # nothing new, and no second e-mail


def test_one_bad_row_and_nothing_happens_with_every_error_by_line(
    world: World, django_capture_on_commit_callbacks
) -> None:
    before = state()
    body = (
        "goed@example.nl;Goed;Persoon;coach;ROC Een;;T1;\n"
        "geen-adres;Fout;Adres;coach;ROC Een;;T1;\n"
        "x@example.nl;X;Y;tovenaar;ROC Een;;;\n"
        "y@example.nl;Y;Z;coach;ROC Twee;;T4;\n"
        "z@example.nl;Z;Z;coach;ROC Een;;;\n"
        "s@example.nl;S;S;Student;ROC Een;;;\n"
        "t@example.nl;T;T;Student;ROC Een;;;ONBEKEND\n"
        "goed@example.nl;Goed;Persoon;coach;ROC Een;;T1;\n"
        "admin@example.nl;Admin;Zelf;Bestuurder;ROC Een;;;\n"
        "h@example.nl;H;H;Hulpverlener (extern);ROC Een;;;\n"
        ";;;;;;;\n"  # an empty line is skipped, not an error
        "o@example.nl;O;O;Ouder of verzorger;ROC Een;;;\n"
    )
    result = run(world, body, django_capture_on_commit_callbacks)
    messages = [str(e) for e in result.errors]
    assert messages == [
        "Regel 3: e-mailadres 'geen-adres' is ongeldig.",
        "Regel 4: rol 'tovenaar' bestaat niet.",
        "Regel 5: organisatie 'ROC Twee' bestaat niet, of u beheert haar mensen niet.",
        "Regel 6: een studieloopbaanbegeleider hoort bij een opleidingsteam.",
        "Regel 7: bij de rol Student hoort een studentnummer.",
        "Regel 8: bij ROC Een staat geen student met studentnummer ONBEKEND.",
        "Regel 9: dezelfde rol voor goed@example.nl staat ook op regel 2.",
        "Regel 10: u kunt uzelf geen rol geven; vraag een andere beheerder.",
        "Regel 11: de rol Hulpverlener (extern) past niet bij ROC Een.",
        "Regel 13: bij de rol Ouder of verzorger hoort het studentnummer van het kind.",
    ]
    assert state() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Het bestand is leeg."),
        (
            b"email;voornaam\nx@example.nl;X\n",
            "Regel 1: kolom ontbreekt: achternaam, rol, organisatie.",
        ),
        (HEADER.encode(), "Het bestand bevat geen mensen."),
        ("\ufeff".encode("utf-16"), "UTF-16"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_in_dutch(
    world: World, data: bytes, message: str
) -> None:
    result = invitation_import(actor=world.users["admin"], data=data, base_url=BASE)
    assert not result.ok
    assert message in str(result.errors[0])


def test_a_student_record_with_an_account_or_twice_in_the_file_is_refused(
    world: World, django_capture_on_commit_callbacks
) -> None:
    anna = world.students["t1"].student_number
    bram = world.students["t2"].student_number
    Student.objects.filter(pk=world.students["t2"].pk).update(email="b1@example.nl")
    body = (
        f"nieuw@example.nl;N;N;Student;ROC Een;;;{anna}\n"
        f"b1@example.nl;B;B;Student;ROC Een;;;{bram}\n"
        f"b2@example.nl;B;B;Student;ROC Een;;;{bram}\n"
    )
    before = state()
    result = run(world, body, django_capture_on_commit_callbacks)
    assert [str(e) for e in result.errors] == [
        f"Regel 2: de student met studentnummer {anna} heeft al een account.",
        f"Regel 4: b2@example.nl is niet het e-mailadres dat bij de student met studentnummer "
        f"{bram} staat. Een studentaccount wordt alleen gekoppeld aan het e-mailadres uit de "
        f"studentimport.",
        f"Regel 4: studentnummer {bram} staat ook op regel 3 met een ander e-mailadres.",
    ]
    assert state() == before


def test_only_the_functional_administrator_imports_through_the_screen(
    world: World, django_capture_on_commit_callbacks
) -> None:
    upload = SimpleUploadedFile(
        "mensen.csv", (HEADER + "nina@example.nl;Nina;N;coach;ROC Een;;T1;\n").encode()
    )
    admin = client_for(world.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        page = admin.post("/beheer/mensen/importeren/", {"file": upload})
    assert "Klaar: 1 nieuw uitgenodigd, 0 rollen toegevoegd" in page.content.decode()
    assert len(mail.outbox) == 1
    bad = SimpleUploadedFile("mensen.csv", (HEADER + "x;X;X;coach;ROC Een;;T1;\n").encode())
    page = admin.post("/beheer/mensen/importeren/", {"file": bad})
    assert "Niemand uitgenodigd: 1 fout" in page.content.decode()
    assert "Regel 2: e-mailadres &#x27;x&#x27; is ongeldig." in page.content.decode()
    for key in ("coach", "privacy", "student"):
        assert client_for(world.users[key]).get("/beheer/mensen/importeren/").status_code == 404


def test_the_example_file_has_the_importers_columns() -> None:
    header = EXAMPLE.read_text(encoding="utf-8").splitlines()[0].split(";")
    assert header == [*HEADER.strip().split(";"), "ouder"]


ROWS = st.sampled_from(
    [
        "p{n}@example.nl;P;{n};coach;ROC Een;;T1;",
        "p{n}@example.nl;P;{n};SLB;ROC Een;L1;T2;",
        "p{n}@example.nl;P;{n};Zorgcoördinator;ROC Een;L1;;",
        "p{n}@example.nl;P;{n};care_coordinator;ROC Een;;;",
        "p{n}@example.nl;P;{n};Bestuurder;Gemeente Enschede;;;",
        "coach@example.nl;C;C;coach;ROC Een;;T{n};",
        "s{n}@example.nl;S;{n};Student;ROC Een;;;{number}",
    ]
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(ROWS, st.integers(1, 3)), min_size=1, max_size=6))
def test_importing_the_same_file_again_changes_nothing(
    world: World, django_capture_on_commit_callbacks, rows: list[tuple[str, int]]
) -> None:
    numbers = {1: world.students["t2"].student_number, 2: world.students["t3"].student_number}
    lines = [template.format(n=n, number=numbers.get(n, "ONBEKEND")) for template, n in rows]
    body = "".join(f"{line}\n" for line in lines)
    first = run(world, body, django_capture_on_commit_callbacks)
    after_first = state()
    second = run(world, body, django_capture_on_commit_callbacks)
    assert state() == after_first
    if first.ok:
        assert (second.invited, second.added) == (0, 0)
        assert second.unchanged == first.invited + first.added + first.unchanged
    else:
        assert [str(e) for e in second.errors] == [str(e) for e in first.errors]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        st.lists(
            st.sampled_from(["", "x", "coach", "ROC Een", "T1", "Student", "a@b.nl", ";", '"']),
            min_size=8,
            max_size=8,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_malformed_file_is_refused_in_dutch_and_changes_nothing(
    world: World, django_capture_on_commit_callbacks, cells: list[list[str]]
) -> None:
    body = "".join(";".join(row) + "\n" for row in cells)
    before = state()
    result = run(world, body, django_capture_on_commit_callbacks)
    if not result.ok:
        assert state() == before
        assert all(str(e).startswith(("Regel ", "Het ")) for e in result.errors)
