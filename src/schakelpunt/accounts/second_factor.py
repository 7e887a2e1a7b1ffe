"""A lost second factor, and a forgotten password of someone who never chose one.

- The functional administrator removes the authenticator app of a person they manage (a lost
  phone); the person sets up a new one at their next login, after proving their mailbox with
  a code sent by e-mail (the existing setup flow). Recorded as a role grant row, which the
  privacy officer sees.
- "Wachtwoord vergeten?" for an invited person who never chose a password sends the
  invitation again (Django's reset skips accounts without a usable password).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from schakelpunt.access.policy import may_grant_role, organisations_user_may_manage

from .mail import send_invitation_email
from .models import GrantOutcome, Membership, RoleGrant, User


def _not_ended(today: date) -> Q:
    """A role that still runs today or starts later (as for re-sending an invitation)."""
    return Q(valid_until__isnull=True) | Q(valid_until__gte=today)


def second_factor_reset_check(*, actor: User, user_id: int) -> tuple[User, list[Membership]]:
    """Who may: the same right as changing the person's roles (never oneself). Returns the
    person and the current roles the reset is recorded against; 404 for someone not managed."""
    org_ids = set(organisations_user_may_manage(actor))
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404
    today = timezone.localdate()
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organisation", "location", "programme_team")
        .order_by("pk")
    )
    if not any(m.organisation_id in org_ids for m in memberships):
        raise Http404
    if user.pk == actor.pk:
        raise ValidationError(
            _(
                "U kunt uw eigen tweestapsverificatie niet opnieuw instellen. Vraag een andere "
                "functioneel beheerder."
            )
        )
    managed = [m for m in memberships if m.organisation_id in org_ids]
    current = [m for m in managed if m.valid_until is None or m.valid_until >= today]
    if not current:
        raise ValidationError(_("Deze persoon heeft geen rol meer bij uw organisaties."))
    for m in current:
        if not may_grant_role(actor, grantee=user, organisation=m.organisation, role=m.role):
            raise ValidationError(
                _("U mag de tweestapsverificatie van deze persoon niet wijzigen.")
            )
    return user, current


def second_factor_reset(*, actor: User, user_id: int) -> User:
    """Remove the person's authenticator apps; at their next login they set up a new one
    (with a code sent to their e-mail first). Their open sessions must verify again."""
    user, current = second_factor_reset_check(actor=actor, user_id=user_id)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one change at a time
        removed, _per_model = TOTPDevice.objects.filter(user=user).delete()
        if not removed:
            raise ValidationError(
                _("%(name)s heeft geen tweestapsverificatie ingesteld; er is niets te wissen.")
                % {"name": user}
            )
        for m in current:
            RoleGrant.objects.create(
                actor=actor,
                actor_display=f"{actor} <{actor.email}>",
                grantee=user,
                grantee_email=user.email,
                organisation=m.organisation,
                role=m.role,
                scope_display=", ".join(
                    str(x) for x in (m.location, m.programme_team) if x is not None
                ),
                outcome=GrantOutcome.OTP_RESET,
                reason=_("authenticator-app verwijderd; bij de volgende keer inloggen nieuw"),
            )
    return user


def invitation_for_forgotten_password(*, email: str, base_url: str) -> bool:
    """For "Wachtwoord vergeten?": an active account that never chose a password and still
    has a current role gets the invitation again. True when an e-mail was queued (the screen
    says the same either way)."""
    today = timezone.localdate()
    users = User.objects.filter(email__iexact=email.strip(), is_active=True).filter(
        pk__in=Membership.objects.filter(_not_ended(today)).values("user_id")
    )
    queued = False
    for user in users:
        if user.has_usable_password():
            continue
        user_pk = user.pk
        transaction.on_commit(lambda pk=user_pk: send_invitation_email(pk, base_url))  # type: ignore[misc]
        queued = True
    return queued
