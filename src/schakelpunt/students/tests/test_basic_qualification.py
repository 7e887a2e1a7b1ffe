"""The startkwalificatie with a date: the import column and the form on the student file."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.accounts.models import Programme
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.students.models import Student

from .test_import import ROW_1, ROW_2, run
from .test_import import school as school  # the fixture

HEADER = (
    "studentnummer;voornaam;tussenvoegsel;achternaam;geboortedatum;bsn;postcode;locatie;"
    "crebo;leerweg;startdatum;vooropleiding;startkwalificatie;startkwalificatie_datum\n"
)


def with_date(row: str, qualified: str, day: str) -> str:
    return row.replace(";nee\n", f";{qualified};{day}\n")


def test_a_date_in_the_file_is_the_day_the_startkwalificatie_was_obtained(school):
    result = run(school, HEADER + with_date(ROW_1, "ja", "2026-06-30") + with_date(ROW_2, "", ""))
    assert (result.ok, result.created) == (True, 2), result.errors
    sanne = Student.objects.get(student_number="100")
    assert (sanne.has_basic_qualification, sanne.basic_qualification_on) == (
        True,
        date(2026, 6, 30),
    )
    daan = Student.objects.get(student_number="101")
    assert (daan.has_basic_qualification, daan.basic_qualification_on) == (False, None)
    # A date alone implies ja.
    again = run(
        school, HEADER + with_date(ROW_1, "ja", "2026-06-30") + with_date(ROW_2, "", "1-7-2026")
    )
    assert (again.updated, again.unchanged) == (1, 1)
    daan.refresh_from_db()
    assert (daan.has_basic_qualification, daan.basic_qualification_on) == (True, date(2026, 7, 1))


@pytest.mark.parametrize(
    ("qualified", "day", "message"),
    [
        (
            "nee",
            "2026-06-30",
            "Regel 3: startkwalificatie is nee, maar startkwalificatie_datum is ingevuld",
        ),
        ("ja", "30-02-2026", "Regel 3: startkwalificatie_datum '30-02-2026' is geen geldige datum"),
        ("ja", "2099-01-01", "Regel 3: startkwalificatie_datum 01-01-2099 ligt in de toekomst."),
        ("ja", "2001-01-01", "Regel 3: startkwalificatie_datum ligt voor de geboortedatum."),
    ],
)
def test_a_wrong_date_rejects_the_whole_file(school, qualified, day, message):
    result = run(school, HEADER + with_date(ROW_1, "ja", "") + with_date(ROW_2, qualified, day))
    assert any(message in str(e) for e in result.errors), [str(e) for e in result.errors]
    assert Student.objects.count() == 0


def test_a_file_without_the_date_keeps_the_recorded_date(school):
    run(school, HEADER + with_date(ROW_1, "nee", ""))
    Student.objects.filter(student_number="100").update(
        has_basic_qualification=True, basic_qualification_on=date(2026, 1, 15)
    )
    # The usual export, without the column (and still "nee"): nothing changes.
    plain = (
        "studentnummer;voornaam;tussenvoegsel;achternaam;geboortedatum;bsn;postcode;locatie;"
        "crebo;leerweg;startdatum;vooropleiding;startkwalificatie\n"
    )
    result = run(school, plain + ROW_1)
    assert (result.ok, result.unchanged) == (True, 1)
    sanne = Student.objects.get()
    assert (sanne.has_basic_qualification, sanne.basic_qualification_on) == (
        True,
        date(2026, 1, 15),
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    qualified=st.sampled_from(["ja", "nee", "", "JA", "misschien"]),
    day=st.one_of(
        st.just(""),
        st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)).map(str),
        st.text(alphabet="0123456789-/x", max_size=10),
    ),
)
def test_any_startkwalificatie_cells_import_all_or_nothing_and_again_as_a_no_op(
    school, qualified, day
):
    Student.objects.all().delete()
    body = HEADER + with_date(ROW_1, "nee", "") + with_date(ROW_2, qualified, day)
    result = run(school, body)
    if not result.ok:
        assert Student.objects.count() == 0
        assert all(str(e).startswith("Regel 3: ") for e in result.errors)
        return
    daan = Student.objects.get(student_number="101")
    if day:
        assert daan.has_basic_qualification and daan.basic_qualification_on is not None
    else:
        assert daan.has_basic_qualification is (qualified.lower() == "ja")
        assert daan.basic_qualification_on is None
    again = run(school, body)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def staff(school, role):  # type: ignore[no-untyped-def]
    roc, _admin = school
    user = UserFactory()
    MembershipFactory(
        user=user,
        organisation=roc,
        role=role,
        programme_team=Programme.objects.get().team if role == Role.COACH else None,
    )
    client = Client()
    client.force_login(user)
    return user, client


def test_the_care_team_records_the_date_on_the_file_and_a_coach_cannot(school):
    run(school, HEADER + with_date(ROW_1, "nee", ""))
    sanne = Student.objects.get()
    coordinator, care = staff(school, Role.CARE_COORDINATOR)
    page = care.get(f"/studenten/{sanne.pk}/").content.decode()
    assert "Startkwalificatie behaald: datum vastleggen" in page
    assert 'id="id_qualification-obtained_on"' in page
    day = timezone.localdate() - timedelta(days=3)
    page = care.post(
        f"/studenten/{sanne.pk}/startkwalificatie/",
        {"obtained_on": day.isoformat(), "known": ""},
        follow=True,
    ).content.decode()
    assert "Startkwalificatie vastgelegd." in page
    sanne.refresh_from_db()
    assert (sanne.has_basic_qualification, sanne.basic_qualification_on) == (True, day)
    assert AccessLogEntry.objects.filter(
        user=coordinator, student_id=sanne.pk, action="change", part="enrolment"
    ).exists()
    # A second form, opened before that change, does not overwrite it.
    page = care.post(
        f"/studenten/{sanne.pk}/startkwalificatie/",
        {"obtained_on": "2025-01-01", "known": ""},
        follow=True,
    ).content.decode()
    assert "Iemand anders heeft de startkwalificatie intussen gewijzigd." in page
    # A day in the future is refused in Dutch, and nothing changes.
    page = care.post(
        f"/studenten/{sanne.pk}/startkwalificatie/",
        {
            "obtained_on": (timezone.localdate() + timedelta(days=1)).isoformat(),
            "known": day.isoformat(),
        },
        follow=True,
    ).content.decode()
    assert "De datum van de startkwalificatie ligt in de toekomst." in page
    sanne.refresh_from_db()
    assert sanne.basic_qualification_on == day
    # A coach sees the student (enrolment part) but may not change it.
    _coach, coach = staff(school, Role.COACH)
    assert "datum vastleggen" not in coach.get(f"/studenten/{sanne.pk}/").content.decode()
    refused = coach.post(
        f"/studenten/{sanne.pk}/startkwalificatie/", {"obtained_on": "2025-01-01", "known": day}
    )
    assert refused.status_code == 404
    sanne.refresh_from_db()
    assert sanne.basic_qualification_on == day
