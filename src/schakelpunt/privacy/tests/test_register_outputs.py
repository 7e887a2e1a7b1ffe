"""The register as the privacy officer gets it: the command (Markdown and CSV) and the page."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from tests.world import client_for

from schakelpunt.privacy.register import ACTIVITIES, RETENTION, Activity, DataCategory

CSV_ACTIVITY_CODE = 1  # the column with the activity's code


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("privacy", "register", *args, stdout=out)
    return out.getvalue()


def _csv_rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), "the CSV starts with a BOM, as every export"
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_the_command_prints_the_register_as_markdown_by_default():
    text = _command()
    assert text == _command("--format", "md")
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    for activity in Activity:
        assert f"## {activity.label} (`{activity.value}`)" in sections
    assert len(sections) == len(Activity) + 1  # and the tables without personal data
    # The access log: five years, from the standard and the decree that sets the period.
    log = RETENTION[DataCategory.ACCESS_LOG]
    assert "| Toegangslog en geweigerde pogingen | " in text
    assert "5 jaar na het vastleggen" in text
    assert log.legal_source in text
    assert "(students.Student)" in text
    assert "| contenttypes.ContentType |" in text


def test_the_command_prints_the_register_as_csv_with_one_row_per_activity():
    rows = _csv_rows(_command("--format", "csv"))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Verwerking", "Code", "Doel", "Grondslag"]
    assert "Bewaartermijnen" in header
    assert len(body) == len(Activity)
    assert [row[CSV_ACTIVITY_CODE] for row in body] == [a.value for a in ACTIVITIES]
    assert all(len(row) == len(header) for row in body)
    early = next(row for row in body if row[CSV_ACTIVITY_CODE] == Activity.EARLY_WARNING)
    by_column = dict(zip(header, early, strict=True))
    assert by_column["Grondslag"] == "Taak van algemeen belang"
    assert by_column["Artikel grondslag"] == "AVG art. 6 lid 1 onder e"
    assert by_column["Bezwaar mogelijk (AVG art. 21)"] == "ja"
    assert "Vroegsignalen: bij uitschrijving" in by_column["Bewaartermijnen"]
    assert "signals.EarlyWarning" in by_column["Tabellen"]


def test_an_unknown_format_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="format"):
        _command("--format", "pdf")


def test_the_privacy_officer_reads_the_register_and_downloads_it(world):
    client = client_for(world.users["privacy"])
    page = client.get(reverse("privacy:register"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Register van verwerkingen</h1>" in html
    for activity in Activity:
        assert f'id="verwerking-{activity.value}"' in html
        assert str(activity.label) in html
    assert "5 jaar na het vastleggen" in html
    assert "Wettelijke plicht" in html and "AVG art. 6 lid 1 onder c" in html
    assert 'scope="col">Bewaartermijn</th>' in html

    download = client.get(reverse("privacy:register_csv"))
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in download["Content-Disposition"]
    rows = _csv_rows(download.content.decode("utf-8"))
    assert len(rows) == len(Activity) + 1
    assert rows == _csv_rows(_command("--format", "csv"))


@pytest.mark.parametrize("who", ["coach", "student", "care_l1", "admin"])
def test_anyone_but_the_privacy_officer_gets_not_found(world, who):
    client = client_for(world.users[who])
    assert client.get(reverse("privacy:register")).status_code == 404
    assert client.get(reverse("privacy:register_csv")).status_code == 404


def test_without_login_the_register_asks_to_log_in(db):
    from django.test import Client

    response = Client().get(reverse("privacy:register"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
