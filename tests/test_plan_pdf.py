"""The plan as a PDF: readable text, logged as an export, only for those who may."""

import io
import re
from datetime import timedelta

from django.utils import timezone
from pypdf import PdfReader

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.support.plans import ActionInput, GoalInput, plan_save
from schakelpunt.support.services import (
    support_team_add,
    trajectory_open,
    trajectory_set_coordinator,
)
from tests.world import client_for


def make_plan(world):  # type: ignore[no-untyped-def]
    anna, care = world.students["t1"], world.users["care_l1"]
    t = trajectory_open(actor=care, student=anna, life_domains=["home"])
    t = trajectory_set_coordinator(
        actor=care, trajectory_id=t.pk, coordinator=care, expected_version=t.version
    )
    plan_save(
        actor=care,
        trajectory_id=t.pk,
        expected_version=0,
        goals=[GoalInput("home", "Ik wil een rustige plek om te leren, ook in het weekend.")],
        actions=[
            ActionInput(
                "Gesprek met moeder over huiswerkplek",
                timezone.localdate() + timedelta(days=7),
                owner=care,
            )
        ],
        wishes="Afspraken liever op dinsdag – niet op maandag.",
        review_on=timezone.localdate() + timedelta(days=30),
    )
    return anna


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_coach_downloads_the_plan_for_a_conversation(world):
    anna = make_plan(world)
    response = client_for(world.users["coach"]).get(f"/studenten/{anna.pk}/plan.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(pdf_text(response.content).split())
    assert "Ondersteuningsplan" in text
    assert anna.full_name in text
    assert "Ik wil een rustige plek om te leren, ook in het weekend." in text
    assert "Gesprek met moeder over huiswerkplek" in text
    # The PDF's fonts have no en dash; a hyphen stands in. Accents stay.
    assert "Afspraken liever op dinsdag - niet op maandag." in text
    assert "Vertrouwelijk" in text
    export = AccessLogEntry.objects.get(action="export")
    assert (export.student_id, export.part, export.user) == (
        anna.pk,
        "support",
        world.users["coach"],
    )


def test_student_downloads_own_plan_others_cannot(world):
    anna = make_plan(world)
    assert (
        client_for(world.users["student"]).get(f"/studenten/{anna.pk}/plan.pdf").status_code == 200
    )
    for who in ("rmc", "worker_p1", "municipal", "advisor_l2"):
        assert client_for(world.users[who]).get(f"/studenten/{anna.pk}/plan.pdf").status_code == 404


def test_a_long_line_in_my_team_wraps_without_stretching_the_words(world):
    """Found: a team member with a long role and e-mail address came out justified, the words
    of its first line pulled across the page. Every paragraph is set flush left: no extra
    word spacing (the PDF's Tw operator) anywhere."""
    anna = make_plan(world)
    worker = world.users["advisor_l2"]
    worker.email = "schoolmaatschappelijk.werk.locatie-een@roc-van-twente.example.nl"
    worker.save()
    support_team_add(
        actor=world.users["care_l1"],
        student=anna,
        member=worker,
        role_description="Schoolmaatschappelijk werk, voor vragen over thuis en geld",
    )
    content = client_for(world.users["coach"]).get(f"/studenten/{anna.pk}/plan.pdf").content
    reader = PdfReader(io.BytesIO(content))
    streams = "".join(p.get_contents().get_data().decode("latin-1") for p in reader.pages)
    spacing = [float(v) for v in re.findall(r"(-?[\d.]+) Tw", streams)]
    assert [v for v in spacing if v != 0] == []
    text = " ".join(pdf_text(content).split())
    assert "Schoolmaatschappelijk werk, voor vragen over thuis en geld" in text
