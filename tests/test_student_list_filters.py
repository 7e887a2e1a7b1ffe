"""The student list and the caseload as work lists (issue 16): search by name or number,
filter by location and residence municipality, never beyond what the policy allows."""

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.students.tests.factories import StudentFactory
from tests.world import World, client_for


def shown(world: World, url: str, who: str = "schakel", **params: object) -> set[str]:
    response = client_for(world.users[who]).get(url, params)
    assert response.status_code == 200
    page = response.content.decode()
    return {key for key, s in world.students.items() if f"/studenten/{s.pk}/" in page}


def test_student_list_filters_by_location(world):
    l2 = world.students["t3"].location
    assert shown(world, "/studenten/", locatie=l2.pk) == {"t3", "early"}


def test_student_list_filters_by_residence_municipality(world):
    hengelo = world.students["t2"].residence_municipality
    assert shown(world, "/studenten/", gemeente=hengelo.pk) == {"t2"}


def test_student_list_search_and_filter_combine(world):
    l1 = world.students["t1"].location
    assert shown(world, "/studenten/", q="Bram", locatie=l1.pk) == {"t2"}
    assert shown(world, "/studenten/", q="Chris", locatie=l1.pk) == set()


def test_student_list_filters_never_widen(world):
    l3 = world.students["other"].location
    # ROC Twee's location is no choice for the coach; the list stays the coach's own.
    response = client_for(world.users["coach"]).get("/studenten/", {"locatie": l3.pk})
    page = response.content.decode()
    assert "Selecteer een geldige keuze" in page
    assert f"/studenten/{world.students['other'].pk}/" not in page


def test_student_list_offers_only_places_of_visible_students(world):
    page = client_for(world.users["coach"]).get("/studenten/").content.decode()
    assert ">L1<" in page and ">L2<" not in page and ">L3<" not in page


def test_student_list_pages_keep_the_filter(world):
    l1 = world.students["t1"].location
    for _n in range(30):
        StudentFactory(programme=world.students["t1"].programme)
    page = client_for(world.users["schakel"]).get("/studenten/", {"locatie": l1.pk}).content
    assert f"locatie={l1.pk}&amp;pagina=2".encode() in page
    assert b'href="/studenten/">Wis filters' in page


def test_caseload_search_and_place_filters(world):
    hengelo = world.students["t2"].residence_municipality
    l2 = world.students["t3"].location
    assert shown(world, "/studenten/caseload/", q="Bram") == {"t2"}
    assert shown(world, "/studenten/caseload/", gemeente=hengelo.pk) == {"t2"}
    assert shown(world, "/studenten/caseload/", locatie=l2.pk) == {"t3", "early"}


def test_caseload_filter_logs_only_the_students_shown(world):
    client_for(world.users["schakel"]).get("/studenten/caseload/", {"q": "Bram"})
    logged = set(
        AccessLogEntry.objects.filter(user=world.users["schakel"], kind="list").values_list(
            "student_id", flat=True
        )
    )
    assert logged == {world.students["t2"].pk}
