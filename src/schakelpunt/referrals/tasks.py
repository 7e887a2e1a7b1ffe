"""Daily referral jobs; each is safe to re-run."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import escalate_overdue_referrals
from .transition import adulthood_alerts


@db_periodic_task(crontab(hour="7", minute="15"))
def escalate_overdue_first_contacts() -> int:
    return escalate_overdue_referrals(timezone.localdate())


@db_periodic_task(crontab(hour="7", minute="20"))
def alert_turning_18() -> int:
    return adulthood_alerts(timezone.localdate())
