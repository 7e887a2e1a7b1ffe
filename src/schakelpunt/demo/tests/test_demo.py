import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from schakelpunt.accounts.roles import Role
from schakelpunt.demo.builder import DEMO_PASSWORD, LOGIN_NAMES, build_demo_region, demo_logins
from schakelpunt.students.models import Student


class _Undo(Exception):
    pass


def _names_of_built_region(seed: int) -> list[tuple[str, str, str]]:
    try:
        with transaction.atomic():
            build_demo_region(students=200, seed=seed)
            names = list(
                Student.objects.order_by("student_number").values_list(
                    "student_number", "first_name", "last_name"
                )
            )
            raise _Undo
    except _Undo:
        return names


def test_same_seed_builds_the_same_region(db):
    assert _names_of_built_region(7) == _names_of_built_region(7)
    assert _names_of_built_region(7) != _names_of_built_region(8)


@pytest.fixture
def region(db):
    return build_demo_region(students=400, seed=3)


def test_region_has_one_login_per_role(region):
    logins = demo_logins()
    assert [login.email.split("@")[0] for login in logins] == LOGIN_NAMES
    assert {login.role for login in logins} == {str(r.label) for r in Role}


def test_students_are_plausible(region):
    every = Student.objects.select_related("residence_municipality__rmc_region", "programme")
    # Former students (numbers from 8 000 000) left in the two school years before this one.
    students = every.exclude(student_number__startswith="8")
    assert students.count() == 400
    former = every.filter(student_number__startswith="8")
    assert former.count() > 100 and not former.filter(left_on__isnull=True).exists()
    twente = students.filter(residence_municipality__rmc_region__code="MC12").count()
    assert 0.8 * 400 <= twente < 400  # most live in Twente, some come from elsewhere
    levels = {s.programme.level for s in students}
    assert levels == {1, 2, 3, 4}
    assert {s.programme.pathway for s in students} == {"BOL", "BBL"}
    from django.utils import timezone

    today = timezone.localdate()
    ages = [s.age_on(today) for s in students]
    assert min(ages) >= 15
    assert max(ages) <= 27


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("coach", "Mijn studenten"),
        ("zorgcoordinator", "Mijn studenten"),
        ("studentbegeleider", "Mijn studenten"),
        ("schakelfunctionaris", "Mijn studenten"),
        ("hulpverlener", "Naar uw organisatie verwezen"),
        ("rmc", "Meldingen in uw regio"),
        ("gemeente", "Ingeschreven studenten per niveau"),
        ("bestuur", "Ingeschreven studenten per niveau"),
        ("privacy", "Toegangslog doorzoeken"),
        ("beheer", "Organisaties en rollen bekijken"),
        ("student", "Naar mijn dossier"),
    ],
)
def test_every_demo_login_lands_on_its_own_work(region, name, expected):
    client = Client()
    response = client.post(
        "/account/inloggen/",
        {"username": f"{name}@demo.schakelpunt.nl", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302, name
    home = client.get("/").content.decode()
    assert expected in home


def test_file_roles_in_the_demo_have_students_to_work_for(region):
    from schakelpunt.access.policy import students_for_user
    from schakelpunt.accounts.models import User

    for name in ("coach", "zorgcoordinator", "hulpverlener", "rmc"):
        user = User.objects.get(email=f"{name}@demo.schakelpunt.nl")
        assert students_for_user(user).exists(), name


def test_demo_command_refuses_to_build_twice(db, capsys):
    call_command("demo", students=60, seed=1)
    assert "Demoregio gebouwd: 60 studenten" in capsys.readouterr().out
    with pytest.raises(CommandError, match="staat al in de database"):
        call_command("demo", students=60, seed=1)
    call_command("demo", students=60, seed=1, if_empty=True)
    out = capsys.readouterr().out
    assert "die wordt gebruikt" in out
    assert "coach@demo.schakelpunt.nl" in out
    assert Student.objects.exclude(student_number__startswith="8").count() == 60


@pytest.mark.parametrize(
    ("surname", "expected"),
    [
        ("Jansen", ("", "Jansen")),
        ("van Vliet", ("van", "Vliet")),
        ("van der Ploeg", ("van der", "Ploeg")),
        ("Bourgondië, van", ("van", "Bourgondië")),
        ("de Jong-van Dam", ("de", "Jong-van Dam")),
    ],
)
def test_dutch_surnames_are_split_into_prefix_and_name(surname, expected):
    from schakelpunt.demo.names import split_surname

    assert split_surname(surname) == expected


def test_demo_has_trajectories_in_every_state_and_tier_at_plausible_shares(db):
    from schakelpunt.support.models import Tier, Trajectory, TrajectoryState

    build_demo_region(students=2000, seed=5)
    # This school year's students and their support (earlier years are the monitor's history).
    # The history's trajectories were made closed at once (version 1); those of this year went
    # through their states.
    trajectories = Trajectory.objects.exclude(state="closed", version=1)
    assert {t.state for t in trajectories} == set(TrajectoryState.values)
    assert {t.tier for t in trajectories} == set(Tier.values)
    share = trajectories.count() / 2000
    assert 0.15 <= share <= 0.26  # about 1 in 5
    assert trajectories.filter(tier=Tier.DIEPTE).count() / 2000 < 0.03  # specialist help is rare
    basis = trajectories.filter(tier=Tier.BASIS).count()
    assert basis > trajectories.count() / 2  # most support is light


def test_demo_logins_have_real_work_on_their_start_page(db):
    build_demo_region(students=2000, seed=5)
    for name in ("coach", "zorgcoordinator", "studentbegeleider"):
        client = Client()
        client.post(
            "/account/inloggen/",
            {"username": f"{name}@demo.schakelpunt.nl", "password": DEMO_PASSWORD},
        )
        home = client.get("/").content.decode()
        assert "lopende trajecten" in home, name
        caseload = client.get("/studenten/caseload/?state=any").content.decode()
        assert "Geen studenten die aan deze filters voldoen." not in caseload, name
    student = Client()
    student.post(
        "/account/inloggen/", {"username": "student@demo.schakelpunt.nl", "password": DEMO_PASSWORD}
    )
    assert "Meldingen (1 nieuw)" in student.get("/").content.decode()
    own = student.get("/studenten/mijn-dossier/", follow=True).content.decode()
    # In the student's own words (issue 16, item 5): running help, not "Actief"/"Breedte".
    assert "Je krijgt extra hulp sinds" in own and "Jouw team" in own


def test_demo_absence_is_realistic_and_reports_come_from_the_rules(db):
    from django.db.models import Count

    from schakelpunt.signals.models import AbsenceRecord, AbsenceReport
    from schakelpunt.signals.statutory import RULES_VERSION

    build_demo_region(students=2000, seed=5)
    unauthorised = AbsenceRecord.objects.filter(reason="unauthorised")
    per_student = list(
        unauthorised.values("student").annotate(n=Count("pk")).values_list("n", flat=True)
    )
    assert per_student, "some students skip school"
    assert sorted(per_student)[len(per_student) // 2] <= 5  # most rarely do
    assert max(per_student) >= 20  # and a tail is chronically absent
    assert AbsenceRecord.objects.filter(reason="illness").exists()
    reports = AbsenceReport.objects.all()
    assert reports.filter(kind="16_in_4").exists()
    assert set(reports.values_list("rules_version", flat=True)) == {RULES_VERSION}
    assert reports.filter(reported_on__isnull=True).exists()  # open work for the officer


def test_the_monitor_tells_the_regions_story_over_two_years(region):
    """Support moved earlier and lighter: more students reached, fewer referred on."""
    from django.utils import timezone

    from schakelpunt.monitor import indicators as ind
    from schakelpunt.monitor.periods import previous, school_year_of

    last = previous(school_year_of(timezone.localdate()))
    before = previous(last)
    students = Student.objects.all()
    reach = [ind.reach(students, p).rate or 0 for p in (before, last)]
    referred = [ind.referred_share(students, p).rate or 0 for p in (before, last)]
    assert reach[0] < reach[1]
    assert referred[0] > referred[1]
    assert ind.early_leavers(students, before) > 0
    assert sum(ind.aftercare_outcomes(students, before).values()) > 0


def test_appointments_fall_on_school_days(region):
    """Issue 16: demo appointments fell on Saturdays and Sundays. Meetings, conversations
    (past and planned), first contacts after a referral and aftercare contacts are on school
    days: Monday to Friday, outside the holidays the demo knows of."""
    from django.utils import timezone

    from schakelpunt.demo.schooldays import CALENDAR
    from schakelpunt.meetings.models import Meeting
    from schakelpunt.referrals.models import Referral
    from schakelpunt.support.models import ContactNote
    from schakelpunt.transitions.models import AftercareContact

    today = timezone.localdate()
    days = {
        "meetings": [
            timezone.localtime(m).date()
            for m in Meeting.objects.values_list("starts_at", flat=True)
        ],
        "contacts": list(ContactNote.objects.values_list("happened_on", flat=True)),
        "first contacts": list(
            Referral.objects.filter(first_contact_on__isnull=False).values_list(
                "first_contact_on", flat=True
            )
        ),
        "aftercare": list(
            AftercareContact.objects.filter(done_on__isnull=False).values_list("done_on", flat=True)
        ),
    }
    assert days["meetings"] and days["contacts"] and days["first contacts"]
    assert any(day > today for day in days["meetings"])  # some still to come
    assert any(day > today for day in days["contacts"])  # and planned conversations
    for kind, found in days.items():
        weekend = sorted({d for d in found if not CALENDAR.is_school_day(d)})
        assert not weekend, (kind, weekend[:5])


def test_the_build_tells_what_it_is_doing(db, capsys):
    """Issue 16: the first build printed nothing for almost three minutes. Now a line per
    step, in Dutch, with its counts, while it builds."""
    from schakelpunt.students.models import Student as Students

    lines: list[str] = []

    def seen(line: str) -> None:
        # Written while building: the students are there before the build ends.
        lines.append(f"{line} | {Students.objects.count()}")

    build_demo_region(students=60, seed=1, progress=seen)
    assert len(lines) >= 10
    assert "60 studenten ingeschreven" in lines[0]
    assert all(re.search(r"\[\s*\d+ s\] .*\d", line) for line in lines), lines
    for word in ("gebruikers", "verwijzingen", "trajecten", "verzuimmeldingen", "overleggen"):
        assert any(word in line for line in lines), word
    call_command("demo", students=60, seed=2, if_empty=True)  # already there: no build
    assert "[" not in capsys.readouterr().out.split("Demo-inlognamen")[0]


def test_the_demo_command_prints_its_steps_as_they_happen(db, capsys):
    call_command("demo", students=60, seed=1)
    out = capsys.readouterr().out
    built = out[: out.index("Demoregio gebouwd")]
    steps = [line for line in built.splitlines() if re.match(r"\s+\[\s*\d+ s\]", line)]
    assert len(steps) >= 10
    assert out.index("Demoregio bouwen met 60 studenten") < out.index(steps[0])
    assert out.index(steps[-1]) < out.index("Demoregio gebouwd: 60 studenten")
    monitor = out[out.index("Monitor voorberekenen") :]
    assert re.search(r"\[\s*\d+ s\] Gemeente Enschede, \d{4}-\d{4}\n", monitor)


def test_the_demo_school_keeps_absence_only_on_its_own_calendars_school_days(refdata):
    """The demo's absence and appointments follow the calendar the app itself computes for
    the demo school (its region's holidays, the public holidays, its own days off), and the
    school's own days off don't repeat its region's holidays (the calendar listed the autumn
    and Christmas holidays twice, the autumn week at other dates)."""
    from schakelpunt.demo.absence import OWN_DAYS_OFF
    from schakelpunt.signals.calendar import school_calendar
    from schakelpunt.signals.models import AbsenceRecord, SchoolHoliday

    build_demo_region(students=60, seed=5)
    roc = Student.objects.first().institution
    calendar = school_calendar(roc)
    days = set(AbsenceRecord.objects.values_list("day", flat=True).distinct())
    assert days
    assert sorted(d for d in days if not calendar.is_school_day(d)) == []
    own = sorted(SchoolHoliday.objects.filter(institution=roc).values_list("name", "start", "end"))
    assert own == sorted(OWN_DAYS_OFF)
