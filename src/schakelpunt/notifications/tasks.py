"""The worker finds its work in `tasks` modules: the e-mail that services queue is in mail.py."""

from .mail import send_notification_email

__all__ = ["send_notification_email"]
