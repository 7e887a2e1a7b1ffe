"""A long text of the student's own prints whole in their PDF download (it used to give a 500:
fpdf2 cannot draw a table row taller than a page)."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader
from tests.world import World, client_for

from schakelpunt.support.models import StudentContribution

pytestmark = pytest.mark.django_db

SEE_BELOW = "Lange tekst: staat onder de tabel"


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_50000_character_text_is_in_the_pdf_whole_and_short_ones_stay_in_their_table(
    world: World,
) -> None:
    student = world.students["t1"]
    # Numbered words, so that every part of the text can be found back (a page break puts
    # the footer between two words).
    words = [f"lw{n:05d}" for n in range(1, 7200)]
    long_text = " ".join(words)
    assert len(long_text) > 50_000
    StudentContribution.objects.create(student=student, text=long_text)
    StudentContribution.objects.create(student=student, text="Kort stukje van mezelf")

    response = client_for(world.users["student"]).get(reverse("privacy:own_data_pdf"))

    assert response.status_code == 200
    text = pdf_text(response.content)
    found = re.findall(r"lw\d{5}", text)
    # The text is in two parts of the download: what happened, and what the student wrote.
    assert found.count(words[-1]) == 2 and found.count(words[0]) == 2
    assert set(found) == set(words)
    assert len(found) == 2 * len(words)
    # Only the long text leaves its tables; the short one is in them as before.
    assert text.count(SEE_BELOW) == 2
    assert text.count("Kort stukje van mezelf") == 2
