"""The demo: embedded SQLite, demo logins shown, no second factor enforced.

DEBUG stays off so that the demo shows the real pages (also the Dutch 404) people will use.
"""

import os

os.environ.setdefault("SCHAKELPUNT_DEMO_MODE", "true")

from .base import *  # noqa: F403
