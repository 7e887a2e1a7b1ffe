"""The statutory reports and the RMC list as work lists (issue 16): filter by municipality,
school, type and status, search by name or number; the CSV for leerplicht/RMC names the
student, the school, the municipality and the report in Dutch."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.accounts.tests.factories import municipality
from schakelpunt.signals.models import (
    AbsenceReport,
    AbsenceReportKind,
    FollowUpStatus,
    LeaverFollowUp,
)
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory, born_years_ago
from tests.world import World, add_second_region, client_for


def report(
    student: Student, kind: str = AbsenceReportKind.SIXTEEN_IN_FOUR, **extra
) -> AbsenceReport:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return AbsenceReport.objects.create(
        student=student,
        kind=kind,
        start_date=today - timedelta(30),
        threshold_on=today - timedelta(5),
        end_date=today - timedelta(5),
        unauthorised_hours=20,
        rules_version="test",
        **extra,
    )


def more_reports(world: World) -> None:
    """Bram (Hengelo, ROC Een) an RMC report; Eva (Enschede, ROC Twee) a long-term one."""
    report(world.students["t2"], AbsenceReportKind.RMC)
    report(
        world.students["other"],
        AbsenceReportKind.LONG_TERM_RELATIVE,
        follow_up_status=FollowUpStatus.CONTACTED,
    )


def reports_page(world: World, who: str = "rmc", **params: object) -> str:
    response = client_for(world.users[who]).get("/verzuim/", params)
    assert response.status_code == 200
    return response.content.decode()


def numbers(world: World, page: str) -> set[str]:
    return {k for k, s in world.students.items() if s.student_number in page}


def test_reports_filter_by_type(world):
    more_reports(world)
    assert numbers(world, reports_page(world, soort="rmc")) == {"t2"}
    assert numbers(world, reports_page(world, soort="16_in_4")) == {"t1"}


def test_reports_filter_by_school(world):
    more_reports(world)
    roc2 = world.students["other"].institution
    assert numbers(world, reports_page(world, school=roc2.pk)) == {"other"}


def test_reports_filter_by_municipality(world):
    more_reports(world)
    hengelo = world.students["t2"].residence_municipality
    assert numbers(world, reports_page(world, gemeente=hengelo.pk)) == {"t2"}


def test_reports_filter_by_follow_up_status(world):
    more_reports(world)
    assert numbers(world, reports_page(world, opvolging="contacted")) == {"other"}
    assert numbers(world, reports_page(world, opvolging="new")) == {"t1", "t2"}


def test_reports_search_by_name_and_number(world):
    more_reports(world)
    assert numbers(world, reports_page(world, q="Bram")) == {"t2"}
    assert numbers(world, reports_page(world, q=world.students["other"].student_number)) == {
        "other"
    }


def test_reports_search_never_finds_what_the_policy_hides(world):
    report(world.students["t3"])  # Chris lives in Amsterdam: not RMC Twente's
    assert numbers(world, reports_page(world, q="Chris")) == set()


def test_reports_show_the_school(world):
    more_reports(world)
    page = reports_page(world)
    assert "ROC Twee" in page and "ROC Een" in page


def csv_rows(world: World, who: str = "rmc", **params: object) -> list[list[str]]:
    response = client_for(world.users[who]).get("/verzuim/export.csv", params)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_csv_names_student_school_municipality_and_the_report_in_dutch(world):
    more_reports(world)
    header, *rows = csv_rows(world)
    for column in ("naam", "school", "woongemeente", "soort melding"):
        assert column in header
    by_number = {row[header.index("studentnummer")]: row for row in rows}
    bram = by_number[world.students["t2"].student_number]
    assert bram[header.index("naam")] == world.students["t2"].full_name
    assert bram[header.index("school")] == "ROC Een"
    assert bram[header.index("woongemeente")] == "Hengelo (O.)"
    assert bram[header.index("soort melding")] == "RMC-melding (18–23 jaar)"
    eva = by_number[world.students["other"].student_number]
    assert eva[header.index("soort melding")] == "Langdurig relatief verzuim"


def test_the_csv_follows_the_filters_and_is_logged_as_an_export(world):
    more_reports(world)
    hengelo = world.students["t2"].residence_municipality
    _header, *rows = csv_rows(world, gemeente=hengelo.pk)
    assert len(rows) == 1 and rows[0][0] == world.students["t2"].student_number
    logged = set(
        AccessLogEntry.objects.filter(user=world.users["rmc"], action="export").values_list(
            "student_id", "part"
        )
    )
    bram = world.students["t2"].pk
    assert logged == {(bram, "identity"), (bram, "absence"), (bram, "enrolment")}


def test_the_csv_neutralises_formulas_in_names(world):
    bram = world.students["t2"]
    bram.first_name = '=HYPERLINK("http://x";"klik")'
    bram.save()
    report(bram, AbsenceReportKind.RMC)
    header, *rows = csv_rows(world, q=bram.student_number)
    assert rows[0][header.index("naam")].startswith("'=HYPERLINK")


def test_the_attendance_coordinator_exports_no_school_column_values(world):
    """The school's attendance coordinator may export identity and absence, not enrolment."""
    header, *rows = csv_rows(world, "absence")
    assert rows and all(row[header.index("school")] == "" for row in rows)
    assert not AccessLogEntry.objects.filter(
        user=world.users["absence"], action="export", part="enrolment"
    ).exists()


def another_leaver(world: World) -> Student:
    """Femke, 20, Hengelo, left ROC Twee without startkwalificatie."""
    return StudentFactory(
        programme=world.students["other"].programme,
        first_name="Femke",
        residence_municipality=municipality("GM0164"),
        date_of_birth=born_years_ago(20),
        left_on=timezone.localdate() - timedelta(days=20),
    )


def rmc_page(world: World, **params: object) -> str:
    response = client_for(world.users["rmc"]).get("/verzuim/rmc-lijst/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_rmc_list_filters_by_school_municipality_and_name(world):
    femke = another_leaver(world)
    page = rmc_page(world)
    assert "Femke" in page and "Dewi" in page
    page = rmc_page(world, school=femke.institution_id)
    assert "Femke" in page and "Dewi" not in page
    page = rmc_page(world, gemeente=world.students["early"].residence_municipality_id)
    assert "Femke" not in page and "Dewi" in page
    page = rmc_page(world, q="femke")
    assert "Femke" in page and "Dewi" not in page


def test_rmc_list_filters_by_follow_up_status(world):
    femke = another_leaver(world)
    LeaverFollowUp.objects.create(
        student=femke, left_on=femke.left_on, follow_up_status=FollowUpStatus.WORK
    )
    page = rmc_page(world, opvolging="work")
    assert "Femke" in page and "Dewi" not in page
    page = rmc_page(world, opvolging="new")
    assert "Femke" not in page and "Dewi" in page


def test_rmc_list_logs_only_the_students_shown(world):
    another_leaver(world)
    rmc_page(world, q="femke")
    logged = set(
        AccessLogEntry.objects.filter(user=world.users["rmc"], kind="list").values_list(
            "student_id", flat=True
        )
    )
    assert logged == set(Student.objects.filter(first_name="Femke").values_list("pk", flat=True))


def test_filtered_lists_do_not_grow_in_queries_with_more_students(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rmc = client_for(world.users["rmc"])
    hengelo = municipality("GM0164")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert rmc.get(url, {"q": "e", "gemeente": hengelo.pk}).status_code == 200
        return len(queries)

    more_reports(world)
    another_leaver(world)
    before = (count("/verzuim/"), count("/verzuim/rmc-lijst/"))
    for n in range(6):
        leaver = StudentFactory(
            programme=world.students["t3"].programme,
            first_name=f"Femke{n}",
            residence_municipality=hengelo if n % 2 else municipality("GM0141"),
            date_of_birth=born_years_ago(19),
            left_on=timezone.localdate() - timedelta(days=10 + n),
        )
        report(leaver, AbsenceReportKind.RMC)
    assert (count("/verzuim/"), count("/verzuim/rmc-lijst/")) == before


def test_rmc_list_shows_residents_studying_in_another_region_under_their_school(world):
    """Ilse lives in Hengelo (Twente) and left ROC Twee's location in Zwolle (IJssel-Vecht):
    she is on Twente's RMC list, also when filtered on her school or her municipality, and
    not on the list of the region where she studied."""
    add_second_region(world)
    ilse = world.students["incomer"]
    assert "Ilse" in rmc_page(world)
    assert "Ilse" in rmc_page(world, school=ilse.institution_id)
    assert "Ilse" in rmc_page(world, gemeente=ilse.residence_municipality_id)
    other_region = client_for(world.users["rmc_b"]).get("/verzuim/rmc-lijst/", {"q": "Ilse"})
    assert ilse.student_number not in other_region.content.decode()
