"""The first run on an empty database: one MBO institution and its first functional
administrator (`schakelpunt setup`). Everything after that happens on the screens."""

import re
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from schakelpunt.accounts.models import Membership, Organisation, User
from schakelpunt.accounts.roles import OrganisationKind, Role
from schakelpunt.accounts.services import membership_create, organisation_create, user_invite
from schakelpunt.refdata.models import Municipality

# A BRIN number: two digits and two letters (or digits), e.g. 25LG.
BRIN = re.compile(r"^[0-9]{2}[A-Z0-9]{2}$")
# The key of PostgreSQL's advisory lock held while a first run checks and creates.
_FIRST_INSTALL_LOCK = 17_001


class AlreadyInstalled(ValidationError):
    """There is an institution already; the first run changes nothing."""


@dataclass(frozen=True)
class FirstInstall:
    institution: Organisation
    admin: User
    # The link to choose a first password; empty when the operator gave the password.
    password_link: str


def installed_institutions() -> list[tuple[Organisation, list[User]]]:
    """The MBO institutions there are, each with its functional administrators."""
    found = []
    for institution in Organisation.objects.filter(kind=OrganisationKind.MBO_INSTITUTION):
        admins = [
            m.user
            for m in Membership.objects.active()
            .filter(organisation=institution, role=Role.FUNCTIONAL_ADMIN)
            .select_related("user")
            .order_by("user__email")
        ]
        found.append((institution, admins))
    return found


def municipality_find(value: str) -> Municipality:
    """A municipality by CBS code (GM0153, or 0153) or by name, in Dutch when unknown."""
    value = value.strip()
    code = value.upper()
    if code.isdigit():
        code = f"GM{int(code):04d}"
    found = (
        Municipality.objects.filter(cbs_code=code).first()
        or Municipality.objects.filter(name__iexact=value).first()
    )
    if found is None and value:  # 'Hengelo' for 'Hengelo (O.)', when only one is meant
        alike = list(Municipality.objects.filter(name__istartswith=f"{value} (")[:2])
        found = alike[0] if len(alike) == 1 else None
    if found is None:
        raise ValidationError(
            _("Gemeente '%(value)s' bestaat niet. Geef de CBS-code (bijv. GM0153) of de naam.")
            % {"value": value}
        )
    return found


def password_link(*, user: User, base_url: str) -> str:
    """The same link as in the invitation e-mail: choosing a password there also lets the
    person set up a first authenticator app without an e-mailed code."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{base_url.rstrip('/')}{path}"


def _already_installed_message(found: list[tuple[Organisation, list[User]]]) -> str:
    parts = []
    for institution, admins in found:
        names = ", ".join(f"{a} <{a.email}>" for a in admins) or _("nog geen")
        parts.append(
            _("%(institution)s (functioneel beheerder: %(admins)s)")
            % {"institution": institution.name, "admins": names}
        )
    return _(
        "Schakelpunt is al ingericht: %(institutions)s. Er is niets veranderd. Een extra "
        "beheerder nodigt u uit op /beheer/mensen/ of met 'schakelpunt invite'."
    ) % {"institutions": "; ".join(parts)}


def first_install(
    *,
    institution_name: str,
    brin: str,
    municipality: str,
    admin_email: str,
    admin_first_name: str,
    admin_last_name: str,
    password: str | None,
    base_url: str,
) -> FirstInstall:
    """Create the institution and its first functional administrator, or refuse (nothing
    changes) when there is an institution already or a value is wrong.

    Without a password the administrator gets the invitation e-mail and the link is returned
    too, for the operator to pass on when e-mail is not set up yet.
    """
    institution_name = institution_name.strip()
    if not institution_name:
        raise ValidationError(_("De instelling heeft een naam."))
    brin = brin.strip().upper()
    if brin and not BRIN.match(brin):
        raise ValidationError(
            _("BRIN '%(brin)s' klopt niet: twee cijfers en twee letters, bijv. 25LG.")
            % {"brin": brin}
        )
    seat = municipality_find(municipality) if municipality.strip() else None
    admin_email = User.objects.normalize_email(admin_email.strip()).lower()
    try:
        validate_email(admin_email)
    except ValidationError as error:
        raise ValidationError(
            _("'%(email)s' is geen geldig e-mailadres.") % {"email": admin_email}
        ) from error
    if not admin_first_name.strip() or not admin_last_name.strip():
        raise ValidationError(_("Geef de voornaam en de achternaam van de beheerder."))
    if password is not None:
        validate_password(
            password,
            User(email=admin_email, first_name=admin_first_name, last_name=admin_last_name),
        )
    with transaction.atomic():
        # One first run at a time: the second waits here, then sees the first's institution.
        # On an empty database there is no row to lock, so PostgreSQL takes a lock of its own
        # until the end of the transaction (SQLite writes one transaction at a time anyway).
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_FIRST_INSTALL_LOCK])
        found = installed_institutions()
        if found:
            raise AlreadyInstalled(_already_installed_message(found))
        if User.objects.filter(email=admin_email).exists():
            raise ValidationError(_("Er is al een account met %(email)s.") % {"email": admin_email})
        institution, _created = organisation_create(
            name=institution_name,
            kind=OrganisationKind.MBO_INSTITUTION,
            municipality_code=seat.cbs_code if seat else "",
            brin=brin,
        )
        if password is None:
            admin = user_invite(
                actor=None,
                email=admin_email,
                first_name=admin_first_name,
                last_name=admin_last_name,
                organisation=institution,
                role=Role.FUNCTIONAL_ADMIN,
                base_url=base_url,
            )
            link = password_link(user=admin, base_url=base_url)
        else:
            admin = User(
                email=admin_email,
                first_name=admin_first_name.strip(),
                last_name=admin_last_name.strip(),
            )
            admin.set_password(password)
            admin.save()
            membership_create(
                user=admin, organisation=institution, role=Role.FUNCTIONAL_ADMIN, actor=None
            )
            link = ""
    return FirstInstall(institution=institution, admin=admin, password_link=link)
