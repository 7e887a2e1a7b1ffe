"""The yearly job that makes the coming school year's absence partition before 1 August
(PostgreSQL; nothing to do on SQLite). Imported by SignalsConfig.ready: huey only finds
modules named tasks by itself."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(month="7", day="1", hour="3", minute="0"))
def make_next_school_years_absence_partition() -> list[str]:
    # Imported here: the app registry loads this module early (SignalsConfig.ready).
    from .partitions import is_partitioned, partitions_ensure

    if not is_partitioned():
        return []
    return partitions_ensure(today=timezone.localdate())
