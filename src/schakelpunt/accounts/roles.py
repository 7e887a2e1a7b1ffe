"""The roles a person can have in an organisation. The access module decides what each may do."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COACH = "coach", _("Studieloopbaanbegeleider (SLB)")
    CARE_COORDINATOR = "care_coordinator", _("Zorgcoördinator")
    STUDENT_ADVISOR = "student_advisor", _("Studentbegeleider / schoolmaatschappelijk werk")
    SCHAKELFUNCTIONARIS = "schakelfunctionaris", _("Schakelfunctionaris")
    EXTERNAL_CARE_WORKER = "external_care_worker", _("Hulpverlener (extern)")
    ABSENCE_OFFICER = "absence_officer", _("Verzuimcoördinator (school)")
    ATTENDANCE_OFFICER = "attendance_officer", _("Leerplichtambtenaar / RMC-consulent")
    MUNICIPAL_ADVISOR = "municipal_advisor", _("Beleidsadviseur gemeente")
    GOVERNANCE = "governance", _("Bestuurder")
    PRIVACY_OFFICER = "privacy_officer", _("Privacyfunctionaris")
    FUNCTIONAL_ADMIN = "functional_admin", _("Functioneel beheerder")
    STUDENT = "student", _("Student")
    # A parent or carer of a student, linked to the student's guardian record.
    PARENT = "parent", _("Ouder of verzorger")


class OrganisationKind(models.TextChoices):
    MBO_INSTITUTION = "mbo", _("Mbo-instelling")
    VO_SCHOOL = "vo", _("Vo-school")
    MUNICIPALITY = "municipality", _("Gemeente")
    CARE_PROVIDER = "care_provider", _("Zorgaanbieder")
    RMC_OFFICE = "rmc_office", _("Leerplicht / RMC")


# Which organisation kinds each role may be held in.
ROLE_ORGANISATION_KINDS: dict[str, frozenset[str]] = {
    Role.COACH: frozenset({OrganisationKind.MBO_INSTITUTION}),
    Role.CARE_COORDINATOR: frozenset({OrganisationKind.MBO_INSTITUTION}),
    Role.STUDENT_ADVISOR: frozenset({OrganisationKind.MBO_INSTITUTION}),
    Role.SCHAKELFUNCTIONARIS: frozenset(
        {OrganisationKind.MBO_INSTITUTION, OrganisationKind.MUNICIPALITY}
    ),
    # A provider's worker, or a worker of a municipality's neighbourhood or youth team.
    Role.EXTERNAL_CARE_WORKER: frozenset(
        {OrganisationKind.CARE_PROVIDER, OrganisationKind.MUNICIPALITY}
    ),
    Role.ABSENCE_OFFICER: frozenset({OrganisationKind.MBO_INSTITUTION}),
    Role.ATTENDANCE_OFFICER: frozenset(
        {OrganisationKind.RMC_OFFICE, OrganisationKind.MUNICIPALITY}
    ),
    Role.MUNICIPAL_ADVISOR: frozenset({OrganisationKind.MUNICIPALITY}),
    Role.GOVERNANCE: frozenset({OrganisationKind.MBO_INSTITUTION, OrganisationKind.MUNICIPALITY}),
    Role.PRIVACY_OFFICER: frozenset({OrganisationKind.MBO_INSTITUTION}),
    Role.FUNCTIONAL_ADMIN: frozenset({OrganisationKind.MBO_INSTITUTION}),
    Role.STUDENT: frozenset({OrganisationKind.MBO_INSTITUTION}),
    Role.PARENT: frozenset({OrganisationKind.MBO_INSTITUTION}),
}
