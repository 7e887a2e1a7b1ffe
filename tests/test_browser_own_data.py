"""The student downloads everything Schakelpunt holds about them (AVG art. 15), in a real
browser: from "Mijn gegevens" (or the download page) a PDF they can read and a JSON file."""

import io
import json
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from pypdf import PdfReader

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.signals.models import Concern

from .test_browser_trajectory import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _start_page() -> str:
    """The student's hub "Mijn gegevens" links to the downloads; without it, their own page."""
    try:
        return reverse("privacy:my_data")
    except NoReverseMatch:
        return reverse("privacy:own_data")


def test_the_student_downloads_a_readable_pdf_and_a_json_file_of_their_data(
    live_server, page, world, tmp_path: Path
):
    anna = world.students["t1"]
    Concern.objects.create(student=anna, raised_by=world.users["coach"], text="Moeinles")
    base = live_server.url
    log_in(page, base, "anna@example.nl")
    page.goto(f"{base}{_start_page()}")

    with page.expect_download() as pdf_info:
        page.get_by_role("link", name="Download als PDF").click()
    pdf_file = tmp_path / pdf_info.value.suggested_filename
    pdf_info.value.save_as(pdf_file)
    assert pdf_file.suffix == ".pdf" and anna.student_number in pdf_file.name
    content = pdf_file.read_bytes()
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert anna.full_name in text
    assert "Dit is alles wat Schakelpunt over jou bewaart" in text
    assert "Wie heeft je dossier bekeken en waarom" in text  # a part heading
    assert "Moeinles" in text  # a concern about her, not held back

    with page.expect_download() as json_info:
        page.get_by_role("link", name="JSON").click()
    json_file = tmp_path / json_info.value.suggested_filename
    json_info.value.save_as(json_file)
    data = json.loads(json_file.read_text(encoding="utf-8"))
    assert data["student_number"] == anna.student_number
    assert data["sections"]["identity"]["records"][0]["first_name"] == anna.first_name

    # Both downloads are in her access log as exports.
    assert (
        AccessLogEntry.objects.filter(student_id=anna.pk, action="export")
        .values("event_id")
        .distinct()
        .count()
        == 2
    )
