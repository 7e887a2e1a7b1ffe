"""Meeting jobs: reminders the day before. Jobs call services; services never import this.

The worker finds its work in `tasks` modules, so the e-mail deliveries that services queue
(mail.py) are named here too.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .mail import send_meeting_invitation
from .services import reminders_send

__all__ = ["remind_participants", "send_meeting_invitation"]


@db_periodic_task(crontab(minute="0"))
def remind_participants() -> int:
    return reminders_send()
