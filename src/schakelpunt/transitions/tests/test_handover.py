"""Warm handover VO→MBO: the file, the matching rules, the review, intake and start plan."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.world import World, client_for

from schakelpunt.accounts.models import Organisation
from schakelpunt.students.models import Student
from schakelpunt.support.models import SupportPlan, Trajectory
from schakelpunt.transitions.handover import handover_confirm, handover_import
from schakelpunt.transitions.models import HandoverRecord, MatchStatus

HEADER = "vo_school;voornaam;tussenvoegsel;achternaam;geboortedatum;schoolsoort;diploma_verwacht;toestemming;studentnummer;ondersteuning;wat_werkte;mentor;mentor_email\n"


def _file(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def _pupil(student: Student, **over: str) -> str:
    values = {
        "school": "Het Esch College",
        "first": student.first_name,
        "prefix": student.name_prefix,
        "last": student.last_name,
        "born": student.date_of_birth.isoformat(),
        "type": "vmbo-k",
        "diploma": "onzeker",
        "consent": "ja",
        "number": "",
        "support": "Faalangsttraining, vaste mentor",
        "worked": "Korte opdrachten en vooraf weten wat er komt",
        "mentor": "Mevr. De Boer",
        "mail": "deboer@esch.example",
    } | over
    return ";".join(values.values())


def _import(world: World, data: bytes):  # type: ignore[no-untyped-def]
    return handover_import(
        actor=world.users["care_l1"],
        institution=Organisation.objects.get(name="ROC Een"),
        data=data,
    )


def test_exact_matches_by_number_or_by_name_and_birth_date(world: World) -> None:
    anna, bram = world.students["t1"], world.students["t2"]
    # Anna by name and birth date; Bram by his MBO student number, though called otherwise.
    result = _import(
        world, _file(_pupil(anna), _pupil(bram, first="Bramje", number=bram.student_number))
    )
    assert result.ok, result.errors
    assert result.created == 2
    assert HandoverRecord.objects.get(first_name=anna.first_name).student == anna
    assert HandoverRecord.objects.get(first_name="Bramje").student == bram


def test_uncertain_and_none_and_the_review(world: World) -> None:
    anna = world.students["t1"]
    result = _import(
        world,
        _file(
            _pupil(anna, first="Annabel"),  # same last name and birth date: uncertain
            _pupil(anna, first="Zoë", last="Nieuw", born="2010-03-04"),  # nobody: not enrolled
        ),
    )
    assert result.ok, result.errors
    uncertain = HandoverRecord.objects.get(first_name="Annabel")
    assert uncertain.match_status == MatchStatus.UNCERTAIN and uncertain.candidates == [anna.pk]
    assert HandoverRecord.objects.get(first_name="Zoë").match_status == MatchStatus.NONE
    coordinator = client_for(world.users["care_l1"])
    html = coordinator.get(reverse("intake:incoming")).content.decode()
    assert "Annabel" in html and "Is dit een van deze studenten?" in html
    coordinator.post(reverse("intake:confirm", args=[uncertain.pk]), {"student": str(anna.pk)})
    uncertain.refresh_from_db()
    assert uncertain.student == anna and uncertain.matched_by == world.users["care_l1"]
    # A decided match is not undone by matching again.
    _import(world, _file(_pupil(anna, first="Annabel")))
    uncertain.refresh_from_db()
    assert uncertain.student == anna


def test_a_bad_file_changes_nothing_and_names_each_row(world: World) -> None:
    anna = world.students["t1"]
    result = _import(
        world,
        _file(
            _pupil(anna),
            _pupil(anna, first="Piet", born="31-02-2010"),
            _pupil(anna, first="Kees", consent="nee"),  # support text without consent
            _pupil(anna, first="Els", type="mavo"),
        ),
    )
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("Regel 3: geboortedatum '31-02-2010'") for m in messages)
    assert any(m.startswith("Regel 4: zonder toestemming") for m in messages)
    assert any(m.startswith("Regel 5: schoolsoort 'mavo' is onbekend") for m in messages)
    assert HandoverRecord.objects.count() == 0


def test_the_same_file_again_changes_nothing(world: World) -> None:
    data = _file(_pupil(world.students["t1"]))
    assert _import(world, data).created == 1
    again = _import(world, data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_only_the_care_team_and_admin_handle_handover(world: World) -> None:
    with pytest.raises(PermissionDenied):
        handover_import(
            actor=world.users["coach"],
            institution=Organisation.objects.get(name="ROC Een"),
            data=_file(_pupil(world.students["t1"])),
        )
    assert client_for(world.users["coach"]).get(reverse("intake:incoming")).status_code == 404
    record = HandoverRecord.objects.create(
        institution=Organisation.objects.get(name="ROC Een"),
        source_school="X",
        first_name="A",
        last_name="B",
        date_of_birth=date(2010, 1, 1),
        school_type="havo",
        diploma_expected="yes",
        consent=True,
    )
    with pytest.raises(PermissionDenied):
        handover_confirm(actor=world.users["worker_p1"], record_id=record.pk, student_id=None)


def test_the_upload_screen_intake_and_start_plan(world: World) -> None:
    anna = world.students["t1"]
    coordinator = client_for(world.users["care_l1"])
    upload = SimpleUploadedFile("overdracht.csv", _file(_pupil(anna)), content_type="text/csv")
    coordinator.post(reverse("intake:incoming"), {"file": upload})
    assert HandoverRecord.objects.get().student == anna
    page = coordinator.get(f"/studenten/{anna.pk}/").content.decode()
    assert "Warme overdracht" in page and "Korte opdrachten" in page
    coordinator.post(
        reverse("intake:intake", args=[anna.pk]),
        {
            "held_on": "2026-08-20",
            "participants": "Anna, moeder, mentor",
            "notes": "Vaste plek in de klas",
        },
    )
    coordinator.post(reverse("intake:start_plan", args=[anna.pk]))
    plan = SupportPlan.objects.get(trajectory__student=anna)
    assert "Korte opdrachten" in plan.agreements
    assert plan.actions.get().description.startswith("Intakegesprek")
    assert Trajectory.objects.filter(student=anna).count() == 1
