"""The demo: embedded SQLite, demo logins shown, no second factor enforced."""

import os

os.environ.setdefault("SCHAKELPUNT_DEMO_MODE", "true")
os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: F403
