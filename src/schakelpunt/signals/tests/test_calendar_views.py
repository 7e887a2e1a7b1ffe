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
from schakelpunt.signals.calendar import holiday_import, school_calendar
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


def test_the_first_weeks_of_a_school_year_lie_in_the_previous_years_summer_holiday(
    school, regional, autumn_2026
):
    """Noord's summer holiday of 2025-2026 runs to 16 August 2026: the first weeks of
    2026-2027 on the screen are no school weeks, as the rules count them."""
    _roc, admin, _minor, _adult = school
    page = client_for(admin).get(reverse("calendar:overview"), {"schooljaar": "2026-2027"})
    weeks = {w.number: w for w in page.context["weeks"] if w.monday.year == 2026}
    for number in (31, 32, 33):  # 27 July – 14 August 2026
        assert (weeks[number].school_days, weeks[number].periods) == (0, ("Zomervakantie",))
        assert not weeks[number].is_school_week
    assert weeks[34].school_days == 5  # from 17 August school again
    # The list of periods stays the school year's own: the summer of 2027, not that of 2026.
    summers = [p for p in page.context["periods"] if p.kind == "zomer"]
    assert [(p.start, p.end) for p in summers] == [(date(2027, 7, 10), date(2027, 8, 22))]
    body = text(page)
    assert "<td>27 jul – 31 jul 2026</td>" in body


def test_month_names_are_dutch_and_lower_case(school, regional, autumn_2026):
    _roc, admin, _minor, _adult = school
    body = text(client_for(admin).get(reverse("calendar:overview"), {"schooljaar": "2026-2027"}))
    assert "<td>12 okt – 16 okt 2026</td>" in body
    assert "<td>1 mrt – 5 mrt 2027</td>" in body
    assert "Okt" not in body and "Mrt" not in body and "Jul " not in body
    assert "zaterdag 10 oktober 2026" in body  # the periods, with the whole month name


def test_a_school_without_a_region_sees_so_and_gets_no_regional_holidays(
    school, officer, regional, autumn_2026
):
    roc, admin, _minor, _adult = school
    SignalSettings.objects.filter(institution=roc).delete()  # as a new school: never chosen
    page = client_for(admin).get(reverse("calendar:overview"), {"schooljaar": "2026-2027"})
    body = text(page)
    # Prominent, with the region form before everything else on the page.
    assert "Nog niet gekozen." in body
    assert body.index('id="id_holiday_region"') < body.index('id="schooljaar"')
    assert '<option value="" selected>— kies een regio —</option>' in body
    assert "Regionaal (" not in body
    assert not school_calendar(roc).is_holiday(date(2026, 10, 14))  # Noord's autumn week
    assert all(w.is_school_week for w in page.context["weeks"][:10])
    # The attendance worklist then warns that there is no calendar.
    worklist = text(client_for(officer).get(reverse("signals:worklist")))
    assert "ROC Verzuim heeft geen schoolkalender voor dit schooljaar" in worklist
    # Saving without a choice is refused in Dutch; choosing one brings the holidays.
    refused = client_for(admin).post(
        reverse("calendar:region"), {"holiday_region": "", "version": 0}
    )
    assert refused.status_code == 400
    assert "Kies een vakantieregio." in text(refused)
    assert not SignalSettings.objects.filter(institution=roc).exists()
    client_for(admin).post(reverse("calendar:region"), {"holiday_region": "midden", "version": 0})
    assert school_calendar(roc).is_holiday(date(2026, 10, 21))  # Midden: 17–25 October
    chosen = text(client_for(admin).get(reverse("calendar:overview")))
    assert "Nog niet gekozen." not in chosen
    assert "regio <strong>Midden</strong>" in chosen


def test_own_dates_for_a_holiday_are_kept_before_the_region_is_chosen(
    school, regional, autumn_2026
):
    """A school imports its own autumn week before choosing its region: the week counts at
    once, and replaces the region's autumn week once the region is chosen."""
    roc, admin, _minor, _adult = school
    SignalSettings.objects.filter(institution=roc).delete()
    data = b"naam;eerste dag;laatste dag;vervangt\nHerfst;2027-10-09;2027-10-17;herfstvakantie\n"
    assert holiday_import(actor=admin, institution=roc, data=data).ok
    unknown = b"naam;eerste dag;laatste dag;vervangt\nHerfst;2029-10-06;2029-10-14;herfst\n"
    refused = holiday_import(actor=admin, institution=roc, data=unknown)
    assert [str(e) for e in refused.errors] == [
        "Regel 2: voor schooljaar 2029-2030 zijn er geen officiële data van de herfstvakantie "
        "om te vervangen."
    ]
    assert school_calendar(roc).is_holiday(date(2027, 10, 13))
    client_for(admin).post(reverse("calendar:region"), {"holiday_region": "noord", "version": 0})
    calendar = school_calendar(roc)
    assert calendar.is_holiday(date(2027, 10, 13))
    assert not calendar.is_holiday(date(2027, 10, 20))  # Noord's autumn week, replaced
    assert calendar.is_holiday(date(2027, 12, 28))  # Noord's Christmas holiday
