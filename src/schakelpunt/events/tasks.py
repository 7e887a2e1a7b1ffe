"""The delivery round of events to connected systems, every minute; safe to overlap."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import deliver_due


@db_periodic_task(crontab(minute="*"))
def deliver_events() -> int:
    return deliver_due().delivered
