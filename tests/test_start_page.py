"""The start page says whose students it counts, and counts those."""

import re

from django.test import Client

from schakelpunt.students.models import Student


def big_number(html: str) -> int:
    match = re.search(r'<p class="big-number">(\d+)</p>', html)
    assert match is not None
    return int(match.group(1))


def test_the_school_attendance_coordinator_sees_the_students_of_the_school(world):
    client = Client()
    client.force_login(world.users["absence"])
    html = client.get("/").content.decode()
    roc = world.students["t1"].institution
    assert "in uw regio" not in html
    assert "Studenten van uw school" in html
    assert big_number(html) == Student.objects.filter(institution=roc).count()


def test_leerplicht_and_rmc_see_the_reports_in_their_region(world):
    client = Client()
    client.force_login(world.users["rmc"])
    html = client.get("/").content.decode()
    assert "Meldingen in uw regio" in html
    assert "Studenten van uw school" not in html
