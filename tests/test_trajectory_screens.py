"""The trajectory through the screens: open, coordinator, stage, tier; refused when not allowed."""

import pytest

from schakelpunt.support.models import Trajectory
from tests.world import client_for


def test_care_coordinator_runs_a_trajectory_from_the_file(world):
    anna = world.students["t1"]
    care = client_for(world.users["care_l1"])
    base = f"/studenten/{anna.pk}/"
    page = care.get(base).content.decode()
    assert "Er is geen lopend ondersteuningstraject." in page
    care.post(base + "traject/openen/", {"life_domains": ["home", "finances"], "reason": "Zorgen"})
    trajectory = Trajectory.objects.get(student=anna)
    page = care.get(base).content.decode()
    assert "Gesignaleerd" in page
    assert "Thuissituatie, Financiën" in page

    refused = care.post(
        base + f"traject/{trajectory.pk}/fase/",
        {"to_state": "clarifying", "version": trajectory.version},
        follow=True,
    )
    assert "Kies eerst een regisseur voor dit traject." in refused.content.decode()

    care.post(
        base + f"traject/{trajectory.pk}/regisseur/",
        {"coordinator": world.users["care_l1"].pk, "version": trajectory.version},
    )
    trajectory.refresh_from_db()
    care.post(
        base + f"traject/{trajectory.pk}/fase/",
        {"to_state": "clarifying", "version": trajectory.version},
    )
    trajectory.refresh_from_db()
    care.post(
        base + f"traject/{trajectory.pk}/zwaarte/",
        {
            "tier": "breedte",
            "reason": "SMW erbij",
            "effective_on": "2026-01-05",
            "version": trajectory.version,
        },
    )
    trajectory.refresh_from_db()
    assert (trajectory.state, trajectory.tier) == ("clarifying", "breedte")
    page = care.get(base).content.decode()
    assert "Vraagverheldering" in page
    assert "Zwaarte gewijzigd" in page  # timeline
    assert "SMW erbij" in page


def test_a_stale_form_is_refused_with_a_clear_message(world):
    anna = world.students["t1"]
    care = client_for(world.users["care_l1"])
    base = f"/studenten/{anna.pk}/"
    care.post(base + "traject/openen/", {})
    trajectory = Trajectory.objects.get(student=anna)
    old = trajectory.version
    care.post(
        base + f"traject/{trajectory.pk}/regisseur/",
        {"coordinator": world.users["care_l1"].pk, "version": old},
    )
    stale = care.post(
        base + f"traject/{trajectory.pk}/zwaarte/",
        {"tier": "diepte", "reason": "x", "effective_on": "2026-01-05", "version": old},
        follow=True,
    )
    assert "Iemand anders heeft dit traject intussen gewijzigd" in stale.content.decode()
    trajectory.refresh_from_db()
    assert trajectory.tier == "basis"


@pytest.mark.parametrize("who", ["worker_p1", "rmc", "municipal", "student", "coach"])
def test_people_without_change_rights_cannot_open_a_trajectory(world, who):
    # coach works with t1 only; the others may at most look. The target is t3 or t1 accordingly.
    target = world.students["t3"] if who in {"worker_p1", "coach"} else world.students["t1"]
    response = client_for(world.users[who]).post(f"/studenten/{target.pk}/traject/openen/", {})
    assert response.status_code == 404
    assert not Trajectory.objects.exists()


def test_student_sees_the_trajectory_but_no_forms_to_change_it(world):
    from schakelpunt.support.services import trajectory_open

    trajectory_open(actor=world.users["care_l1"], student=world.students["t1"])
    page = client_for(world.users["student"]).get(f"/studenten/{world.students['t1'].pk}/")
    body = page.content.decode()
    assert "Je krijgt extra hulp sinds" in body  # in the student's words, not the phase
    assert "Gesignaleerd" not in body
    assert "Fase wijzigen" not in body
    assert "Traject openen" not in body


def test_forms_start_from_today_and_ask_to_choose_a_coordinator(world):
    from django.utils import timezone

    from schakelpunt.support.services import trajectory_open

    trajectory_open(actor=world.users["care_l1"], student=world.students["t1"])
    page = client_for(world.users["care_l1"]).get(f"/studenten/{world.students['t1'].pk}/")
    body = page.content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in body  # the date input's value
    assert "— kies een regisseur —" in body
