"""The dashboards, their exports and the PDF report: what an aggregate role gets never holds a
count of 1–4, not in a cell, a tile, a sentence or a chart, and not through a total."""

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
from schakelpunt.monitor.models import MonitorSnapshot
from schakelpunt.monitor.periods import school_year_of
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
            end_date=timezone.localdate() - timedelta(days=2),
            unauthorised_hours=16,
            rules_version="test",
        )
    return made


def _integers(texts: list[str]) -> list[str]:
    return [t.strip() for t in texts if t.strip().isdigit()]


def test_no_output_for_the_advisor_holds_a_small_count(world: World, tmp_path: Path) -> None:
    _residents(world)
    advisor = client_for(world.users["municipal"])
    url = reverse("monitor:monitor")
    html = advisor.get(url, {"uitsplitsing": "locatie"}).content.decode()
    assert "Geheim" not in html
    # Every table cell, every tile and every sentence.
    cells = re.findall(r"<td[^>]*>(?:<strong>)?([^<]*)", html)
    tiles = re.findall(r'<strong class="tile-value">([^<]*)</strong>', html)
    assert "23" in _integers(cells) and "23" in tiles
    assert not SMALL & set(_integers(cells) + tiles)
    assert not re.search(r"\b[1-4] (studenten|trajecten|meldingen|beoordelingen)\b", html)
    # The charts draw only what the tables show: the six breedte trajectories, not the single
    # heavy one nor the five basis ones that would give it away.
    tiers = re.search(r'id="fig-tiers".*?</section>', html, re.S)
    assert tiers and 'aria-label="Ondersteuning naar zwaarte' in tiers.group(0)
    chart = re.search(r"<svg.*?</svg>", tiers.group(0), re.S)
    assert chart and "Breedte" in chart.group(0) and "Diepte" not in chart.group(0)
    assert "Basis" not in chart.group(0)
    assert re.search(r"Diepte[^<]*</th><td class=\"num\">&lt;5", tiers.group(0))
    # Every CSV.
    for table in ("trend", "tiers", "closed", "domains", "referrals", "waiting", "reports"):
        body = advisor.get(url, {"formaat": "csv", "tabel": table}).content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body), delimiter=";"))
        assert len(rows) >= 2, table
        assert not SMALL & set(_integers([c for row in rows[1:] for c in row[1:]])), table
    # The workbook: every sheet.
    book = load_workbook(io.BytesIO(advisor.get(url, {"formaat": "xlsx"}).content))
    assert {"Kerncijfers", "Ondersteuning naar zwaarte"} <= set(book.sheetnames)
    values = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    ]
    assert 23 in values
    assert not {1, 2, 3, 4} & {v for v in values if isinstance(v, int)}
    # The PDF report from the screen.
    pdf = advisor.get(url, {"formaat": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Gemeente Enschede" in text and "Geheim" not in text
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
    assert "Samenvatting" in text and "Definities" in text and "Kleine aantallen" in text
    assert "In deze periode waren 23 studenten ingeschreven." in text
    # Five of the six trajectories are light: shown; the single heavy one is not.
    # One heavy trajectory is hidden, and with the total of 12 shown the 5 basis ones too.
    assert re.search(r"Basis \(coach\) <5\s+Breedte[^\n]* 6\s+Diepte[^\n]* <5\s+Totaal 12", text)
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
    assert '<strong class="tile-value">23</strong>' in advisor.get(url).content.decode()
    StudentFactory(
        programme=made[0].programme,
        residence_municipality=made[0].residence_municipality,
        enrolled_on=made[0].enrolled_on,
    )
    # Kept: the page is a read, and says when it was computed.
    page = advisor.get(url).content.decode()
    assert '<strong class="tile-value">23</strong>' in page and "berekend op" in page
    call_command("monitor", "refresh", "--period", school_year_of(timezone.localdate()).code)
    assert '<strong class="tile-value">24</strong>' in advisor.get(url).content.decode()
    # Older than allowed while the period runs: rebuilt on the next visit.
    MonitorSnapshot.objects.update(computed_at=timezone.now() - timedelta(hours=7))
    StudentFactory(
        programme=made[0].programme,
        residence_municipality=made[0].residence_municipality,
        enrolled_on=made[0].enrolled_on,
    )
    assert '<strong class="tile-value">25</strong>' in advisor.get(url).content.decode()


def test_an_ended_period_computed_after_its_end_stays(world: World) -> None:
    _residents(world)
    advisor = client_for(world.users["municipal"])
    last_year = school_year_of(school_year_of(timezone.localdate()).start - timedelta(days=1))
    url = reverse("monitor:monitor")
    advisor.get(url, {"periode": last_year.code})
    MonitorSnapshot.objects.update(computed_at=datetime(2099, 1, 1, tzinfo=UTC))
    StudentFactory(residence_municipality=municipality("GM0153"), enrolled_on=last_year.start)
    page = advisor.get(url, {"periode": last_year.code}).content.decode()
    assert '<strong class="tile-value">23</strong>' in page
