"""At 500,000 students no hot page may read all students or all absence days: every query
behind the student list of each role, the caseload, the triage queue, the absence worklists
and a student's file can be served by an index (issue 20, docs/scaling.md).

The plans are asked with sequential scans switched off: PostgreSQL then still reads a table
whole only when no index can serve the query, so a small test database shows what the
planner would do with a large one. PostgreSQL only (CI runs the suite on it too).
"""

import json
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from schakelpunt.core.db import refresh_planner_statistics
from schakelpunt.signals.daily import daily_signals_compute
from schakelpunt.signals.models import AbsenceReasonCode, AbsenceRecord
from schakelpunt.students.models import Student
from tests.world import add_second_region, client_for

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the plans asked about are PostgreSQL's"
)

# The tables that grow with every student and every school day: the students and their
# absence days (the partitions of signals_absencerecord included).
STUDENTS = re.compile(r"students_student")
ABSENCE = re.compile(r"signals_absencerecord\w*")
INDEX_SCANS = ("Index Scan", "Index Only Scan", "Bitmap Index Scan")
# An index condition that picks students (or rows by id), not only days.
BY_STUDENT = re.compile(r"\bstudent_id\b|\(id = ")


def _whole_reads(node: dict[str, Any]) -> list[str]:
    """The plan nodes that read a large table whole, here or below: a Seq Scan, and on the
    absence days also an index scan that does not pick students (the primary key (id, day)
    would otherwise serve any query by reading every id of the days asked)."""
    found = []
    table, kind = node.get("Relation Name", ""), node["Node Type"]
    index = node.get("Index Name", "")
    if kind == "Seq Scan" and (STUDENTS.fullmatch(table) or ABSENCE.fullmatch(table)):
        found.append(f"{kind} on {table}")
    elif (
        kind in INDEX_SCANS
        and ABSENCE.fullmatch(table or index)
        and not BY_STUDENT.search(node.get("Index Cond", ""))
    ):
        found.append(f"{kind} on {table or index} ({node.get('Index Cond', 'whole index')})")
    for child in node.get("Plans", []):
        found += _whole_reads(child)
    return found


# Who opens which pages in a school morning (the roles of the world in tests/world.py).
PAGES = {
    "coach": ["/", "/studenten/", "/studenten/caseload/", "/studenten/{t1}/"],
    "care_l1": ["/", "/studenten/", "/triage/", "/verzuim/", "/nazorg/", "/studenten/{t1}/"],
    "advisor_l2": ["/studenten/", "/studenten/caseload/", "/api/v1/students"],
    "schakel": ["/studenten/", "/triage/", "/nazorg/niet-verschenen/", "/instroom/"],
    "absence": ["/studenten/", "/verzuim/", "/studenten/{t1}/"],
    "rmc": ["/", "/studenten/", "/verzuim/", "/verzuim/rmc-lijst/", "/studenten/{t1}/"],
    "leerplicht_b": ["/", "/studenten/", "/verzuim/"],
    "worker_p1": ["/", "/studenten/", "/studenten/caseload/", "/api/v1/students"],
}


DAYS = 20


@pytest.fixture
def school_days(world):  # type: ignore[no-untyped-def]
    """Four weeks of school days of absence for every student of the world, with its second
    region (a leerplicht officer of Zwolle, students crossing the border)."""
    add_second_region(world)
    today = timezone.localdate()
    students = list(Student.objects.all())
    AbsenceRecord.objects.bulk_create(
        AbsenceRecord(
            student=student,
            day=today - timedelta(days=n),
            scheduled_hours=Decimal(6),
            absent_hours=Decimal(n % 3),
            reason=AbsenceReasonCode.UNAUTHORISED,
        )
        for student in students
        for n in range(1, DAYS + 1)
    )
    refresh_planner_statistics()
    return world


def full_reads(
    sql_list: list[str], check: Callable[[dict[str, Any]], list[str]] = _whole_reads
) -> list[str]:
    """The queries whose plan reads one of the large tables whole (with what it reads), or
    what another `check` of a plan finds."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            for sql in sql_list:
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                whole = check(plan[0]["Plan"])
                if whole:
                    found.append(f"{'; '.join(whole)}\n{sql}")
        finally:
            cursor.execute("SET enable_seqscan = on")
    return found


@pytest.mark.parametrize("login", list(PAGES))
def test_every_query_of_a_roles_pages_can_use_an_index(school_days, login):
    client = client_for(school_days.users[login])
    found = {}
    for url in PAGES[login]:
        url = url.format(t1=school_days.students["t1"].pk)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, HTTP_ACCEPT="text/html,application/json")
        assert response.status_code == 200, (login, url)
        reads = [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        ]
        found[url] = full_reads(reads)
    assert found == {url: [] for url in found}


def test_the_morning_run_reads_absence_through_indexes(school_days):
    """The morning run reads an institution's recent absence: by the institution's students
    and the days (the partitions of other years pruned), never the whole table."""
    institution = school_days.students["t1"].institution
    with CaptureQueriesContext(connection) as captured:
        daily_signals_compute(institution=institution, today=timezone.localdate())
    reads = [
        q["sql"]
        for q in captured.captured_queries
        if "signals_absencerecord" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    ]
    assert reads
    assert full_reads(reads) == []


# A shard's query on the students picks them by id (a range, or one by one in a join);
# by institution alone it reads every student of the school for each of a hundred shards.
SHARD_OF_STUDENTS = re.compile(r"\bid\b *(=|>=|<=|<|>)")


def _students_unbounded(node: dict[str, Any]) -> list[str]:
    found = []
    # Where the plan reads students, the id range is among its conditions: in the index, or
    # checked on the rows (a test database this small may read them by institution first).
    condition = " ".join(node.get(key, "") for key in ("Index Cond", "Recheck Cond", "Filter"))
    if STUDENTS.fullmatch(node.get("Relation Name", "")) and not SHARD_OF_STUDENTS.search(
        condition
    ):
        found.append(f"{node['Node Type']} on students_student ({condition})")
    for child in node.get("Plans", []):
        found += _students_unbounded(child)
    return found


def test_each_shard_of_the_morning_run_reads_only_its_own_students(school_days):
    """Every query of a shard reads the students of its id range, not all of the school's:
    at 500,000 students the concerns of one shard read all of them, 100 times a morning."""
    institution = school_days.students["t1"].institution
    with CaptureQueriesContext(connection) as captured:
        daily_signals_compute(institution=institution, today=timezone.localdate(), shard_size=2)
    shard_queries = [
        q["sql"]
        for q in captured.captured_queries
        if "students_student" in q["sql"]
        and q["sql"].lstrip().upper().startswith("SELECT")
        and re.search(r"id\"? >= \d+", q["sql"])  # a shard's query
        # Not the school's list of ids, and not the last shard: open at the end (it takes the
        # students added after the split), on a small test database it is the whole school.
        and "<= 9223372036854775807" not in q["sql"]
    ]
    # The shards' students, trajectories, referrals, concerns, objections, reports, warnings.
    assert {re.search(r'FROM "(\w+)"', sql)[1] for sql in shard_queries} >= {  # type: ignore[index]
        "students_student",
        "support_trajectory",
        "referrals_referral",
        "signals_concern",
        "privacy_objection",
        "signals_absencereport",
    }
    found = full_reads(shard_queries, _students_unbounded)
    assert not found, "\n\n".join(found)


def test_the_check_sees_a_query_no_index_serves(db):
    """The check is not blind: students by postcode have no index, so they are read whole."""
    assert full_reads(["SELECT id FROM students_student WHERE postcode = '7511 AB'"]) == [
        "Seq Scan on students_student\nSELECT id FROM students_student WHERE postcode = '7511 AB'"
    ]


CONCERNS = "signals_concern"
# Partial indexes: the open concerns, and the hold-backs waiting for review.
TRIAGE_INDEXES = {"open_concern_student", "held_back_to_review"}


def _closed_concerns_read(node: dict[str, Any]) -> list[str]:
    """Plan nodes that read the concerns without picking students, the open ones or the
    hold-backs to review: closed concerns pile up year after year, the triage page shows
    the others."""
    found = []
    if node.get("Relation Name") == CONCERNS:
        picks = node.get("Index Cond", "") + node.get("Recheck Cond", "")
        if not (BY_STUDENT.search(picks) or node.get("Index Name") in TRIAGE_INDEXES):
            found.append(f"{node['Node Type']} on {CONCERNS} ({node.get('Index Name', '')})")
    for child in node.get("Plans", []):
        found += _closed_concerns_read(child)
    return found


@pytest.mark.parametrize("login", ["care_l1", "schakel"])
def test_the_triage_queue_reads_only_open_concerns(school_days, login):
    """The triage page (and its count on the start page) reads the open concerns and the
    hold-backs to review through their own indexes, not every concern ever raised."""
    client = client_for(school_days.users[login])
    for url in ("/", "/triage/"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        reads = [
            q["sql"]
            for q in captured.captured_queries
            if CONCERNS in q["sql"] and q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        ]
        assert full_reads(reads, _closed_concerns_read) == [], url
