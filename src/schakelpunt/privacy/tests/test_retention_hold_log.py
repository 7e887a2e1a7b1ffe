"""The retention run's purge of the access log keeps a held student's rows and says how many
a hold kept back (a count, no names)."""

import pytest
from django.utils import timezone

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.access.tests.test_purge_hold import read, years_ago
from schakelpunt.privacy.models import LegalHold, RetentionRun
from schakelpunt.privacy.retention import purge_access_logs


@pytest.mark.django_db
def test_the_runs_purge_keeps_a_held_students_log_and_counts_it(world):  # type: ignore[no-untyped-def]
    held, other = world.students["t1"], world.students["t2"]
    read(world, other, years_ago(7))
    read(world, held, years_ago(6))
    LegalHold.objects.create(student=held, reason="klacht", set_by=world.users["privacy"])
    run = RetentionRun.objects.create(
        institution=held.institution, reference_date=timezone.localdate()
    )
    purge_access_logs(run)
    run.refresh_from_db()
    assert AccessLogEntry.objects.filter(student_id=held.pk).count() == 1
    assert not AccessLogEntry.objects.filter(student_id=other.pk).exists()
    assert run.counts["tables"]["access.AccessLogEntry"] == 1
    assert run.counts["access_log_held_by_legal_hold"] == 1
