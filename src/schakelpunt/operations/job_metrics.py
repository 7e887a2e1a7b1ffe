"""How long background jobs ran and how they ended, for Prometheus, from every worker.

Workers run in their own containers or on other machines (decision 0031). A metric file per
process (PROMETHEUS_MULTIPROC_DIR) reaches only the /metrics of processes on the same machine
and in the same container, so with the task queue on Redis each finished job adds to one hash
in that Redis instead, and /metrics reads the hash when Prometheus asks: every worker
anywhere counts, and a restarted container loses nothing. Without Redis (the embedded set-up:
one machine, the queue in an SQLite file) each process keeps its own histogram, as before.
Labels: the job's name and outcome, never its arguments.
"""

from collections import defaultdict
from functools import cache

import redis
from django.conf import settings
from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import HistogramMetricFamily
from prometheus_client.utils import floatToGoString

NAME = "schakelpunt_task_duration_seconds"
HELP = "Seconds a background job ran, by job name and outcome (complete, error, ...)."
BUCKETS = (0.05, 0.25, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 1800.0, 3600.0)
# The hash's fields: "<task>|<outcome>|count", "…|sum" and "…|<bucket>" (jobs up to that long).
REDIS_KEY = "schakelpunt:metrics:task_duration_seconds"

# Without Redis: this process's histogram (also in PROMETHEUS_MULTIPROC_DIR when set). In its
# own registry, so that with Redis no empty copy of the metric shows next to the shared one.
LOCAL_JOBS = CollectorRegistry()
TASK_SECONDS = Histogram(NAME, HELP, ["task", "outcome"], buckets=BUCKETS, registry=LOCAL_JOBS)


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2)


def shared_store() -> redis.Redis | None:
    """The task queue's Redis, where every worker counts; None in the embedded set-up."""
    url: str = settings.REDIS_URL
    return _client(url) if url else None


def job_duration_record(task: str, outcome: str, seconds: float) -> None:
    store = shared_store()
    if store is None:
        TASK_SECONDS.labels(task=task, outcome=outcome).observe(seconds)
        return
    field = f"{task}|{outcome}"
    writes = store.pipeline(transaction=False)
    writes.hincrby(REDIS_KEY, f"{field}|count", 1)
    writes.hincrbyfloat(REDIS_KEY, f"{field}|sum", seconds)
    for bound in BUCKETS:
        if seconds <= bound:
            writes.hincrby(REDIS_KEY, f"{field}|{bound}", 1)
    writes.execute()


def shared_job_durations(store: redis.Redis) -> HistogramMetricFamily:
    """Every worker's jobs, from the hash: one histogram per job name and outcome."""
    metric = HistogramMetricFamily(NAME, HELP, labels=["task", "outcome"])
    found: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for key, value in store.hgetall(REDIS_KEY).items():
        text = key.decode() if isinstance(key, bytes) else key
        task, outcome, part = text.rsplit("|", 2)
        found[(task, outcome)][part] = float(value)
    for (task, outcome), parts in sorted(found.items()):
        count = parts.get("count", 0.0)
        buckets = [(floatToGoString(b), parts.get(str(b), 0.0)) for b in BUCKETS]
        metric.add_metric(
            [task, outcome], buckets=[*buckets, ("+Inf", count)], sum_value=parts.get("sum", 0.0)
        )
    return metric
