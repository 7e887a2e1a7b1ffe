"""The night's monitor: every population's dashboards rebuilt before anyone opens them."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .snapshots import refresh_all


@db_periodic_task(crontab(hour="5", minute="30"))
def monitor_refresh_nightly() -> None:
    refresh_all()
