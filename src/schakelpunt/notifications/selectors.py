from collections.abc import Iterable

from django.db.models import QuerySet
from django.urls import reverse

from schakelpunt.access.policy import referrals_for_user, students_for_user
from schakelpunt.accounts.models import User

from .models import Notification


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def file_url(student_id: int) -> str:
    return reverse("students:detail", args=[student_id])


def link_for(user: User, student_id: int, url: str, *, opens_file: bool) -> str:
    """A link only to what the user may open (`opens_file`: the policy lets them open the
    student's file). A link into the file goes, for whoever may not open it, to their own
    referral of the student (a provider before consent or after its withdrawal), or else to
    their messages."""
    if opens_file or not url.startswith(file_url(student_id)):
        return url
    referral = referrals_for_user(user).filter(student_id=student_id).order_by("-pk").first()
    if referral is not None:
        return reverse("referrals:detail", args=[referral.pk])
    return reverse("notifications:inbox")


def links_for(*, user: User, notifications: Iterable[Notification]) -> dict[int, str]:
    """Per notification, where its link goes now: access may have ended since it was sent
    (consent withdrawn, left the team), and a link never leads to a file the user may not
    open. One query for the files, one per file no longer open."""
    notes = list(notifications)
    ids = sorted({n.student_id for n in notes if n.student_id is not None})
    opens = set(students_for_user(user).filter(pk__in=ids).values_list("pk", flat=True))
    return {
        n.pk: link_for(user, n.student_id, n.url, opens_file=n.student_id in opens)
        if n.student_id is not None
        else n.url
        for n in notes
    }
