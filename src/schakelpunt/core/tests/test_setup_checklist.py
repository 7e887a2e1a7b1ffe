"""The functional administrator's start page is a set-up checklist (issue 17 review): five
steps from an empty install to a working school, counts only, never a student's data."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.world import World, client_for

from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
)
from schakelpunt.signals.models import AbsenceImportJob, ImportStatus, SignalSettings
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def steps(page: str) -> dict[str, str]:
    """Each step's title → "klaar" or "nog te doen"."""
    return dict(re.findall(r"<strong>([^<]+)</strong> — <span>([^<]+)</span>", page))


def test_an_empty_institution_shows_five_steps_to_do_with_links(db) -> None:  # type: ignore[no-untyped-def]
    school = OrganisationFactory(name="ROC Nieuw")
    admin = UserFactory(email="beheer@nieuw.nl")
    MembershipFactory(user=admin, organisation=school, role=Role.FUNCTIONAL_ADMIN)
    page = client_for(admin).get("/").content.decode()
    assert "Inrichten: ROC Nieuw" in page
    assert "0 van de 5 stappen klaar" in page
    assert steps(page) == {
        "Opbouw": "nog te doen",
        "Schoolkalender": "nog te doen",
        "Studenten ingelezen": "nog te doen",
        "Verzuim ingelezen": "nog te doen",
        "Mensen uitgenodigd": "nog te doen",
    }
    for url in (
        "/beheer/instelling/",
        "/schoolkalender/",
        "/studenten/importeren/",
        "/verzuim/importeren/",
        "/beheer/mensen/",
    ):
        assert f'href="{url}"' in page


def test_each_step_turns_done_when_the_school_did_it(db) -> None:  # type: ignore[no-untyped-def]
    school = OrganisationFactory(name="ROC Nieuw")
    admin = UserFactory(email="beheer@nieuw.nl")
    MembershipFactory(user=admin, organisation=school, role=Role.FUNCTIONAL_ADMIN)
    client = client_for(admin)
    programme = ProgrammeFactory(team__location__institution=school)
    settings, _created = SignalSettings.objects.get_or_create(institution=school)
    settings.holiday_region = "noord"
    settings.save()
    StudentFactory(institution=school, programme=programme, location=programme.team.location)
    AbsenceImportJob.objects.create(
        institution=school, uploaded_by=admin, filename="verzuim.csv", status=ImportStatus.DONE
    )
    MembershipFactory(
        user=UserFactory(email="slb@nieuw.nl"),
        organisation=school,
        role=Role.COACH,
        programme_team=programme.team,
    )
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/").content.decode()
    assert set(steps(page).values()) == {"klaar"}
    assert "5 van de 5 stappen klaar" in page
    assert "1 studenten ingelezen" in page
    # Counts only: no student's name on the page.
    student = Student.objects.get(institution=school)
    assert student.last_name not in page
    # The session, the user, the roles, the navigation and the checklist in one query.
    assert len(captured) == 8


def test_the_checklist_is_only_for_the_functional_administrator(world: World) -> None:
    assert "Inrichten:" in client_for(world.users["admin"]).get("/").content.decode()
    assert "Inrichten:" not in client_for(world.users["coach"]).get("/").content.decode()
