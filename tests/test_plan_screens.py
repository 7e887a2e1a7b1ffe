"""The plan through the screens: make it, read old versions, and no silent overwrite."""

from schakelpunt.support.models import SupportPlan
from schakelpunt.support.services import trajectory_open
from tests.world import client_for


def plan_post(
    version: int, *, goal: str, wishes: str = "", owner: int | str = ""
) -> dict[str, object]:
    return {
        "version": version,
        "wishes": wishes,
        "agreements": "",
        "review_on": "2027-01-15",
        "doel-TOTAL_FORMS": 2,
        "doel-INITIAL_FORMS": 0,
        "doel-0-life_domain": "education",
        "doel-0-text": goal,
        "doel-1-life_domain": "",
        "doel-1-text": "",
        "actie-TOTAL_FORMS": 1,
        "actie-INITIAL_FORMS": 0,
        "actie-0-description": "Stageplek zoeken",
        "actie-0-owner": owner,
        "actie-0-owner_name": "" if owner else "de student",
        "actie-0-due_on": "2027-01-10",
    }


def test_make_a_plan_and_read_earlier_versions(world):
    anna = world.students["t1"]
    trajectory_open(actor=world.users["care_l1"], student=anna)
    care = client_for(world.users["care_l1"])
    url = f"/studenten/{anna.pk}/plan/bewerken/"
    assert care.post(url, plan_post(0, goal="Ik wil mijn diploma halen.")).status_code == 302
    assert care.post(url, plan_post(1, goal="Ik wil naar niveau 3.")).status_code == 302
    latest = care.get(f"/studenten/{anna.pk}/plan/").content.decode()
    assert "Ik wil naar niveau 3." in latest
    assert "Versie 2" in latest
    first = care.get(f"/studenten/{anna.pk}/plan/?versie=1").content.decode()
    assert "Ik wil mijn diploma halen." in first
    assert "Dit is een eerdere versie." in first
    assert care.get(f"/studenten/{anna.pk}/plan/?versie=9").status_code == 404


def test_second_save_on_the_same_version_is_refused_and_shows_the_newer_plan(world):
    anna = world.students["t1"]
    trajectory_open(actor=world.users["care_l1"], student=anna)
    url = f"/studenten/{anna.pk}/plan/bewerken/"
    first, second = client_for(world.users["care_l1"]), client_for(world.users["coach"])
    first.post(url, plan_post(0, goal="Eerste plan"))
    first.post(url, plan_post(1, goal="Versie van de zorgcoördinator", wishes="Op dinsdag"))
    refused = second.post(url, plan_post(1, goal="Versie van de coach"))
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "Iemand anders heeft het plan intussen opgeslagen (versie 2)" in body
    assert "Versie van de zorgcoördinator" in body  # the newer plan is shown
    assert "Versie van de coach" in body  # and what the coach typed is kept
    plan = SupportPlan.objects.get()
    assert plan.version == 2
    assert plan.goals.get().text == "Versie van de zorgcoördinator"
    # Saving again, having seen the newer version, is a deliberate choice and works.
    assert 'name="version" value="2"' in body
    assert second.post(url, plan_post(2, goal="Versie van de coach")).status_code == 302


def test_missing_owner_gives_a_row_level_message_and_saves_nothing(world):
    anna = world.students["t1"]
    trajectory_open(actor=world.users["care_l1"], student=anna)
    data = plan_post(0, goal="Doel") | {"actie-0-owner_name": ""}
    response = client_for(world.users["care_l1"]).post(f"/studenten/{anna.pk}/plan/bewerken/", data)
    assert "Actie 1: wie doet het?" in response.content.decode()
    assert not SupportPlan.objects.exists()


def test_the_student_reads_the_plan_but_cannot_edit_it(world):
    anna = world.students["t1"]
    trajectory_open(actor=world.users["care_l1"], student=anna)
    client_for(world.users["care_l1"]).post(
        f"/studenten/{anna.pk}/plan/bewerken/", plan_post(0, goal="Mijn doel")
    )
    student = client_for(world.users["student"])
    page = student.get(f"/studenten/{anna.pk}/plan/").content.decode()
    assert "Mijn doel" in page
    assert "Plan bewerken" not in page
    assert student.get(f"/studenten/{anna.pk}/plan/bewerken/").status_code == 404
    assert (
        client_for(world.users["coach2"])
        .get(f"/studenten/{world.students['t3'].pk}/plan/")
        .status_code
        == 404
    )
