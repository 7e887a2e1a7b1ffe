"""List pages cost the same number of queries for 2 students as for 22 (no N+1)."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from schakelpunt.accounts.tests.factories import ProgrammeFactory
from schakelpunt.students.tests.factories import StudentFactory


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_do_not_grow_with_the_number_of_students(world):
    client = Client()
    client.force_login(world.users["care_l1"])
    urls = ["/", "/studenten/", "/api/v1/students/", "/studenten/export.csv"]
    before = {url: queries_for(client, url) for url in urls}
    team = world.students["t1"].programme.team
    for _ in range(20):
        StudentFactory(programme=ProgrammeFactory(team=team))
    after = {url: queries_for(client, url) for url in urls}
    assert after == before


def test_student_file_costs_a_fixed_number_of_queries(world):
    client = Client()
    client.force_login(world.users["care_l1"])
    # Session, user, device check, student, memberships, one check per rule (3), one insert
    # for the log, the menu's own-file check and unread count, and one query per shown section
    # (team, absence reports, referrals, consents).
    assert queries_for(client, f"/studenten/{world.students['t1'].pk}/") == 15
