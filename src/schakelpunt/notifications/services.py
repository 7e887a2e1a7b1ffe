"""Who hears about a change, and how. Sent after the change is committed."""

from collections.abc import Iterable, Mapping
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from schakelpunt.access.policy import may_see_identity
from schakelpunt.accounts.models import Membership, User
from schakelpunt.accounts.roles import Role
from schakelpunt.students.models import Student

from .mail import send_notification_email
from .models import Notification
from .selectors import file_url, link_for


def involved_people(student: Student, coordinator_id: int | None) -> set[int]:
    """The student's coaches, the coordinator, the support team and the student."""
    coaches = Membership.objects.active().filter(
        role=Role.COACH, programme_team_id=student.programme.team_id
    )
    people = set(coaches.values_list("user_id", flat=True))
    people |= set(
        student.support_team.filter(ended_on__isnull=True).values_list("user_id", flat=True)
    )
    if coordinator_id:
        people.add(coordinator_id)
    if student.user_id:
        people.add(student.user_id)
    return people


def neutral_name(referral_id: int | None = None) -> str:
    """How a message names a student to someone who may not see who it is."""
    if referral_id is None:
        return str(_("een student"))
    return str(_("een student (verwijzing %(number)s)") % {"number": referral_id})


def notify(
    *,
    actor: User | None,
    student: Student,
    recipients: Iterable[int],
    staff_message: str,
    student_message: str,
    values: Mapping[str, object] | None = None,
    neutral: str = "",
    url: str = "",
    urls: dict[int, str] | None = None,
) -> list[Notification]:
    """One notification per recipient (not the actor); e-mail for those who opted in.

    Both messages are templates filled with `values`. `%(name)s` in the staff message becomes
    the student's name only for a recipient who may already see who the student is, at this
    moment; anyone else reads `neutral` ("een student", with the referral number if given).
    The link goes to the student file unless `url` (or, per recipient, `urls`) says otherwise,
    and never to a file the recipient may not open (`link_for`).
    """
    now = timezone.now()
    default_url = url or file_url(student.pk)
    given = dict(values or {})
    to = sorted(set(recipients) - {actor.pk if actor else None})
    users = {u.pk: u for u in User.objects.filter(pk__in=to)}
    notes = []
    for user_id in to:
        link = (urls or {}).get(user_id, default_url)
        if user_id == student.user_id:
            text = student_message % {"name": student.display_name, **given}
        else:
            user = users[user_id]
            # Asked only when the message names the student or links into the file.
            opens_file = (
                "%(name)s" in staff_message or link.startswith(file_url(student.pk))
            ) and may_see_identity(user, student)
            shown = student.display_name if opens_file else neutral or neutral_name()
            text = capfirst(staff_message % {**given, "name": shown})
            link = link_for(user, student.pk, link, opens_file=opens_file)
        notes.append(
            Notification(
                recipient_id=user_id,
                student_id=student.pk,
                message=text[:300],
                url=link,
                created_at=now,
            )
        )
    created = Notification.objects.bulk_create(notes)
    mail_to = set(
        User.objects.filter(
            pk__in=[n.recipient_id for n in created], email_notifications=True, is_active=True
        ).values_list("pk", flat=True)
    )
    base_url = settings.SITE_URL
    for note in created:
        if note.recipient_id in mail_to:
            transaction.on_commit(partial(send_notification_email, note.pk, base_url))
    return created


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one (or, without an id, all) of the user's notifications as read."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
