"""Coming in and going out: leaving school with a destination, and aftercare (nazorg)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schakelpunt.signals.models import FollowUpFields


class LeavingReason(models.TextChoices):
    DIPLOMA = "diploma", _("Diploma behaald")
    SWITCH = "switch", _("Overstap naar andere opleiding")
    DROPOUT = "dropout", _("Gestopt zonder diploma")
    MOVED = "moved", _("Verhuisd")
    OTHER = "other", _("Anders of onbekend")


class Destination(models.TextChoices):
    MBO = "mbo", _("Andere mbo-opleiding")
    HBO = "hbo", _("Hbo")
    OTHER_EDUCATION = "other_education", _("Ander onderwijs")
    WORK = "work", _("Werk")
    WORK_AND_LEARN = "work_learn", _("Werken en leren (bbl)")
    CARE = "care", _("Zorg of dagbesteding")
    NONE = "none", _("Geen werk of opleiding")
    UNKNOWN = "unknown", _("Onbekend")


class Departure(models.Model):
    """A student left school: when, why, to what. Early leavers get aftercare contacts."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="departures",
        verbose_name=_("student"),
    )
    left_on = models.DateField(_("uitgeschreven op"))
    reason = models.CharField(_("reden"), max_length=20, choices=LeavingReason.choices)
    destination = models.CharField(_("bestemming"), max_length=20, choices=Destination.choices)
    with_basic_qualification = models.BooleanField(_("met startkwalificatie"), default=False)
    note = models.TextField(_("toelichting"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vastgelegd door"),
    )
    recorded_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)
    returned_on = models.DateField(_("teruggekeerd op"), null=True, blank=True)

    class Meta:
        ordering = ["-left_on", "-pk"]
        verbose_name = _("uitschrijving")
        verbose_name_plural = _("uitschrijvingen")
        constraints = [
            models.UniqueConstraint(fields=["student", "left_on"], name="one_departure_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.student} ({self.left_on})"


class AftercareOutcome(models.TextChoices):
    IN_EDUCATION = "in_education", _("Weer in opleiding")
    IN_WORK = "in_work", _("Aan het werk")
    LOOKING = "looking", _("Zoekt nog, met hulp")
    NEEDS_HELP = "needs_help", _("Heeft hulp nodig (doorverwezen)")
    UNREACHABLE = "unreachable", _("Niet bereikt")
    DECLINED = "declined", _("Wil geen contact")


class AftercareContact(models.Model):
    """A planned contact with an early leaver, by default after 1, 3 and 6 months."""

    departure = models.ForeignKey(
        Departure,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("uitschrijving"),
    )
    months = models.PositiveSmallIntegerField(_("na maanden"))
    due_on = models.DateField(_("contact uiterlijk"))
    done_on = models.DateField(_("contact gehad op"), null=True, blank=True)
    outcome = models.CharField(
        _("uitkomst"), max_length=20, choices=AftercareOutcome.choices, blank=True
    )
    note = models.TextField(_("toelichting"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("nazorgcontact")
        verbose_name_plural = _("nazorgcontacten")
        constraints = [
            models.UniqueConstraint(fields=["departure", "months"], name="one_contact_per_moment"),
            models.CheckConstraint(
                condition=models.Q(done_on__isnull=True) | ~models.Q(outcome=""),
                name="done_contact_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.departure.student} +{self.months}m"


class NonArrival(FollowUpFields):
    """Enrolled, but never came in the first two weeks (the "zomerlek"): for leerplicht/RMC
    of the residence municipality, with their follow-up."""

    # Enrolled and never came; or handed over by a VO school and never enrolled (`handover`).
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="non_arrivals",
        verbose_name=_("student"),
    )
    handover = models.OneToOneField(
        "transitions.HandoverRecord",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="non_arrival",
        verbose_name=_("overdracht"),
    )
    enrolled_on = models.DateField(_("ingeschreven op (of verwacht)"))
    school_days = models.PositiveSmallIntegerField(_("schooldagen afwezig"))
    detected_on = models.DateField(_("gesignaleerd op"), default=timezone.localdate)

    class Meta:
        ordering = ["-detected_on", "pk"]
        verbose_name = _("niet verschenen student")
        verbose_name_plural = _("niet verschenen studenten")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "enrolled_on"], name="one_non_arrival_per_enrolment"
            ),
            models.CheckConstraint(
                condition=models.Q(student__isnull=False) | models.Q(handover__isnull=False),
                name="non_arrival_of_a_student_or_a_handover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student or self.handover} ({self.enrolled_on})"

    @property
    def person(self) -> str:
        if self.student is not None:
            return self.student.sort_name
        return str(self.handover)


class SchoolType(models.TextChoices):
    VMBO_B = "vmbo-b", _("Vmbo basisberoepsgerichte leerweg")
    VMBO_K = "vmbo-k", _("Vmbo kaderberoepsgerichte leerweg")
    VMBO_GT = "vmbo-gt", _("Vmbo gemengde of theoretische leerweg")
    HAVO = "havo", _("Havo")
    VWO = "vwo", _("Vwo")
    VSO = "vso", _("Voortgezet speciaal onderwijs")
    PRO = "pro", _("Praktijkonderwijs")


class DiplomaExpected(models.TextChoices):
    YES = "yes", _("Ja")
    NO = "no", _("Nee")
    UNCERTAIN = "uncertain", _("Onzeker")


class MatchStatus(models.TextChoices):
    MATCHED = "matched", _("Gekoppeld")
    UNCERTAIN = "uncertain", _("Te controleren")
    NONE = "none", _("Nog niet ingeschreven")
    REJECTED = "rejected", _("Geen van de kandidaten")


class HandoverRecord(models.Model):
    """Warm handover from a VO school: who is coming, what support helped, with consent."""

    institution = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="handover_records",
        verbose_name=_("instelling"),
    )
    source_school = models.CharField(_("vo-school"), max_length=200)
    first_name = models.CharField(_("voornaam"), max_length=100)
    name_prefix = models.CharField(_("tussenvoegsel"), max_length=20, blank=True)
    last_name = models.CharField(_("achternaam"), max_length=100)
    date_of_birth = models.DateField(_("geboortedatum"))
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    residence_municipality = models.ForeignKey(
        "refdata.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("woongemeente"),
    )
    school_type = models.CharField(_("schoolsoort"), max_length=10, choices=SchoolType.choices)
    diploma_expected = models.CharField(
        _("diploma verwacht"), max_length=10, choices=DiplomaExpected.choices
    )
    consent = models.BooleanField(_("toestemming voor overdracht"))
    support_received = models.TextField(_("ondersteuning op de vo-school"), blank=True)
    what_worked = models.TextField(_("wat werkte"), blank=True)
    mentor_name = models.CharField(_("mentor"), max_length=200, blank=True)
    mentor_email = models.EmailField(_("e-mailadres mentor"), blank=True)
    mbo_student_number = models.CharField(_("studentnummer mbo"), max_length=20, blank=True)
    imported_at = models.DateTimeField(_("ingelezen op"), default=timezone.now)
    match_status = models.CharField(
        _("koppeling"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.NONE
    )
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handover_records",
        verbose_name=_("student"),
    )
    # For an uncertain match: the students it could be.
    candidates = models.JSONField(_("kandidaten"), default=list, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gekoppeld door"),
    )
    matched_at = models.DateTimeField(_("gekoppeld op"), null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("overdrachtsdossier")
        verbose_name_plural = _("overdrachtsdossiers")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "source_school", "last_name", "first_name", "date_of_birth"],
                name="one_handover_per_pupil",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.name_prefix, self.last_name) if p)

    @property
    def needs_support(self) -> bool:
        return bool(self.support_received) or self.diploma_expected != DiplomaExpected.YES


class IntakeConversation(models.Model):
    """The intake with the student, parents, the VO mentor and the MBO coach."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="intakes",
        verbose_name=_("student"),
    )
    held_on = models.DateField(_("gehouden op"))
    participants = models.CharField(_("wie waren erbij"), max_length=300)
    notes = models.TextField(_("afspraken en aandachtspunten"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("vastgelegd door"),
    )

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("intakegesprek")
        verbose_name_plural = _("intakegesprekken")

    def __str__(self) -> str:
        return f"{self.student} ({self.held_on})"
