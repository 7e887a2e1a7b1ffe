"""NOT FOR REAL USE — NEVER WITH REAL STUDENTS' DATA.

`scripts/prodlike` runs the production settings with plain http on this machine, for CI and
laptops: no redirect to https, cookies without Secure, no HSTS, a generated SECRET_KEY and
only localhost. It refuses a database or Redis that is not on this machine, and a database
whose name does not say 'prodlike' (a school's own server may well run PostgreSQL on the same
machine), so it cannot be pointed at a real installation by mistake. A real installation uses
schakelpunt.conf.production behind a TLS proxy (docs/deployment.md).
"""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _refuse_remote(variable: str) -> None:
    host = urlsplit(os.environ.get(variable, "")).hostname
    if host not in LOOPBACK:
        raise ImproperlyConfigured(
            f"schakelpunt.conf.prodlike is only for this machine: {variable} must point at "
            f"127.0.0.1 or localhost, not {host!r}. Use schakelpunt.conf.production."
        )


def _refuse_real_database() -> None:
    name = urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/")
    if "prodlike" not in name:
        raise ImproperlyConfigured(
            "schakelpunt.conf.prodlike only runs on a database with 'prodlike' in its name "
            f"(a throwaway one), not {name!r}. Use schakelpunt.conf.production."
        )


_refuse_remote("DATABASE_URL")
_refuse_remote("REDIS_URL")
_refuse_real_database()
if not os.environ.get("SECRET_KEY"):
    # The embedded setup's key file in the data directory: one key for every process here.
    from .base import SECRET_KEY as _generated_key

    os.environ["SECRET_KEY"] = _generated_key

from .production import *  # noqa: E402, F403
from .production import HUEY, env  # noqa: E402

# Plain http on 127.0.0.1: no redirect, no Secure cookies, and never HSTS on localhost
# (a browser would remember it for every other local site for a year).
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_PRELOAD = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Production always demands the second factor. Here it may be switched off, because the demo
# accounts have none (scripts/prodlike --demo-students does that); production ignores this.
OTP_REQUIRED = env.bool("SCHAKELPUNT_OTP_REQUIRED", default=True)
# Jobs go through Redis to the worker processes, as in production (never run inline).
HUEY["immediate"] = False
