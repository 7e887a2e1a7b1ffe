"""Health checks (django-health-check plugins, docs/operations.md).

Readiness asks only what a web server needs to answer (database, Redis). Whether background
work keeps up is a separate question (/health/jobs/), so a late job never takes the web
servers out of service. Messages carry counts only: no names of students or institutions.
"""

import dataclasses
import time
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from health_check.base import HealthCheck  # type: ignore[import-untyped]
from health_check.checks import Database  # type: ignore[import-untyped]
from health_check.contrib.redis import Redis  # type: ignore[import-untyped]
from health_check.exceptions import ServiceUnavailable  # type: ignore[import-untyped]
from huey.contrib.djhuey import HUEY
from redis.asyncio import Redis as RedisClient

from schakelpunt.signals.calendar import school_calendars
from schakelpunt.signals.models import MorningRun, MorningRunStatus
from schakelpunt.students.models import Student

# In huey's own storage (Redis, or the SQLite file), which web and worker processes share.
HEARTBEAT_KEY = "schakelpunt:operations:heartbeat"
# /health/jobs/ is public: its database questions are answered at most once per this many
# seconds per process (Django's cache), so a flood of calls costs one set of queries.
JOBS_CACHE_SECONDS = 30


def heartbeat_record(now: float | None = None) -> None:
    """A worker took a job off the queue: the queue moves (called by a job every minute)."""
    HUEY.put(HEARTBEAT_KEY, time.time() if now is None else now)


def queue_age() -> timedelta | None:
    """Time since a worker last ran the heartbeat job; None: never (or the storage was emptied)."""
    beat = HUEY.get(HEARTBEAT_KEY, peek=True)
    return None if beat is None else timedelta(seconds=max(0.0, time.time() - beat))


def institutions_without_morning_run(now: datetime) -> tuple[int, int]:
    """(institutions due, of which without a finished morning run today). Due: the institution
    has students, today is one of its school days and the due time (local) has passed."""
    local = timezone.localtime(now)
    if local.time() < settings.HEALTH_MORNING_RUN_DUE:
        return 0, 0
    today = local.date()
    with_students = set(Student.objects.values_list("institution_id", flat=True).distinct())
    calendars = school_calendars(with_students)
    due = {i for i in with_students if calendars[i].is_school_day(today)}
    start_of_day = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    done = set(
        MorningRun.objects.filter(
            institution_id__in=due,
            status=MorningRunStatus.DONE,
            finished_at__gte=start_of_day,
        ).values_list("institution_id", flat=True)
    )
    return len(due), len(due - done)


def institutions_without_morning_run_cached(now: datetime) -> tuple[int, int]:
    """institutions_without_morning_run, remembered for JOBS_CACHE_SECONDS (per day and due
    time, so midnight or a new due time asks again)."""
    local = timezone.localtime(now)
    key = (
        f"schakelpunt:operations:morning-run:{local.date().isoformat()}:"
        f"{settings.HEALTH_MORNING_RUN_DUE.isoformat()}:{local.time() >= settings.HEALTH_MORNING_RUN_DUE}"
    )
    answer: tuple[int, int] | None = cache.get(key)
    if answer is None:
        answer = institutions_without_morning_run(now)
        cache.set(key, answer, JOBS_CACHE_SECONDS)
    return answer


@dataclasses.dataclass
class TaskQueueAge(HealthCheck):
    """The task queue moves: a worker ran the every-minute heartbeat job recently."""

    max_age_minutes: int = dataclasses.field(
        default_factory=lambda: settings.HEALTH_QUEUE_MAX_AGE_MINUTES
    )

    async def run(self) -> None:
        age = await sync_to_async(queue_age)()
        if age is None:
            raise ServiceUnavailable("no worker has run the heartbeat job yet")
        if age > timedelta(minutes=self.max_age_minutes):
            raise ServiceUnavailable(
                f"the heartbeat job last ran {int(age.total_seconds() // 60)} minutes ago"
            )


@dataclasses.dataclass
class MorningRunToday(HealthCheck):
    """On a school day after the due time, every institution with students has a finished
    morning run from today."""

    async def run(self) -> None:
        # In the request's thread: the same database connection as the rest of the request.
        due, missing = await sync_to_async(institutions_without_morning_run_cached)(timezone.now())
        if missing:
            raise ServiceUnavailable(
                f"{missing} of {due} institutions have no finished morning run today"
            )


def ready_checks() -> list[Any]:
    """What a web server needs to answer: the database, and Redis (the task queue) if used."""
    checks: list[Any] = [Database]
    if settings.REDIS_URL:
        checks.append(
            (Redis, {"client_factory": partial(RedisClient.from_url, settings.REDIS_URL)})
        )
    return checks


JOB_CHECKS = (TaskQueueAge, MorningRunToday)
