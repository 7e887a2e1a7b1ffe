"""Daily signalling jobs; each is safe to re-run."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .triage import escalate_stale_concerns


@db_periodic_task(crontab(hour="7", minute="0"))
def escalate_concerns_without_follow_up() -> int:
    return escalate_stale_concerns(today=timezone.localdate())
