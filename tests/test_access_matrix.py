"""Role × student matrix over real HTTP: each role gets exactly what it should, nothing more."""

import re

import pytest
from django.test import Client

from schakelpunt.access.models import AccessLogEntry
from tests.world import VISIBLE, client_for

ALL_STUDENTS = ("t1", "t2", "t3", "early", "other")
CSRF_TOKEN = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


def without_tokens(html: bytes) -> bytes:
    """The page with its per-request CSRF tokens blanked out."""
    return CSRF_TOKEN.sub(rb"\1", html)


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_student_file_opens_only_for_need_to_know(world, who):
    client = client_for(world.users[who])
    for key in ALL_STUDENTS:
        student = world.students[key]
        response = client.get(f"/studenten/{student.pk}/")
        expected = 200 if key in VISIBLE[who] else 404
        assert response.status_code == expected, (who, key, response.status_code)


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_student_list_shows_exactly_the_visible_students(world, who):
    response = client_for(world.users[who]).get("/studenten/")
    body = response.content.decode()
    for key in ALL_STUDENTS:
        student = world.students[key]
        shown = f"/studenten/{student.pk}/" in body
        assert shown == (key in VISIBLE[who]), (who, key)


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_api_lists_exactly_the_visible_students(world, who):
    response = client_for(world.users[who]).get("/api/v1/students")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {world.students[k].pk for k in VISIBLE[who]}


def test_guessing_ids_gives_the_same_404_as_a_missing_student(world):
    client = client_for(world.users["coach"])
    forbidden_url = f"/studenten/{world.students['t2'].pk}/"
    forbidden = client.get(forbidden_url)
    missing = client.get("/studenten/999999/")
    assert forbidden.status_code == missing.status_code == 404
    # Apart from the address itself, the two answers are the same page.
    assert without_tokens(forbidden.content).replace(forbidden_url.encode(), b"URL") == (
        without_tokens(missing.content).replace(b"/studenten/999999/", b"URL")
    )
    api_forbidden = client.get(f"/api/v1/students/{world.students['t2'].pk}")
    api_missing = client.get("/api/v1/students/999999")
    assert api_forbidden.status_code == api_missing.status_code == 404
    # The same problem, only the address asked for differs.
    assert {**api_forbidden.json(), "instance": ""} == {**api_missing.json(), "instance": ""}


def test_anonymous_visitor_is_sent_to_login(world):
    response = Client().get(f"/studenten/{world.students['t1'].pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/inloggen/")
    anonymous = Client().get("/api/v1/students")
    assert anonymous.status_code == 401  # asked to authenticate, nothing shown
    assert anonymous["WWW-Authenticate"].startswith("Bearer")


def test_external_worker_sees_only_consented_parts(world):
    client = client_for(world.users["worker_p1"])
    page = client.get(f"/studenten/{world.students['t3'].pk}/").content.decode()
    assert "Contactgegevens" in page
    assert "Ondersteuningsteam" in page
    assert "Inschrijving en vooropleiding" not in page
    assert "Verwijzingen en toestemmingen" not in page
    data = client.get(f"/api/v1/students/{world.students['t3'].pk}").json()
    assert data["parts"] == ["contact", "identity", "support"]
    assert "postcode" in data
    assert "programme" not in data
    assert "has_basic_qualification" not in data


def test_coach_does_not_see_referrals_but_care_team_does(world):
    t1 = world.students["t1"].pk
    coach_page = client_for(world.users["coach"]).get(f"/studenten/{t1}/").content.decode()
    care_page = client_for(world.users["care_l1"]).get(f"/studenten/{t1}/").content.decode()
    assert "Verwijzingen en toestemmingen" not in coach_page
    assert "Verwijzingen en toestemmingen" in care_page


def test_attendance_officer_sees_absence_but_not_support(world):
    page = client_for(world.users["rmc"]).get(f"/studenten/{world.students['t1'].pk}/")
    body = page.content.decode()
    assert "Verzuimmeldingen" in body
    assert "16 uur in 4 weken" in body
    assert "Ondersteuningsteam" not in body


def test_withdrawn_consent_cuts_access_at_once(world):
    client = client_for(world.users["worker_p1"])
    url = f"/studenten/{world.students['t3'].pk}/"
    assert client.get(url).status_code == 200
    from django.utils import timezone

    from schakelpunt.referrals.models import Consent

    Consent.objects.filter(student=world.students["t3"]).update(withdrawn_at=timezone.now())
    assert client.get(url).status_code == 404


def test_every_file_view_is_logged_per_part_with_role(world):
    coach = world.users["coach"]
    student = world.students["t1"]
    client_for(coach).get(f"/studenten/{student.pk}/")
    entries = AccessLogEntry.objects.filter(student_id=student.pk, user=coach)
    assert {e.part for e in entries} == {"identity", "contact", "enrolment", "absence", "support"}
    assert {e.action for e in entries} == {"view"}
    assert {e.role for e in entries} == {"coach"}
    assert len({e.event_id for e in entries}) == 1


def test_refused_view_writes_no_log(world):
    client_for(world.users["coach"]).get(f"/studenten/{world.students['t2'].pk}/")
    assert not AccessLogEntry.objects.filter(student_id=world.students["t2"].pk).exists()


def test_aggregate_roles_never_see_a_name(world):
    for who in ("municipal", "governance"):
        client = client_for(world.users[who])
        home = client.get("/").content.decode()
        for student in world.students.values():
            assert student.last_name not in home
        listing = client.get("/studenten/").content.decode()
        assert re.findall(r"/studenten/\d+/", listing) == []  # no file to open
        for student in world.students.values():
            assert student.last_name not in listing
        assert client.get("/studenten/export.csv").status_code == 404


def test_municipal_advisor_sees_small_counts_suppressed(world):
    home = client_for(world.users["municipal"]).get("/").content.decode()
    # One student enrolled and living in Enschede (t1): published as "<5" or, perturbed, as 0,
    # never as a count of 1–4.
    assert "Enschede" in home
    assert re.findall(r"<td[^>]*>\s*[1-4]\s*</td>", home) == []


def test_rmc_list_holds_on_a_leap_day(world):
    import time_machine

    with time_machine.travel("2028-02-29 10:00 +0100"):
        response = client_for(world.users["rmc"]).get("/studenten/")
    assert response.status_code == 200


def test_staff_worklists_are_not_there_for_a_student_or_an_aggregate_role(world):
    """A student (or a municipal advisor) gets a 404, not an empty staff list full of
    professional words; the roles that work these lists still open them."""
    worklists = [
        "/triage/",
        "/verzuim/",
        "/verzuim/rmc-lijst/",
        "/nazorg/",
        "/nazorg/niet-verschenen/",
    ]
    for who in ("student", "municipal", "governance", "privacy", "admin"):
        client = client_for(world.users[who])
        for url in worklists:
            assert client.get(url).status_code == 404, (who, url)
    assert client_for(world.users["care_l1"]).get("/triage/").status_code == 200
    assert client_for(world.users["care_l1"]).get("/nazorg/").status_code == 200
    assert client_for(world.users["rmc"]).get("/verzuim/rmc-lijst/").status_code == 200
    assert client_for(world.users["absence"]).get("/verzuim/").status_code == 200
