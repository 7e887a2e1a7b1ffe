"""The retention job (decision 0004, huey): every 1 August a dry-run list per institution for
its privacy officer; every minute, the approved runs are carried out (and a run that was
stopped half-way continues)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .models import RetentionRun, RetentionRunStatus
from .retention import retention_run, yearly_proposals


@db_periodic_task(crontab(month="8", day="1", hour="3", minute="0"))
def retention_propose_yearly() -> int:
    return len(yearly_proposals())


@db_periodic_task(crontab(minute="*"))
@lock_task("privacy-retention-run")
def retention_run_approved() -> int:
    """Carry out every approved run, one after the other; batches are their own
    transactions, so a killed worker leaves nothing half-deleted."""
    done = 0
    for run in RetentionRun.objects.filter(status=RetentionRunStatus.APPROVED).order_by("pk"):
        retention_run(run)
        done += 1
    return done
