"""The school-calendar screen (functional administrator only) and the warning on the absence
worklist when an institution has no calendar for the current school year."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.world import client_for

from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from schakelpunt.refdata.loader import load_school_holidays
from schakelpunt.refdata.models import RegionalHoliday
from schakelpunt.signals.models import SchoolHoliday, SignalSettings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
URLS = [
    ("get", "calendar:overview", []),
    ("post", "calendar:region", []),
    ("post", "calendar:add", []),
    ("post", "calendar:move", []),
    ("post", "calendar:remove", [1]),
    ("post", "calendar:import", []),
]


@pytest.fixture
def regional(db):  # type: ignore[no-untyped-def]
    if not RegionalHoliday.objects.exists():
        load_school_holidays(RegionalHoliday=RegionalHoliday)


@pytest.fixture
def autumn_2026():  # type: ignore[no-untyped-def]
    with time_machine.travel(datetime(2026, 9, 15, 12, tzinfo=AMSTERDAM), tick=False):
        yield


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def version(roc) -> int:  # type: ignore[no-untyped-def]
    return SignalSettings.objects.get(institution=roc).calendar_version


def test_only_the_functional_administrator_sees_the_calendar(school, officer, regional):
    roc, admin, _minor, _adult = school
    page = client_for(admin).get(reverse("calendar:overview"), {"schooljaar": "2026-2027"})
    assert page.status_code == 200
    body = text(page)
    assert "Schoolkalender: ROC Verzuim" in body
    assert "Herfstvakantie" in body and "Regionaal (Noord, Rijksoverheid)" in body
    other_admin = UserFactory()
    MembershipFactory(
        user=other_admin,
        organisation=OrganisationFactory(name="Ander ROC"),
        role=Role.FUNCTIONAL_ADMIN,
    )
    for user in (officer, UserFactory()):
        client = client_for(user)
        for method, name, args in URLS:
            response = getattr(client, method)(reverse(name, args=args))
            assert response.status_code == 404, (user, name)
    # Another institution's administrator cannot touch this one's entries.
    SchoolHoliday.objects.create(
        institution=roc, name="Studiedag", start=date(2026, 11, 18), end=date(2026, 11, 18)
    )
    holiday = SchoolHoliday.objects.get()
    response = client_for(other_admin).post(
        reverse("calendar:remove", args=[holiday.pk]), {"calendar_version": 0}
    )
    assert response.status_code == 302
    assert SchoolHoliday.objects.filter(pk=holiday.pk).exists()


def test_the_administrator_adds_a_study_day_and_sees_the_school_weeks(
    school, regional, autumn_2026
):
    roc, admin, _minor, _adult = school
    client = client_for(admin)
    response = client.post(
        reverse("calendar:add"),
        {
            "eigen-name": "Studiedag",
            "eigen-start": "2026-11-18",
            "eigen-end": "",
            "eigen-calendar_version": 0,
            "schooljaar": "2026-2027",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    body = text(page)
    assert "Studiedag is toegevoegd; de meldingen en signalen zijn opnieuw berekend." in body
    assert "woensdag 18 november 2026" in body
    assert "Eigen vrije dag(en)" in body
    week_47 = page.context["weeks"][[w.number for w in page.context["weeks"]].index(47)]
    assert (week_47.school_days, week_47.periods) == (4, ("Studiedag",))
    week_42 = next(w for w in page.context["weeks"] if w.number == 42)
    assert not week_42.is_school_week  # herfstvakantie Noord, 10–18 October 2026
    assert version(roc) == 1


def test_a_stale_form_does_not_overwrite(school, regional, autumn_2026):
    roc, admin, _minor, _adult = school
    client = client_for(admin)
    form = {
        "eigen-name": "Studiedag",
        "eigen-start": "2026-11-18",
        "eigen-calendar_version": 0,
        "schooljaar": "2026-2027",
    }
    client.post(reverse("calendar:add"), form)
    stale = client.post(
        reverse("calendar:add"),
        {**form, "eigen-name": "Tweede studiedag", "eigen-start": "2026-11-25"},
        follow=True,
    )
    assert "Iemand anders heeft de schoolkalender intussen gewijzigd" in text(stale)
    assert list(SchoolHoliday.objects.values_list("name", flat=True)) == ["Studiedag"]
    holiday = SchoolHoliday.objects.get()
    gone = client.post(
        reverse("calendar:remove", args=[holiday.pk]), {"calendar_version": 0}, follow=True
    )
    assert "Iemand anders heeft de schoolkalender intussen gewijzigd" in text(gone)
    assert SchoolHoliday.objects.count() == 1
    client.post(reverse("calendar:remove", args=[holiday.pk]), {"calendar_version": 1})
    assert SchoolHoliday.objects.count() == 0
    assert version(roc) == 2


def test_the_administrator_moves_the_autumn_week_and_imports_a_file(school, regional, autumn_2026):
    _roc, admin, _minor, _adult = school
    client = client_for(admin)
    response = client.post(
        reverse("calendar:move"),
        {
            "verplaats-period": "2026-2027:herfst",
            "verplaats-start": "2026-10-17",
            "verplaats-end": "2026-10-25",
            "verplaats-calendar_version": 0,
            "schooljaar": "2026-2027",
        },
        follow=True,
    )
    body = text(response)
    assert "Herfstvakantie is verplaatst" in body
    assert "Herfstvakantie (eigen data)" in body
    assert "Regionaal, vervangen door uw eigen data" in body
    bad = SimpleUploadedFile("vakanties.csv", b"naam;eerste dag;laatste dag\nX;2026-13-01;\n")
    refused = client.post(
        reverse("calendar:import"), {"import-file": bad, "schooljaar": "2026-2027"}
    )
    assert refused.status_code == 400
    assert "Er is niets ingelezen" in text(refused)
    assert "Regel 2: eerste dag &#x27;2026-13-01&#x27; is geen geldige datum" in text(refused)
    good = SimpleUploadedFile(
        "vakanties.csv", b"naam;eerste dag;laatste dag\nStudiedag;2026-11-18;2026-11-18\n"
    )
    done = client.post(
        reverse("calendar:import"), {"import-file": good, "schooljaar": "2026-2027"}, follow=True
    )
    assert "Ingelezen: 1 toegevoegd, 0 gewijzigd, 0 al bekend." in text(done)


def test_region_is_chosen_on_the_calendar_screen(school, regional, autumn_2026):
    roc, admin, _minor, _adult = school
    client = client_for(admin)
    response = client.post(
        reverse("calendar:region"),
        {"holiday_region": "zuid", "version": 0, "schooljaar": "2026-2027"},
        follow=True,
    )
    assert "De vakantieregio is opgeslagen" in text(response)
    settings = SignalSettings.objects.get(institution=roc)
    assert (settings.holiday_region, settings.calendar_version) == ("zuid", 1)
    assert "Regionaal (Zuid, Rijksoverheid)" in text(response)


def test_worklist_warns_when_the_school_year_has_no_calendar(school, officer, regional):
    roc, admin, _minor, _adult = school
    MembershipFactory(user=admin, organisation=roc, role=Role.ABSENCE_OFFICER)
    warning = "ROC Verzuim heeft geen schoolkalender voor dit schooljaar"
    with time_machine.travel(datetime(2026, 9, 15, 12, tzinfo=AMSTERDAM), tick=False):
        assert warning not in text(client_for(officer).get(reverse("signals:worklist")))
    # 2029-2030: no official dates in Schakelpunt and no own holidays.
    with time_machine.travel(datetime(2029, 9, 15, 12, tzinfo=AMSTERDAM), tick=False):
        page = text(client_for(officer).get(reverse("signals:worklist")))
        assert warning in page
        assert "Vraag de functioneel beheerder van de school de schoolkalender in te stellen." in (
            page
        )
        own = text(client_for(admin).get(reverse("signals:worklist")))
        assert f'<a href="{reverse("calendar:overview")}">Stel de schoolkalender in</a>' in own
        # The school enters its own autumn week: a calendar, no warning.
        SchoolHoliday.objects.create(
            institution=roc,
            name="Herfstvakantie",
            start=date(2029, 10, 13),
            end=date(2029, 10, 21),
            school_year="2029-2030",
        )
        assert warning not in text(client_for(officer).get(reverse("signals:worklist")))
