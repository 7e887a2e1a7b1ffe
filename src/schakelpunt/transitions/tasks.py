"""The daily aftercare job; safe to re-run."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import aftercare_generate


@db_periodic_task(crontab(hour="7", minute="25"))
def plan_aftercare_for_new_leavers() -> int:
    return aftercare_generate(timezone.localdate())
