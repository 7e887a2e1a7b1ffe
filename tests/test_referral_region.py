"""Referring from the file (issue 16): the sociale kaart opens pre-filtered on the student's
municipality and age; the referral form offers the services of the student's region first
and says when a service needs a beschikking and which municipality gives it."""

from django.urls import reverse

from schakelpunt.directory.models import Law
from schakelpunt.directory.tests.factories import ServiceFactory
from tests.world import World, add_second_region, client_for


def services() -> dict[str, object]:
    return {
        "hengelo": ServiceFactory(
            name="Jeugdhulp Hengelo",
            needs_decision=True,
            laws=[Law.JEUGDWET],
            area_codes=["GM0164"],
        ),
        "amsterdam": ServiceFactory(
            name="Coaching Amsterdam", laws=[Law.WMO], area_codes=["GM0363"]
        ),
        "national": ServiceFactory(name="Chat voor jongeren", laws=[Law.ZVW]),
        "team": ServiceFactory(
            name="Jeugdteam Hengelo",
            is_entry_point=True,
            laws=[Law.JEUGDWET],
            area_codes=["GM0164"],
        ),
        "adults": ServiceFactory(
            name="Jongerenwerk Almelo",
            needs_decision=True,
            laws=[Law.JEUGDWET, Law.WMO],
            area_codes=["GM0141"],
            minimum_age=16,
        ),
    }


def test_the_file_opens_the_sociale_kaart_for_the_students_municipality_and_age(world):
    offers = services()
    bram = world.students["t2"]
    care = client_for(world.users["care_l1"])
    file = care.get(f"/studenten/{bram.pk}/").content.decode()
    link = f"/sociale-kaart/?student={bram.pk}&amp;leeftijd=17&amp;gemeente={bram.residence_municipality_id}"
    assert link in file
    page = care.get(link.replace("&amp;", "&")).content.decode()
    assert str(offers["hengelo"].name) in page
    assert str(offers["amsterdam"].name) not in page
    assert "Voorgefilterd op de woongemeente en de leeftijd van de student" in page
    assert "Wis filters" in page


def new_referral(world: World, student_key: str, who: str = "care_l1", **params: object) -> str:
    student = world.students[student_key]
    response = client_for(world.users[who]).get(reverse("referrals:new", args=[student.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_form_offers_the_students_region_first(world):
    services()
    page = new_referral(world, "t2")
    here = page.index("In de regio van de student (")
    elsewhere = page.index("Buiten de regio")
    assert here < page.index("Jeugdhulp Hengelo") < elsewhere
    assert here < page.index("Chat voor jongeren") < elsewhere
    assert elsewhere < page.index("Coaching Amsterdam")


def test_a_service_that_needs_a_beschikking_says_so_and_who_gives_it(world):
    offers = services()
    page = new_referral(world, "t2", aanbod=offers["hengelo"].pk)
    assert "Jeugdhulp Hengelo (beschikking nodig)" in page
    assert "Beschikking nodig" in page
    assert "Die geeft de gemeente Hengelo (O.), de woongemeente van de student (Jeugdwet)" in page
    assert "Jeugdteam Hengelo" in page.split("Beschikking nodig", 1)[1]
    plain = new_referral(world, "t2", aanbod=offers["national"].pk)
    assert 'id="beschikking-titel"' not in plain


def test_choosing_a_service_fetches_the_notice(world):
    offers = services()
    bram = world.students["t2"]
    url = reverse("referrals:decision", args=[bram.pk])
    care = client_for(world.users["care_l1"])
    notice = care.get(url, {"service": offers["hengelo"].pk}).content.decode()
    assert "gemeente Hengelo (O.)" in notice
    assert care.get(url, {"service": offers["national"].pk}).content.decode().strip() == ""
    # Someone who may not refer Bram learns nothing.
    assert client_for(world.users["coach"]).get(url, {"service": 1}).status_code == 404


def test_an_adult_hears_that_youth_help_needs_an_extension(world):
    offers = services()
    page = new_referral(world, "early", "advisor_l2", aanbod=offers["adults"].pk)
    assert "gemeente Almelo" in page and "(Wmo 2015)" in page
    assert "jeugdhulp kan dan alleen als de gemeente die heeft verlengd" in page


def test_a_student_from_another_region_gets_the_services_where_he_lives_first(world):
    """Henk studies in Enschede (Twente) and lives in Zwolle (IJssel-Vecht): his help comes
    from where he lives (Jeugdwet art. 1.1, woonplaatsbeginsel), so Zwolle's offer comes
    first and Twente's after it."""
    add_second_region(world)
    services()
    ServiceFactory(name="Jongerencoach Zwolle", laws=[Law.WMO], area_codes=["GM0193"])
    page = new_referral(world, "commuter")
    here = page.index("In de regio van de student (IJssel-Vecht)")
    elsewhere = page.index("Buiten de regio")
    assert here < page.index("Jongerencoach Zwolle") < elsewhere
    assert elsewhere < page.index("Jeugdhulp Hengelo")
