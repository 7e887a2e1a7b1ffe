"""The queue's heartbeat, and a log line, a metric for every job the workers run."""

import logging
import time

import structlog
from huey import crontab
from huey.contrib.djhuey import HUEY, periodic_task
from huey.signals import (
    SIGNAL_CANCELED,
    SIGNAL_COMPLETE,
    SIGNAL_ERROR,
    SIGNAL_EXECUTING,
    SIGNAL_INTERRUPTED,
    SIGNAL_LOCKED,
    SIGNAL_RATE_LIMITED,
    SIGNAL_RETRYING,
    SIGNAL_TIMEOUT,
)

from .health import heartbeat_record
from .job_metrics import job_duration_record

logger = structlog.get_logger(__name__)
# Job id -> when it started; a worker runs each job in one thread.
_started: dict[str, float] = {}


@periodic_task(crontab(minute="*"))
def queue_heartbeat() -> None:
    """/health/jobs/ measures the queue's age by when this last ran (docs/operations.md)."""
    heartbeat_record()


@HUEY.signal(SIGNAL_EXECUTING)
def _job_started(signal: str, task: object) -> None:
    _started[task.id] = time.perf_counter()  # type: ignore[attr-defined]
    # The job's name only: its arguments can be a student's id or a file.
    logger.info("task_started", task=task.name)  # type: ignore[attr-defined]


# Every way a started job ends: done, failed, interrupted, cancelled, out of time, held back
# by a rate limit or a lock, or asking to be tried again (after a failure, huey says
# "retrying" too: that job was counted already).
@HUEY.signal(
    SIGNAL_COMPLETE,
    SIGNAL_ERROR,
    SIGNAL_INTERRUPTED,
    SIGNAL_CANCELED,
    SIGNAL_TIMEOUT,
    SIGNAL_RATE_LIMITED,
    SIGNAL_LOCKED,
    SIGNAL_RETRYING,
)
def _job_finished(signal: str, task: object, *args: object) -> None:
    started = _started.pop(task.id, None)  # type: ignore[attr-defined]
    name = task.name  # type: ignore[attr-defined]
    if started is None:
        if signal != SIGNAL_RETRYING:
            logger.info("task_finished", task=name, outcome=signal)
        return
    seconds = time.perf_counter() - started
    job_duration_record(name, signal, seconds)
    logger.log(
        logging.INFO if signal == SIGNAL_COMPLETE else logging.WARNING,
        "task_finished",
        task=name,
        outcome=signal,
        duration_ms=round(seconds * 1000, 1),
    )
