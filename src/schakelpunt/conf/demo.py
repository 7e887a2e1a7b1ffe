"""The demo: embedded SQLite, demo logins shown, no second factor enforced.

DEBUG stays off so that the demo shows the real pages (also the Dutch 404) people will use.
"""

import os

from schakelpunt.demo.address import site_url_for

os.environ.setdefault("SCHAKELPUNT_DEMO_MODE", "true")

from .base import *  # noqa: F403

# Where `make demo` serves; links in e-mails and .ics files follow it unless SITE_URL is set.
DEMO_ADDR = os.environ.get("DEMO_ADDR", "127.0.0.1:8000")
SITE_URL_FOLLOWS_DEMO_ADDR = not os.environ.get("SITE_URL")
if SITE_URL_FOLLOWS_DEMO_ADDR:
    SITE_URL = site_url_for(DEMO_ADDR)
