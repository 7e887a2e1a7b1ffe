"""gunicorn's configuration for the web processes: `gunicorn -c python:schakelpunt.conf.gunicorn`.

Every value comes from the environment (docs/deployment.md, decision on the process model).
The app is served behind a TLS proxy that buffers slow clients, so plain sync workers do.
"""

import multiprocessing
import os
from pathlib import Path
from typing import Any


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def default_workers(cores: int) -> int:
    """2 × cores + 1 (gunicorn's advice), at most 12: each worker holds a database connection
    and about 150 MB, and more processes than that only wait on the database."""
    return min(2 * cores + 1, 12)


wsgi_app = "schakelpunt.wsgi:application"

# Where to listen: BIND (e.g. 0.0.0.0:8000 in a container, unix:/run/schakelpunt.sock),
# else 127.0.0.1 on PORT: only the proxy on this machine reaches it.
bind = [os.environ.get("BIND") or f"127.0.0.1:{_int('PORT', 8000)}"]

# Processes serving requests; threads per process (above 1: the gthread worker).
workers = _int("WEB_CONCURRENCY", default_workers(multiprocessing.cpu_count()))
threads = _int("GUNICORN_THREADS", 1)

# A request that takes longer than this is killed and its worker replaced (the PDF of a long
# plan and the monitor take seconds, never a minute); on SIGTERM/HUP, time to finish requests.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Replace a worker after this many requests (jitter: not all at once), so slow leaks stay small.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# The proxy's addresses whose X-Forwarded-Proto/-For gunicorn believes, comma-separated.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The application logs each request itself (without personal data); gunicorn only its errors.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The heartbeat file in memory, not on a container's overlay disk (a slow disk looks like a hang).
SHARED_MEMORY = "/dev/shm"  # noqa: S108 - gunicorn's own advice for containers
if Path(SHARED_MEMORY).is_dir():
    worker_tmp_dir = SHARED_MEMORY

proc_name = "schakelpunt-web"
# No runtime control socket (gunicorn 27): signals do (HUP reload, TERM stop, TTIN/TTOU).
control_socket_disable = True


def child_exit(server: object, worker: Any) -> None:
    """A replaced worker's metric files are merged into the totals, not counted as alive."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
