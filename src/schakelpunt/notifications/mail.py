"""E-mail a service queues after commit; it calls no service, so services may queue it."""

from django.core.mail import send_mail
from huey.contrib.djhuey import db_task

from .models import Notification


@db_task(retries=3, retry_delay=60)
def send_notification_email(notification_id: int, base_url: str) -> None:
    """E-mail for a person who asked for it; says what changed, never health details."""
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or not notification.recipient.email_notifications:
        return
    link = f"{base_url.rstrip('/')}{notification.url}" if notification.url else base_url
    send_mail(
        subject=f"Schakelpunt: {notification.message}",
        message=f"{notification.message}\n\n{link}\n",
        from_email=None,
        recipient_list=[notification.recipient.email],
    )
