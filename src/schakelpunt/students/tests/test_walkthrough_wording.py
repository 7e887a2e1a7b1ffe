"""Issue 17's walk-through from an empty install: the file summary counts what its label
says, parents are addressed with "u", the import screens use one set of words, and a student
account without a linked record gets the same explanation on every own page."""

import re

import pytest
from tests.world import World, client_for

from schakelpunt.accounts.models import Organisation, User
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.signals.models import Concern, ConcernSource
from schakelpunt.support.services import trajectory_open

from .test_parent import Family

pytestmark = pytest.mark.django_db


def summary_of(page: str) -> str:
    return page.split('id="samenvatting"', 1)[1].split("</section>", 1)[0]


def test_an_early_warning_signal_is_not_counted_as_a_zorgmelding(world: World) -> None:
    anna = world.students["t1"]
    care = world.users["care_l1"]
    trajectory_open(actor=care, student=anna)
    Concern.objects.create(
        student=anna, source=ConcernSource.EARLY_WARNING, text="Vroegsignalering: verzuim."
    )
    page = client_for(care).get(f"/studenten/{anna.pk}/").content.decode()
    summary = summary_of(page)
    assert "0 open zorgmeldingen" in summary
    assert "1 open signaal van de vroegsignalering" in summary
    assert "1 open zorgmelding" not in summary


def visible_text(html: str) -> str:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", main)


@pytest.mark.parametrize("age", [15, 16])
def test_the_parent_pages_address_the_parent_with_u(age: int) -> None:
    """From 16 the page names what the student shared, in the words of the sharing screen."""
    family = Family(age)
    family.share("plan", "appointments", "team")
    for path in ("/ouder/", f"/ouder/kind/{family.student.pk}/"):
        text = visible_text(family.client().get(path).content.decode())
        assert re.findall(r"\b(?:je|jij|jouw)\b", text, flags=re.IGNORECASE) == [], path
        assert "uw kind" in text.lower(), path


def test_the_student_import_uses_the_words_of_the_menu_and_the_home_page(world: World) -> None:
    page = client_for(world.users["admin"]).get("/studenten/importeren/").content.decode()
    menu = page.split("<main", 1)[0]
    assert "Studenten inlezen" in menu
    assert "<h1>Studenten inlezen</h1>" in page
    assert "Studenten importeren" not in page
    assert "studentinformatiesysteem" in page and "studentvolgsysteem" not in page
    absence = client_for(world.users["admin"]).get("/verzuim/importeren/").content.decode()
    assert "studentinformatiesysteem" in absence and "studentvolgsysteem" not in absence


def unlinked_student() -> User:
    user = UserFactory(email="zonder.koppeling@example.nl")
    MembershipFactory(
        user=user, organisation=Organisation.objects.get(name="ROC Een"), role=Role.STUDENT
    )
    return user


@pytest.mark.parametrize("path", ["/studenten/", "/privacy/mijn-gegevens/"])
def test_an_unlinked_student_gets_the_explanation_on_the_own_pages(world: World, path: str) -> None:
    response = client_for(unlinked_student()).get(path)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Je account is nog niet gekoppeld" in text
    assert "admin@example.nl" in text  # whom to ask
    assert "Uw rol geeft geen toegang" not in text


def test_an_unlinked_student_who_is_also_a_parent_gets_the_explanation(world: World) -> None:
    """A student of 17 who is also a parent (no file role): the list explains, not refuses."""
    user = unlinked_student()
    MembershipFactory(
        user=user, organisation=Organisation.objects.get(name="ROC Een"), role=Role.PARENT
    )
    text = client_for(user).get("/studenten/").content.decode()
    assert "Je account is nog niet gekoppeld" in text
    assert "Uw rol geeft geen toegang" not in text


def test_a_coach_without_students_still_sees_the_staff_text(world: World) -> None:
    coach = UserFactory()
    MembershipFactory(
        user=coach, organisation=Organisation.objects.get(name="ROC Een"), role=Role.COACH
    )
    assert client_for(coach).get("/studenten/").status_code == 200
