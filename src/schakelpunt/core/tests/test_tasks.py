from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from schakelpunt.core.tasks import clear_expired_sessions


def test_daily_job_removes_expired_sessions_and_keeps_live_ones(db):
    expired = SessionStore()
    expired["x"] = 1
    expired.set_expiry(timezone.now() - timedelta(days=1))
    expired.create()
    live = SessionStore()
    live["x"] = 2
    live.create()
    clear_expired_sessions()
    clear_expired_sessions()  # safe to run again
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
