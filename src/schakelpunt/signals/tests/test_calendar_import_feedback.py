"""What the administrator sees after importing a file (issue 17's walk-through): a failed
holiday import is named at the top of the long calendar page, a successful one shows the
school year of the imported days, and a bad absence date says which formats work."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.world import client_for

from schakelpunt.refdata.loader import load_school_holidays
from schakelpunt.refdata.models import RegionalHoliday
from schakelpunt.signals.importer import absence_import

from .test_absence import HEADER

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def autumn_2026(db):  # type: ignore[no-untyped-def]
    if not RegionalHoliday.objects.exists():
        load_school_holidays(RegionalHoliday=RegionalHoliday)
    with time_machine.travel(datetime(2026, 9, 15, 12, tzinfo=AMSTERDAM), tick=False):
        yield


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("vakanties.csv", content)


def test_a_failed_holiday_import_is_named_at_the_top_of_the_page(school, autumn_2026):
    _roc, admin, *_ = school
    bad = upload(b"naam;eerste dag;laatste dag\nStudiedag;2027-13-01;2027-13-01\n")
    response = client_for(admin).post(
        reverse("calendar:import"), {"import-file": bad, "schooljaar": "2026-2027"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    first_error = "Regel 2: eerste dag &#x27;2027-13-01&#x27; is geen geldige datum"
    summary = body.index('class="form-errors error-summary" role="alert"')
    # Before the first table of the page (the periods), not only next to the form far below.
    assert summary < body.index(first_error) < body.index("<table")
    assert "Het bestand is niet ingelezen" in body[summary : body.index("<table")]
    assert 'href="#import-fouten"' in body and 'id="import-fouten"' in body


def test_an_import_without_a_file_is_named_at_the_top_too(school, autumn_2026):
    _roc, admin, *_ = school
    response = client_for(admin).post(reverse("calendar:import"), {"schooljaar": "2026-2027"})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.index('href="#id_import-file"') < body.index("<table")


def test_a_successful_import_shows_the_school_year_of_the_imported_days(school, autumn_2026):
    _roc, admin, *_ = school
    good = upload(b"naam;eerste dag;laatste dag\nStudiedag;2027-11-17;2027-11-17\n")
    client = client_for(admin)
    response = client.post(
        reverse("calendar:import"), {"import-file": good, "schooljaar": "2026-2027"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?schooljaar=2027-2028")
    page = client.get(response["Location"])
    assert "Ingelezen: 1 toegevoegd, 0 gewijzigd, 0 al bekend." in page.content.decode()
    assert "Vakanties en vrije dagen in 2027-2028" in page.content.decode()


def test_a_file_with_days_in_the_shown_school_year_stays_on_it(school, autumn_2026):
    _roc, admin, *_ = school
    good = upload(
        b"naam;eerste dag;laatste dag\n"
        b"Studiedag;2026-11-18;2026-11-18\nStudiedag;2027-11-17;2027-11-17\n"
    )
    response = client_for(admin).post(
        reverse("calendar:import"), {"import-file": good, "schooljaar": "2026-2027"}
    )
    assert response["Location"].endswith("?schooljaar=2026-2027")


def test_a_bad_absence_date_names_the_formats_that_work(school):
    roc, admin, *_ = school
    result = absence_import(
        actor=admin,
        institution=roc,
        data=(HEADER + "200;32-11-2026;8;4;nee;ongeoorloofd\n").encode(),
    )
    assert result.errors == [
        "Regel 2: datum '32-11-2026' is geen geldige datum (gebruik JJJJ-MM-DD of DD-MM-JJJJ)."
    ]
