"""The plan as a PDF: readable text, logged as an export, only for those who may."""

import io
from datetime import timedelta

from django.utils import timezone
from pypdf import PdfReader

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.support.plans import ActionInput, GoalInput, plan_save
from schakelpunt.support.services import trajectory_open, trajectory_set_coordinator
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
