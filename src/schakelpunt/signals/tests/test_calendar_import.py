"""Importing an institution's own days off (CSV): all or nothing, Dutch row errors, and the
same file again changes nothing."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.refdata.loader import load_school_holidays
from schakelpunt.refdata.models import RegionalHoliday
from schakelpunt.signals.calendar import holiday_import, school_calendar
from schakelpunt.signals.models import SchoolHoliday, SignalSettings

EXAMPLE = Path(__file__).resolve().parents[2] / "core" / "examples" / "vakanties.csv"
HEADER = "naam;eerste dag;laatste dag;vervangt\n"


@pytest.fixture
def regional(db):  # type: ignore[no-untyped-def]
    if not RegionalHoliday.objects.exists():
        load_school_holidays(RegionalHoliday=RegionalHoliday)


def rows_of(roc):  # type: ignore[no-untyped-def]
    return sorted(
        SchoolHoliday.objects.filter(institution=roc).values_list(
            "name", "start", "end", "school_year", "replaces"
        )
    )


def calendar_version(roc):  # type: ignore[no-untyped-def]
    return (
        SignalSettings.objects.filter(institution=roc)
        .values_list("calendar_version", flat=True)
        .first()
        or 0
    )


def test_the_example_file_imports_and_again_changes_nothing(school, regional):
    roc, admin, _minor, _adult = school
    result = holiday_import(actor=admin, institution=roc, data=EXAMPLE.read_bytes())
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    assert ("Herfstvakantie (eigen week)", date(2027, 10, 9), date(2027, 10, 17)) in [
        row[:3] for row in rows_of(roc)
    ]
    calendar = school_calendar(roc)
    assert calendar.is_holiday(date(2027, 11, 17))  # the study day
    assert calendar.is_holiday(date(2027, 10, 13))  # the own autumn week
    assert not calendar.is_holiday(date(2027, 10, 20))  # Noord's autumn week, replaced
    before = rows_of(roc)
    assert calendar_version(roc) == 1
    again = holiday_import(actor=admin, institution=roc, data=EXAMPLE.read_bytes())
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 4, [])
    assert rows_of(roc) == before
    assert calendar_version(roc) == 1  # nothing changed: no new version


def test_a_file_with_one_bad_row_changes_nothing_and_says_which_line(school, regional):
    roc, admin, _minor, _adult = school
    data = (
        HEADER
        + "Studiedag;2026-11-18;2026-11-18;\n"
        + "Verkeerd om;2026-12-10;2026-12-08;\n"
        + "Geen datum;31-02-2027;;\n"
        + "Onbekend;2027-03-01;2027-03-05;paasvakantie\n"
        + ";2027-04-01;2027-04-01;\n"
    ).encode()
    result = holiday_import(actor=admin, institution=roc, data=data)
    assert [str(e) for e in result.errors] == [
        "Regel 3: de laatste dag ligt voor de eerste dag.",
        "Regel 4: eerste dag '31-02-2027' is geen geldige datum (gebruik JJJJ-MM-DD of "
        "DD-MM-JJJJ).",
        "Regel 4: laatste dag ontbreekt.",
        "Regel 5: vervangt 'paasvakantie' is geen regionale vakantie (gebruik: herfstvakantie, "
        "kerstvakantie, voorjaarsvakantie, meivakantie, zomervakantie).",
        "Regel 6: geef de periode een naam (bijvoorbeeld 'Studiedag').",
    ]
    assert rows_of(roc) == []
    assert calendar_version(roc) == 0


def test_a_missing_column_and_an_empty_file_are_refused(school, regional):
    roc, admin, _minor, _adult = school
    missing = holiday_import(
        actor=admin, institution=roc, data=b"naam;eerste dag\nStudiedag;2026-11-18\n"
    )
    assert [str(e) for e in missing.errors] == ["Regel 1: kolom ontbreekt: laatste dag."]
    empty = holiday_import(actor=admin, institution=roc, data=b"")
    assert [str(e) for e in empty.errors] == ["Het bestand is leeg."]
    assert rows_of(roc) == []


def test_a_later_file_moves_the_own_autumn_week_instead_of_adding_one(school, regional):
    roc, admin, _minor, _adult = school
    holiday_import(
        actor=admin,
        institution=roc,
        data=(HEADER + "Herfst;2026-10-24;2026-11-01;herfstvakantie\n").encode(),
    )
    later = holiday_import(
        actor=admin,
        institution=roc,
        data=(HEADER + "Herfst;2026-10-31;2026-11-08;herfst\n").encode(),
    )
    assert (later.created, later.updated, later.unchanged) == (0, 1, 0)
    assert rows_of(roc) == [
        ("Herfst", date(2026, 10, 31), date(2026, 11, 8), "2026-2027", "herfst")
    ]


def test_only_the_functional_administrator_imports(school, regional):
    roc, _admin, _minor, _adult = school
    officer = UserFactory()
    MembershipFactory(user=officer, organisation=roc, role=Role.ABSENCE_OFFICER)
    with pytest.raises(PermissionDenied):
        holiday_import(actor=officer, institution=roc, data=EXAMPLE.read_bytes())


periods = st.lists(
    st.tuples(
        st.text(alphabet="abcdefghij Studiedag-", min_size=1, max_size=20).filter(
            lambda name: name.strip() and name.strip() == name
        ),
        st.integers(min_value=0, max_value=330),  # days after 1 August 2026
        st.integers(min_value=0, max_value=20),  # length in days, minus one
        st.sampled_from(["", "herfstvakantie", "kerst", "Voorjaarsvakantie"]),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=periods, separator=st.sampled_from([";", ",", "\t"]))
def test_importing_any_file_twice_changes_nothing_the_second_time(
    school, regional, rows, separator
):
    roc, admin, _minor, _adult = school
    SchoolHoliday.objects.filter(institution=roc).delete()
    first_day = date(2026, 8, 1)
    lines = [separator.join(["naam", "eerste dag", "laatste dag", "vervangt"])]
    for name, offset, length, replaces in rows:
        start = first_day + timedelta(days=offset)
        end = start + timedelta(days=length)
        lines.append(separator.join([name, start.isoformat(), end.isoformat(), replaces]))
    data = ("\n".join(lines) + "\n").encode()
    first = holiday_import(actor=admin, institution=roc, data=data)
    after_first = rows_of(roc)
    version = calendar_version(roc)
    if not first.ok:
        # All or nothing: a refused file wrote nothing, and says why per line.
        assert after_first == []
        assert all(str(e).startswith("Regel ") for e in first.errors)
        return
    again = holiday_import(actor=admin, institution=roc, data=data)
    assert again.ok
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == len(rows)
    assert rows_of(roc) == after_first
    assert calendar_version(roc) == version
