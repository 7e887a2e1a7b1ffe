"""Withdrawing consent: which consent a user may withdraw, and the student's question first.

The student confirms on a page of its own (a second POST, so no JavaScript is needed); the
care team, withdrawing on the student's behalf, does it in one step.
"""

from django.http import Http404

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import is_own_file, student_get_for_user
from schakelpunt.accounts.models import User
from schakelpunt.students.own_file import part_words

from .models import Consent


def consent_for_withdrawal(*, user: User, consent_id: int) -> tuple[Consent, bool, str]:
    """The consent, whether it is the user's own, and the user's roles (for the access log);
    404 for whoever may not withdraw it."""
    consent = (
        Consent.objects.select_related("organisation", "student").filter(pk=consent_id).first()
    )
    if consent is None:
        raise Http404
    student, access = student_get_for_user(user=user, student_id=consent.student_id)
    own = is_own_file(user, student)
    if not own and not access.allows(Action.CHANGE, Part.REFERRALS):
        raise Http404
    return consent, own, access.roles


def confirm_context(consent: Consent) -> dict[str, object]:
    return {"consent": consent, "words": part_words(consent.parts)}
