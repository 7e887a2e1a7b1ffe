"""The test suite: the same settings as base, with fast hashing and tasks run inline."""

import os

os.environ.setdefault("HUEY_IMMEDIATE", "true")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-use-anywhere-else-0123456789")

from .base import *  # noqa: F403
from .base import HUEY

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY["immediate"] = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The second factor is switched on by the tests that are about it.
OTP_REQUIRED = False
