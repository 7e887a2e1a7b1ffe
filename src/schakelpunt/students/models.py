"""The student: identity, enrolment and residence."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PriorEducation(models.TextChoices):
    VMBO = "vmbo", _("Vmbo")
    HAVO_VWO = "havo_vwo", _("Havo/vwo (zonder diploma)")
    VSO = "vso", _("Voortgezet speciaal onderwijs (VSO)")
    PRO = "pro", _("Praktijkonderwijs (PrO)")
    MBO = "mbo", _("Andere mbo-opleiding")
    NONE = "none", _("Geen (van thuis of werk)")
    ABROAD = "abroad", _("Onderwijs in het buitenland")


class Student(models.Model):
    institution = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="students",
        verbose_name=_("instelling"),
    )
    location = models.ForeignKey(
        "accounts.Location",
        on_delete=models.PROTECT,
        related_name="students",
        verbose_name=_("locatie"),
    )
    programme = models.ForeignKey(
        "accounts.Programme",
        on_delete=models.PROTECT,
        related_name="students",
        verbose_name=_("opleiding"),
    )
    student_number = models.CharField(_("studentnummer"), max_length=20)
    first_name = models.CharField(_("voornaam"), max_length=100)
    # Tussenvoegsel ("van der"): shown before the last name, not used for sorting.
    name_prefix = models.CharField(_("tussenvoegsel"), max_length=20, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=100)
    preferred_name = models.CharField(_("roepnaam"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("geboortedatum"))
    # Stored only where the school has a legal ground; shown masked, never exported.
    bsn = models.CharField(_("BSN"), max_length=9, blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoonnummer"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7)
    residence_municipality = models.ForeignKey(
        "refdata.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resident_students",
        verbose_name=_("woongemeente"),
    )
    prior_education = models.CharField(
        _("vooropleiding"), max_length=10, choices=PriorEducation.choices
    )
    has_basic_qualification = models.BooleanField(_("startkwalificatie"), default=False)
    # When it was obtained: absence before that day still counts for the statutory rules.
    # Empty with has_basic_qualification: obtained before enrolment (date unknown).
    basic_qualification_on = models.DateField(
        _("startkwalificatie behaald op"), null=True, blank=True
    )
    enrolled_on = models.DateField(_("ingeschreven op"))
    left_on = models.DateField(_("uitgeschreven op"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student_profile",
        verbose_name=_("eigen account"),
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("student")
        verbose_name_plural = _("studenten")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "student_number"], name="student_number_per_institution"
            )
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            # The RMC list: who left without startkwalificatie, newest first (a few
            # thousand of a region's students, instead of reading them all).
            models.Index(
                fields=["left_on"],
                condition=models.Q(has_basic_qualification=False),
                name="student_left_without_sq",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """How people call the student: 'Jan van der Ploeg', with the preferred name."""
        return " ".join(
            p
            for p in (self.preferred_name or self.first_name, self.name_prefix, self.last_name)
            if p
        )

    @property
    def bsn_masked(self) -> str:
        from .bsn import bsn_masked

        return bsn_masked(self.bsn)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.name_prefix, self.last_name) if p)

    @property
    def sort_name(self) -> str:
        """As in a class list: 'Ploeg, Jan van der'."""
        given = " ".join(p for p in (self.preferred_name or self.first_name, self.name_prefix) if p)
        return f"{self.last_name}, {given}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class GuardianRelation(models.TextChoices):
    PARENT = "parent", _("Ouder")
    CARER = "carer", _("Verzorger")
    LEGAL_GUARDIAN = "legal_guardian", _("Voogd")
    OTHER = "other", _("Iemand anders uit het netwerk")


class Guardian(models.Model):
    """A parent, carer or other person in the student's network.

    From the student's 18th birthday, school involves them only with the student's consent.
    """

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("student")
    )
    name = models.CharField(_("naam"), max_length=200)
    relation = models.CharField(_("relatie"), max_length=20, choices=GuardianRelation.choices)
    phone = models.CharField(_("telefoonnummer"), max_length=20, blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    # Only meaningful from 18: the student agrees that school involves this person.
    student_consents = models.BooleanField(_("student geeft toestemming"), default=False)
    consent_changed_at = models.DateTimeField(_("toestemming gewijzigd op"), null=True, blank=True)
    # The parent's own login (role "parent"); one person can be the guardian of several
    # students, each a Guardian row of its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardianships",
        verbose_name=_("eigen account"),
    )
    # From 16: the parts of the file the student chose to show this person
    # (codes of students.parent_sharing); under 16 they see the parent parts anyway.
    shared_parts = models.JSONField(_("gedeeld met deze ouder"), default=list, blank=True)
    # From 18: the student involves this parent, so their account sees `shared_parts` again.
    # Set only by the adult student on "Delen met ouders"; never `student_consents`, which
    # under 18 means sharing this person's contact details with providers.
    adult_involves_parent = models.BooleanField(
        _("student (18+) betrekt deze ouder"), default=False
    )
    sharing_changed_at = models.DateTimeField(_("delen gewijzigd op"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("ouder of verzorger")
        verbose_name_plural = _("ouders en verzorgers")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relation_display()})"
