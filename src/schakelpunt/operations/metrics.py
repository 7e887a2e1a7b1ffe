"""Prometheus metrics (django-prometheus plus Schakelpunt's own, docs/operations.md).

Several gunicorn workers each count for themselves; with PROMETHEUS_MULTIPROC_DIR set (the
same directory for all of them, emptied at start) a scrape adds them up. Jobs are counted in
the task queue's Redis, where workers on every machine add to them (job_metrics.py). The
figures read from the database at scrape time (queue depth, the last absence import, the
morning run) are computed once per scrape, by the process that answers it. Labels carry ids,
never names.
"""

import os
from collections.abc import Iterator
from datetime import timedelta

from django.utils import timezone
from huey.contrib.djhuey import HUEY
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from schakelpunt.signals.models import AbsenceImportJob, ImportStatus, MorningRun, MorningRunStatus

from .job_metrics import LOCAL_JOBS, shared_job_durations, shared_store

# How far back a finished morning run still counts as an institution's latest.
MORNING_RUN_LOOKBACK = timedelta(days=14)


class ScrapeTimeCollector(Collector):
    """Figures that live in the task queue and the database, read when Prometheus asks."""

    def describe(self) -> list[Metric]:
        return []  # registering must not query the database

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "schakelpunt_task_queue_pending",
            "Jobs waiting in the task queue for a worker.",
            value=HUEY.pending_count(),
        )
        yield GaugeMetricFamily(
            "schakelpunt_task_queue_scheduled",
            "Jobs waiting for their time (retries, later runs).",
            value=HUEY.scheduled_count(),
        )
        if (store := shared_store()) is not None:
            yield shared_job_durations(store)
        yield self._absence_import()
        yield from self._morning_run()

    def _absence_import(self) -> Metric:
        metric = GaugeMetricFamily(
            "schakelpunt_absence_import_rows_per_second",
            "Rows per second of the last finished absence import (all institutions).",
        )
        job = (
            AbsenceImportJob.objects.filter(status=ImportStatus.DONE, finished_at__isnull=False)
            .order_by("-finished_at")
            .values("total", "started_at", "finished_at")
            .first()
        )
        if job is not None and job["finished_at"] is not None:
            seconds = (job["finished_at"] - job["started_at"]).total_seconds()
            metric.add_metric([], job["total"] / seconds if seconds > 0 else 0.0)
        return metric

    def _morning_run(self) -> Iterator[Metric]:
        seconds = GaugeMetricFamily(
            "schakelpunt_morning_run_seconds",
            "Seconds the institution's last finished morning run took.",
            labels=["institution"],
        )
        finished = GaugeMetricFamily(
            "schakelpunt_morning_run_finished_timestamp_seconds",
            "When the institution's last finished morning run finished (Unix time).",
            labels=["institution"],
        )
        latest: set[int] = set()
        runs = (
            MorningRun.objects.filter(
                status=MorningRunStatus.DONE,
                finished_at__gte=timezone.now() - MORNING_RUN_LOOKBACK,
            )
            .order_by("-finished_at")
            .values_list("institution_id", "started_at", "finished_at")
        )
        for institution_id, started_at, finished_at in runs:
            if institution_id in latest or finished_at is None:
                continue
            latest.add(institution_id)
            label = [str(institution_id)]
            seconds.add_metric(label, (finished_at - started_at).total_seconds())
            finished.add_metric(label, finished_at.timestamp())
        yield seconds
        yield finished


SCRAPE_TIME = CollectorRegistry(auto_describe=True)
SCRAPE_TIME.register(ScrapeTimeCollector())


def metrics_exposition() -> bytes:
    """Everything for one scrape, in Prometheus' text format."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)
        counted = generate_latest(processes)
    else:
        counted = generate_latest(REGISTRY)
        if shared_store() is None:
            counted += generate_latest(LOCAL_JOBS)
    return counted + generate_latest(SCRAPE_TIME)
