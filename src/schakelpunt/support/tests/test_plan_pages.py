"""The plan's pages as people read them: Dutch dates, and two people editing at once get one
clear message while the first save stands."""

import re
from datetime import date

from tests.world import World, client_for

from schakelpunt.support.models import SupportPlan
from schakelpunt.support.services import trajectory_open

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _post(version: int, *, goal: str, wishes: str = "", done: bool = False) -> dict[str, object]:
    data: dict[str, object] = {
        "version": version,
        "wishes": wishes,
        "agreements": "",
        "review_on": "2027-01-15",
        "doel-TOTAL_FORMS": 1,
        "doel-INITIAL_FORMS": 0,
        "doel-0-life_domain": "education",
        "doel-0-text": goal,
        "actie-TOTAL_FORMS": 1,
        "actie-INITIAL_FORMS": 0,
        "actie-0-description": "Stageplek zoeken",
        "actie-0-owner": "",
        "actie-0-owner_name": "de student",
        "actie-0-due_on": "2026-12-09",
    }
    if done:
        data["actie-0-done"] = "on"
    return data


def _visible_text(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", main)


def _form_of(html: str) -> str:
    return html.split('<form method="post" novalidate>', 1)[1].split("</form>", 1)[0]


def test_the_plan_page_shows_dutch_dates_in_every_version(world: World) -> None:
    anna = world.students["t1"]
    trajectory_open(actor=world.users["care_l1"], student=anna)
    care = client_for(world.users["care_l1"])
    edit = f"/studenten/{anna.pk}/plan/bewerken/"
    assert care.post(edit, _post(0, goal="Diploma halen")).status_code == 302
    assert care.post(edit, _post(1, goal="Diploma halen", done=True)).status_code == 302
    done_on = SupportPlan.objects.get().actions.get().done_on
    assert done_on is not None
    for url in (f"/studenten/{anna.pk}/plan/", f"/studenten/{anna.pk}/plan/?versie=1"):
        text = _visible_text(care.get(url).content.decode())
        assert "9 december 2026" in text  # the action's date
        assert "15 januari 2027" in text  # the review
        assert ISO_DATE.findall(text) == []
    latest = _visible_text(care.get(f"/studenten/{anna.pk}/plan/").content.decode())
    assert f"{done_on.day} " in latest and str(done_on.year) in latest
    assert date(2026, 12, 9).isoformat() not in latest


def test_two_people_editing_the_plan_the_second_gets_one_clear_message(world: World) -> None:
    anna = world.students["t1"]
    trajectory_open(actor=world.users["care_l1"], student=anna)
    url = f"/studenten/{anna.pk}/plan/bewerken/"
    first, second = client_for(world.users["care_l1"]), client_for(world.users["coach"])
    first.post(url, _post(0, goal="Eerste plan"))
    # Both open version 1; the care coordinator saves first.
    assert first.post(url, _post(1, goal="Doel van de zorgcoordinator")).status_code == 302
    refused = second.post(url, _post(1, goal="Doel van de coach", wishes="Op dinsdag"))
    html = refused.content.decode()
    assert refused.status_code == 200
    # One message, not two that disagree about what is below.
    assert html.count('role="alert"') == 1
    text = _visible_text(html)
    assert "Iemand anders heeft het plan intussen opgeslagen (versie 2)" in text
    assert str(world.users["care_l1"]) in text  # who
    assert "sla opnieuw op" in text  # what to do
    # The form now holds the winner's plan; what the coach typed is shown to copy from.
    form = _form_of(html)
    assert "Doel van de zorgcoordinator" in form and "Doel van de coach" not in form
    assert "Doel van de coach" in text and "Op dinsdag" in text
    plan = SupportPlan.objects.get()
    assert (plan.version, plan.goals.get().text) == (2, "Doel van de zorgcoordinator")
    # Saving the form as shown keeps the winner's goal: nothing was overwritten.
    assert 'name="version" value="2"' in form
    resave = _post(2, goal="Doel van de zorgcoordinator", wishes="Op dinsdag")
    assert second.post(url, resave).status_code == 302
    plan.refresh_from_db()
    assert (plan.version, plan.goals.get().text, plan.wishes) == (
        3,
        "Doel van de zorgcoordinator",
        "Op dinsdag",
    )
