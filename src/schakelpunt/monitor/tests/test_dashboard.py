"""The dashboards, their exports and the PDF report: what an aggregate role gets never holds a
count of 1–4, not in a cell, a tile, a sentence or a chart; every view of a count shows the
same published value, near the truth (decision 0020; the attacker in test_attacker.py shows
that no small count can be worked out)."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader
from tests.world import World, client_for

from schakelpunt.accounts.models import Location, Organisation, Programme
from schakelpunt.accounts.tests.factories import municipality
from schakelpunt.monitor import indicators as ind
from schakelpunt.monitor.models import MonitorSnapshot
from schakelpunt.monitor.periods import school_year_of
from schakelpunt.monitor.suppression import MAX_NOISE, forget_atoms, publish
from schakelpunt.referrals.models import Referral, ReferralStatus
from schakelpunt.signals.models import AbsenceReport
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory
from schakelpunt.support.models import Trajectory

SMALL = {"1", "2", "3", "4"}


def _residents(world: World) -> list[Student]:
    """23 residents of Enschede: 20 at L1, 3 at L2; a few small groups of work among them."""
    Student.objects.update(residence_municipality=municipality("GM0141"))
    enschede = municipality("GM0153")
    l1 = Programme.objects.filter(team__location=Location.objects.get(name="L1")).first()
    l2 = Programme.objects.filter(team__location=Location.objects.get(name="L2")).first()
    start = school_year_of(timezone.localdate()).start - timedelta(days=400)
    made = [
        StudentFactory(
            programme=programme,
            residence_municipality=enschede,
            enrolled_on=start,
            last_name=f"Geheim{i}",
        )
        for i, programme in enumerate([l1] * 20 + [l2] * 3)
    ]
    now = timezone.now()
    coordinator = world.users["care_l1"]
    # Twelve trajectories: one heavy, five basis, six breedte; three with many life domains.
    for i, student in enumerate(made[:12]):
        Trajectory.objects.create(
            student=student,
            state="active",
            tier="diepte" if i == 0 else "basis" if i < 6 else "breedte",
            coordinator=coordinator,
            life_domains=["home", "finances", "work"] if i < 3 else ["education"],
            opened_at=now - timedelta(days=20),
        )
    Referral.objects.create(
        student=made[0],
        to_organisation=Organisation.objects.get(name="Zorg Een"),
        status=ReferralStatus.SENT,
        sent_at=now - timedelta(days=10),
    )
    for student in made[:2]:
        AbsenceReport.objects.create(
            student=student,
            kind="16_in_4",
            start_date=timezone.localdate() - timedelta(days=30),
            threshold_on=timezone.localdate() - timedelta(days=2),
            end_date=timezone.localdate() - timedelta(days=2),
            unauthorised_hours=16,
            rules_version="test",
        )
    return made


def _integers(texts: list[str]) -> list[str]:
    return [t.strip() for t in texts if t.strip().isdigit()]


def _tile(html: str) -> str:
    found = re.search(r'<strong class="tile-value">([^<]*)</strong>', html)
    assert found
    return found.group(1)


def _enrolled_now() -> str:
    """The published count of Enschede's residents enrolled this school year."""
    forget_atoms()
    students = Student.objects.filter(residence_municipality=municipality("GM0153"))
    return str(publish(ind.enrolled_records(students, school_year_of(timezone.localdate()))))


def test_no_output_for_the_advisor_holds_a_small_count(world: World, tmp_path: Path) -> None:
    _residents(world)
    advisor = client_for(world.users["municipal"])
    url = reverse("monitor:monitor")
    html = advisor.get(url, {"uitsplitsing": "locatie"}).content.decode()
    assert "Geheim" not in html
    # Every table cell, every tile and every sentence.
    cells = re.findall(r"<td[^>]*>(?:<strong>)?([^<]*)", html)
    tiles = re.findall(r'<strong class="tile-value">([^<]*)</strong>', html)
    # 23 residents in two programmes: published within the noise of each, the same everywhere.
    enrolled = tiles[0]
    assert abs(int(enrolled) - 23) <= 2 * MAX_NOISE and enrolled == _enrolled_now()
    assert enrolled in _integers(cells)
    assert f"In deze periode waren {enrolled} studenten ingeschreven." in html
    assert not SMALL & set(_integers(cells) + tiles)
    assert not re.search(r"\b[1-4] (studenten|trajecten|meldingen|beoordelingen)\b", html)
    # The charts draw only what the tables show as a number: never a "<5" category.
    tiers = re.search(r'id="fig-tiers".*?</section>', html, re.S)
    assert tiers and 'aria-label="Ondersteuning naar zwaarte' in tiers.group(0)
    chart = re.search(r"<svg.*?</svg>", tiers.group(0), re.S)
    rows = dict(re.findall(r'<th scope="row">([^<]*)</th><td class="num">([^<]+)<', tiers.group(0)))
    for label, value in rows.items():
        name = label.split(" (")[0]
        if value == "&lt;5" or value == "0":
            assert not chart or f">{name}" not in chart.group(0), label
        elif chart:
            assert name in chart.group(0), label
    # How the figures are protected, on the page.
    assert "Hoe we de cijfers beschermen" in html and "licht verstoord" in html
    # Every CSV, with the same values as the page.
    for table in ("trend", "tiers", "closed", "domains", "referrals", "waiting", "reports"):
        body = advisor.get(url, {"formaat": "csv", "tabel": table}).content.decode("utf-8-sig")
        csv_rows = list(csv.reader(io.StringIO(body), delimiter=";"))
        assert len(csv_rows) >= 2, table
        assert not SMALL & set(_integers([c for row in csv_rows[1:] for c in row[1:]])), table
        if table == "trend":
            assert csv_rows[-1][1] == enrolled
        if table == "tiers":
            shown_rows = {r[0]: r[1] for r in csv_rows[1:]}
            assert {
                k: v.replace("&lt;", "<") for k, v in rows.items()
            }.items() <= shown_rows.items()
    # The workbook: every sheet.
    book = load_workbook(io.BytesIO(advisor.get(url, {"formaat": "xlsx"}).content))
    assert {"Kerncijfers", "Ondersteuning naar zwaarte"} <= set(book.sheetnames)
    values = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    ]
    assert int(enrolled) in values
    assert not {1, 2, 3, 4} & {v for v in values if isinstance(v, int)}
    # The PDF report from the screen.
    pdf = advisor.get(url, {"formaat": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Gemeente Enschede" in text and "Geheim" not in text
    assert f"In deze periode waren {enrolled} studenten ingeschreven." in text
    assert not re.search(r"(?<![\d,.<%-])[1-4](?![\d,%])\s*(studenten|trajecten)", text)


def test_the_report_cli_writes_a_pdf_with_the_key_figures(world: World, tmp_path: Path) -> None:
    _residents(world)
    year = school_year_of(timezone.localdate())
    out = tmp_path / "rapport.pdf"
    call_command(
        "monitor", "report", "--period", year.code, "--municipality", "GM0153", "--out", str(out)
    )
    reader = PdfReader(out)
    assert len(reader.pages) >= 4
    cover = reader.pages[0].extract_text()
    assert "Monitor sluitende aanpak" in cover and "Gemeente Enschede" in cover
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Samenvatting" in text and "Definities" in text
    assert "Hoe we de cijfers beschermen" in text and "licht verstoord" in text
    assert f"In deze periode waren {_enrolled_now()} studenten ingeschreven." in text
    # The single heavy trajectory never reads as a number of 1–4.
    diepte = re.search(r"Diepte \(specialist, extern\) (\S+)", text)
    assert diepte and diepte.group(1) not in SMALL
    assert "Geheim" not in text
    # The RMC region's report: Enschede's residents and the world's others in Twente.
    region = tmp_path / "regio.pdf"
    call_command(
        "monitor", "report", "--period", year.code, "--region", "MC12", "--out", str(region)
    )
    regional = "\n".join(page.extract_text() for page in PdfReader(region).pages)
    assert "RMC-regio Twente" in regional and "Geheim" not in regional
    with pytest.raises(CommandError, match="Onbekende RMC-regiocode"):
        call_command(
            "monitor", "report", "--period", year.code, "--region", "XX99", "--out", str(region)
        )
    with pytest.raises(CommandError, match="Onbekende gemeentecode"):
        call_command(
            "monitor",
            "report",
            "--period",
            year.code,
            "--municipality",
            "GM9999",
            "--out",
            str(out),
        )
    with pytest.raises(CommandError, match="Onbekende periode"):
        call_command(
            "monitor",
            "report",
            "--period",
            "vorig jaar",
            "--municipality",
            "GM0153",
            "--out",
            str(out),
        )
    with pytest.raises(CommandError, match="één gemeente"):
        call_command("monitor", "report", "--period", year.code, "--out", str(out))


def test_a_dashboard_is_kept_and_rebuilt_when_refreshed(world: World) -> None:
    made = _residents(world)
    advisor = client_for(world.users["municipal"])
    url = reverse("monitor:monitor")
    call_command("monitor", "refresh", "--period", school_year_of(timezone.localdate()).code)
    first = _tile(advisor.get(url).content.decode())
    assert first == _enrolled_now()
    StudentFactory(
        programme=made[0].programme,
        residence_municipality=made[0].residence_municipality,
        enrolled_on=made[0].enrolled_on,
    )
    # Kept: the page is a read, and says when it was computed.
    page = advisor.get(url).content.decode()
    assert _tile(page) == first and "berekend op" in page
    call_command("monitor", "refresh", "--period", school_year_of(timezone.localdate()).code)
    assert _tile(advisor.get(url).content.decode()) == _enrolled_now()
    # Old figures stay until someone asks for new ones ("Opnieuw berekenen", a POST).
    MonitorSnapshot.objects.update(computed_at=timezone.now() - timedelta(hours=7))
    before = _enrolled_now()
    StudentFactory(
        programme=made[0].programme,
        residence_municipality=made[0].residence_municipality,
        enrolled_on=made[0].enrolled_on,
    )
    assert _tile(advisor.get(url).content.decode()) == before
    assert advisor.post(reverse("monitor:refresh")).status_code == 302
    assert _tile(advisor.get(url).content.decode()) == _enrolled_now()


def test_opening_the_monitor_and_its_exports_stores_nothing(world: World) -> None:
    """A GET only reads: the page, CSV, Excel and PDF are computed for the answer, the same
    published counts in each, and nothing is kept until an explicit refresh."""
    _residents(world)
    advisor = client_for(world.users["municipal"])
    url = reverse("monitor:monitor")
    page = advisor.get(url).content.decode()
    assert _tile(page) == _enrolled_now() and "niet bewaard" in page
    advisor.get(url, {"formaat": "csv", "tabel": "trend"})
    advisor.get(url, {"formaat": "xlsx"})
    pdf = advisor.get(url, {"formaat": "pdf"})
    assert pdf.status_code == 200
    assert not MonitorSnapshot.objects.exists()
    # Pressing "Opnieuw berekenen" keeps them; the page then says when.
    assert "Opnieuw berekenen" in page
    response = advisor.post(reverse("monitor:refresh") + "?uitsplitsing=niveau")
    assert response.status_code == 302 and response["Location"].endswith("?uitsplitsing=niveau")
    assert MonitorSnapshot.objects.filter(kind="dashboard").count() == 1
    assert MonitorSnapshot.objects.filter(kind="tabel:niveau").exists()
    page = advisor.get(url).content.decode()
    assert "berekend op" in page and _tile(page) == _enrolled_now()
    assert advisor.get(reverse("monitor:refresh")).status_code == 405
    # Only who may see the population may have it computed.
    coach = client_for(world.users["coach"])
    assert coach.post(reverse("monitor:refresh")).status_code == 404


def test_figures_kept_before_they_were_protected_are_not_shown(world: World) -> None:
    _residents(world)
    advisor = client_for(world.users["municipal"])
    url = reverse("monitor:monitor")
    call_command("monitor", "refresh", "--period", school_year_of(timezone.localdate()).code)
    # A kept dashboard from before decision 0020: exact counts, no method recorded.
    snapshot = MonitorSnapshot.objects.get(kind="dashboard", scope="gemeente:GM0153")
    old = {k: v for k, v in snapshot.data.items() if k != "protection"}
    old["tiles"][0]["value"] = "23"
    old["title"] = "Onbeschermd"
    MonitorSnapshot.objects.filter(pk=snapshot.pk).update(data=old)
    page = advisor.get(url).content.decode()
    assert "Onbeschermd" not in page and _tile(page) == _enrolled_now()


def test_an_ended_period_computed_after_its_end_stays(world: World) -> None:
    _residents(world)
    advisor = client_for(world.users["municipal"])
    last_year = school_year_of(school_year_of(timezone.localdate()).start - timedelta(days=1))
    url = reverse("monitor:monitor")
    call_command("monitor", "refresh", "--period", last_year.code)
    kept = _tile(advisor.get(url, {"periode": last_year.code}).content.decode())
    MonitorSnapshot.objects.update(computed_at=datetime(2099, 1, 1, tzinfo=UTC))
    StudentFactory(residence_municipality=municipality("GM0153"), enrolled_on=last_year.start)
    page = advisor.get(url, {"periode": last_year.code}).content.decode()
    assert _tile(page) == kept


def test_chart_captions_do_not_say_where_the_table_is(world: World) -> None:
    """The table stands below the chart on a narrow screen and always for the trend."""
    _residents(world)
    html = client_for(world.users["municipal"]).get(reverse("monitor:monitor")).content.decode()
    captions = re.findall(r"<figcaption[^>]*>([^<]*)</figcaption>", html)
    assert captions
    assert not [c for c in captions if "ernaast" in c or "hiernaast" in c]
    assert all("De tabel bij deze grafiek" in c for c in captions)
