"""Housekeeping that runs daily through the task queue; each job is safe to re-run."""

from axes.handlers.proxy import AxesProxyHandler
from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

# Login attempt records are kept this long for investigating attacks, then removed.
LOGIN_RECORD_DAYS = 90


@db_periodic_task(crontab(hour="3", minute="15"))
def clear_expired_sessions() -> None:
    call_command("clearsessions")


@db_periodic_task(crontab(hour="3", minute="30"))
def clear_old_login_records() -> None:
    AxesProxyHandler.reset_logs(age_days=LOGIN_RECORD_DAYS)
    AxesProxyHandler.reset_failure_logs(age_days=LOGIN_RECORD_DAYS)
