"""On PostgreSQL the student lists and the caseload of the student advisor and the provider find
their students through indexes: no rule of the access policy makes the database read every
student (issue 16: an OR EXISTS on the support team cost the advisor seconds per page)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schakelpunt.accounts.tests.factories import (
    LocationFactory,
    ProgrammeFactory,
    ProgrammeTeamFactory,
)
from schakelpunt.core.db import refresh_planner_statistics
from schakelpunt.students.models import PriorEducation, Student
from schakelpunt.support.models import SupportTeamMember

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the plans asked about are PostgreSQL's"
)

# Enough students elsewhere that reading them all costs more than an index (the planner cares).
OTHER_STUDENTS = 6000


@pytest.fixture
def region(world):  # type: ignore[no-untyped-def]
    """The test world in a region of thousands of students at other locations, with the
    advisor on the support team of a few students of their school outside their location."""
    today = timezone.localdate()
    place = world.students["t1"].residence_municipality
    # At other locations of the advisor's own school, as in the demo region: a condition on
    # the institution alone selects nearly every student.
    roc = world.students["t1"].institution
    programmes = [
        ProgrammeFactory(team=ProgrammeTeamFactory(location=LocationFactory(institution=roc)))
        for _ in range(6)
    ]
    Student.objects.bulk_create(
        Student(
            institution_id=programme.team.location.institution_id,
            location_id=programme.team.location_id,
            programme=programme,
            student_number=f"{900000 + n}",
            first_name="Student",
            last_name=f"Elders{n:05}",
            date_of_birth=today - timedelta(days=17 * 365),
            postcode="7511 AB",
            residence_municipality=place,
            prior_education=PriorEducation.VMBO,
            enrolled_on=today - timedelta(days=100),
        )
        for n, programme in ((n, programmes[n % len(programmes)]) for n in range(OTHER_STUDENTS))
    )
    advisor = world.users["advisor_l2"]
    for key in ("t1", "t3"):  # outside the advisor's location, in their team
        SupportTeamMember.objects.create(
            student=world.students[key], user=advisor, role_description="Begeleider"
        )
    refresh_planner_statistics()
    return world


def plans_reading_every_student(client: Client, url: str) -> list[str]:
    """The queries behind a page that read the student table whole (a Seq Scan on it)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    scans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT") or "students_student" not in sql:
                continue
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            if "Seq Scan on students_student" in plan:
                scans.append(f"{sql}\n{plan}")
    return scans


@pytest.mark.parametrize(
    ("login", "urls"),
    [
        ("advisor_l2", ["/", "/studenten/", "/studenten/caseload/", "/api/v1/students"]),
        ("worker_p1", ["/", "/studenten/", "/api/v1/students"]),
    ],
)
def test_lists_and_caseload_find_their_students_through_indexes(region, login, urls):
    client = Client()
    client.force_login(region.users[login])
    for url in urls:
        assert plans_reading_every_student(client, url) == [], url


def test_connections_run_without_the_jit_compiler(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
