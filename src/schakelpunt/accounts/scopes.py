"""What a connected system (an API client) may do, and which role it holds for that.

A client acts for its organisation: the access policy reads the roles below as if the
client held them (never stored as memberships, so no list of people ever shows a system).
The scopes decide which endpoints a client may call; the roles decide what it then sees."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import OrganisationKind, Role


class ApiScope(models.TextChoices):
    STUDENTS_WRITE = "students:write", _("Studenten en inschrijvingen aanleveren")
    PROGRAMMES_WRITE = "programmes:write", _("Opleidingen aanleveren")
    ABSENCE_WRITE = "absence:write", _("Verzuim aanleveren")
    REFERRALS_READ = "referrals:read", _("Verwijzingen naar de eigen organisatie lezen")
    REFERRALS_WRITE = (
        "referrals:write",
        _("Verwijzingen afhandelen (accepteren, contact, afsluiten)"),
    )
    DIRECTORY_READ = "directory:read", _("Sociale kaart lezen")


# The scopes an organisation of each kind may give its systems.
SCOPES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.MBO_INSTITUTION: frozenset(
        {
            ApiScope.STUDENTS_WRITE,
            ApiScope.PROGRAMMES_WRITE,
            ApiScope.ABSENCE_WRITE,
            ApiScope.DIRECTORY_READ,
        }
    ),
    OrganisationKind.CARE_PROVIDER: frozenset(
        {ApiScope.REFERRALS_READ, ApiScope.REFERRALS_WRITE, ApiScope.DIRECTORY_READ}
    ),
    # A municipality's neighbourhood or youth team receives referrals too.
    OrganisationKind.MUNICIPALITY: frozenset(
        {ApiScope.REFERRALS_READ, ApiScope.REFERRALS_WRITE, ApiScope.DIRECTORY_READ}
    ),
    OrganisationKind.VO_SCHOOL: frozenset({ApiScope.DIRECTORY_READ}),
    OrganisationKind.RMC_OFFICE: frozenset({ApiScope.DIRECTORY_READ}),
}

# The role a client holds for a scope, in its own organisation: a provider's system sees
# and handles the referrals to it exactly as its workers do. The write scopes of a school
# give no role at all (no file reads); the policy's may_import_* functions ask the scope.
SCOPE_ROLES: dict[str, str] = {
    ApiScope.REFERRALS_READ: Role.EXTERNAL_CARE_WORKER,
    ApiScope.REFERRALS_WRITE: Role.EXTERNAL_CARE_WORKER,
}
