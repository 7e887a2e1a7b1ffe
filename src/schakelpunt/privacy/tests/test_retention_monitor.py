"""The monitor's kept aggregates survive deletion unchanged: the figures of a past period the
deleted students counted in are the same before and after, kept ones untouched and missing
ones computed before the first deletion."""

from datetime import date

from django.utils import timezone

from schakelpunt.access.policy import institution_scope, municipality_scope
from schakelpunt.monitor import dashboard as dash
from schakelpunt.monitor.models import MonitorSnapshot
from schakelpunt.monitor.periods import parse_period
from schakelpunt.monitor.snapshots import dashboard_for, table_for
from schakelpunt.privacy.retention import (
    fingerprint,
    retention_approve,
    retention_propose,
    retention_run,
)
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory
from schakelpunt.support.models import Trajectory


def test_the_monitors_figures_of_a_past_period_are_identical_after_deleting_its_students(
    world,
):  # type: ignore[no-untyped-def]
    t1 = world.students["t1"]
    leavers = [
        StudentFactory(
            programme=t1.programme,
            enrolled_on=date(2021, 8, 20),
            left_on=date(2023, 6, 30),
            date_of_birth=date(2003, 1, 1),
            has_basic_qualification=i % 2 == 0,
        )
        for i in range(12)
    ]
    for s in leavers[:5]:
        Trajectory.objects.create(student=s, coordinator=world.users["coach"])
    period = parse_period("2022-2023")
    school = institution_scope(t1.institution)
    town = municipality_scope(t1.residence_municipality)
    # The town's figures were kept before (the night run); the school's were not.
    dashboard_for(town, period, force=True)
    kept_town = MonitorSnapshot.objects.get(scope=town.key, period=period.code, kind="dashboard")
    today = timezone.localdate()
    before_school = dash.build(school.title, school.students, period, today=today).to_json()
    before_table = table_for(school, period, "niveau")
    assert MonitorSnapshot.objects.filter(scope=school.key, period=period.code).count() == 0

    run = retention_propose(institution=t1.institution, reference_date=date(2026, 8, 1))
    retention_approve(actor=world.users["privacy"], run=run, seen=fingerprint(run))
    done = retention_run(run)
    assert done.counts["students"] == 12
    assert not Student.objects.filter(pk__in=[s.pk for s in leavers]).exists()

    # What the monitor shows for that period: the same figures, for both populations.
    assert dashboard_for(school, period).to_json() == before_school
    assert table_for(school, period, "niveau") == before_table
    after_town = MonitorSnapshot.objects.get(pk=kept_town.pk)
    assert (after_town.data, after_town.computed_at) == (kept_town.data, kept_town.computed_at)
    # Not a coincidence: counted from what is left, the period would look different now.
    live_now = dash.build(school.title, school.students, period, today=today).to_json()
    assert live_now != before_school
