"""The daily aftercare job; safe to re-run."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .non_arrival import handed_over_not_enrolled, non_arrivals_detect
from .services import aftercare_generate


@db_periodic_task(crontab(hour="7", minute="25"))
def plan_aftercare_for_new_leavers() -> int:
    return aftercare_generate(timezone.localdate())


@db_periodic_task(crontab(hour="7", minute="30"))
def find_non_arrivals() -> int:
    today = timezone.localdate()
    return non_arrivals_detect(today) + handed_over_not_enrolled(today)
