"""Production: refuses to start without SECRET_KEY, HTTPS only, second factor enforced."""

import os

from django.core.exceptions import ImproperlyConfigured

if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured("SECRET_KEY is required in production (see docs/configuration.md).")
if os.environ.get("SCHAKELPUNT_DEMO_MODE", "").lower() in {"1", "true", "yes", "on"}:
    raise ImproperlyConfigured("SCHAKELPUNT_DEMO_MODE cannot be used in production.")

from .base import *  # noqa: F403
from .base import env
from .base import logging_config as _logging_config

DEBUG = False
OTP_REQUIRED = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Load balancers and Prometheus may ask over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
# JSON lines on stdout for the log collector (docs/operations.md).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = _logging_config(json=LOG_FORMAT == "json", level=LOG_LEVEL)
# Jobs always go to the queue in production, whatever the environment says (HUEY_IMMEDIATE is for
# the tests): an inline job would run in the web request and skip the workers' retries.
HUEY["immediate"] = False  # noqa: F405
