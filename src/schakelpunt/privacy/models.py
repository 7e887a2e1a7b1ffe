"""Privacy by law: legal holds and the retention job's runs, and the student's requests
(correction, objection). The register of processing activities lives in `register.py`."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .register import Activity


class LegalHold(models.Model):
    """A student whose data may not be deleted (a dispute, a complaint, a police request):
    the retention job skips them while the hold stands."""

    student = models.OneToOneField(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="legal_hold",
        verbose_name=_("student"),
    )
    reason = models.TextField(_("reden"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ingesteld door"),
    )
    set_at = models.DateTimeField(_("ingesteld op"), default=timezone.now)

    class Meta:
        verbose_name = _("bewaarplicht (blokkade)")
        verbose_name_plural = _("bewaarplichten (blokkades)")

    def __str__(self) -> str:
        return f"{self.student_id} {self.set_at:%Y-%m-%d}"


class RetentionRunStatus(models.TextChoices):
    PROPOSED = "proposed", _("Klaar om te controleren")
    APPROVED = "approved", _("Goedgekeurd, wordt uitgevoerd")
    DONE = "done", _("Uitgevoerd")
    CANCELLED = "cancelled", _("Geannuleerd")


class RetentionRun(models.Model):
    """One run of the retention job: first a dry-run list (the candidates), then on approval
    the deletion in batches. A run that stopped half-way continues where it was; its counts
    (no names) are the record of what was deleted."""

    institution = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("instelling"),
    )
    reference_date = models.DateField(_("peildatum"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RetentionRunStatus.choices,
        default=RetentionRunStatus.PROPOSED,
    )
    proposed_at = models.DateTimeField(_("voorgesteld op"), default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voorgesteld door"),
    )
    approved_at = models.DateTimeField(_("goedgekeurd op"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("goedgekeurd door"),
    )
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)
    # What was deleted or anonymised, per table and category: counts only, never names.
    counts = models.JSONField(_("aantallen"), default=dict)

    class Meta:
        verbose_name = _("bewaartermijnronde")
        verbose_name_plural = _("bewaartermijnrondes")
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.reference_date} {self.status}"


class RetentionCandidate(models.Model):
    """A student on a run's dry-run list. Only the internal number is kept, so the list
    itself holds no name once the student is gone."""

    run = models.ForeignKey(RetentionRun, on_delete=models.CASCADE, related_name="candidates")
    student_id = models.BigIntegerField(_("student"))
    expired_on = models.DateField(_("termijn verlopen op"))
    done = models.BooleanField(_("verwerkt"), default=False)
    skipped_reason = models.CharField(_("overgeslagen"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("kandidaat voor vernietiging")
        verbose_name_plural = _("kandidaten voor vernietiging")
        constraints = [
            models.UniqueConstraint(fields=["run", "student_id"], name="candidate_once_per_run")
        ]
        indexes = [models.Index(fields=["run", "done"])]

    def __str__(self) -> str:
        return f"{self.run_id} {self.student_id}"


class RequestStatus(models.TextChoices):
    OPEN = "open", _("In behandeling")
    GRANTED = "granted", _("Toegewezen")
    PARTLY = "partly", _("Deels toegewezen")
    REFUSED = "refused", _("Afgewezen")


class CorrectionRequest(models.Model):
    """The student asks to correct data (AVG art. 16); the coordinator answers within the
    deadline (AVG art. 12 lid 3: one month) and the student sees the answer."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="correction_requests",
        verbose_name=_("student"),
    )
    part = models.CharField(_("onderdeel"), max_length=20)
    text = models.TextField(_("wat klopt er niet, en wat moet het zijn"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ingediend door"),
    )
    requested_at = models.DateTimeField(_("ingediend op"), default=timezone.now)
    deadline = models.DateField(_("uiterste datum"))
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    answer = models.TextField(_("antwoord"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beantwoord door"),
    )
    answered_at = models.DateTimeField(_("beantwoord op"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versie"), default=1)

    class Meta:
        verbose_name = _("correctieverzoek")
        verbose_name_plural = _("correctieverzoeken")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.student_id} {self.requested_at:%Y-%m-%d} {self.status}"


class Objection(models.Model):
    """The student objects to a processing that is not a legal duty (AVG art. 21). The
    coordinator decides with a reason; an upheld objection switches that processing off for
    this student (`objection_upheld`)."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="objections",
        verbose_name=_("student"),
    )
    activity = models.CharField(_("verwerking"), max_length=30, choices=Activity.choices)
    reason = models.TextField(_("waarom maakt de student bezwaar"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ingediend door"),
    )
    requested_at = models.DateTimeField(_("ingediend op"), default=timezone.now)
    deadline = models.DateField(_("uiterste datum"))
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    decision = models.TextField(_("besluit en reden"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besloten door"),
    )
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versie"), default=1)

    class Meta:
        verbose_name = _("bezwaar")
        verbose_name_plural = _("bezwaren")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.student_id} {self.activity} {self.status}"


def objection_upheld(student_id: int, activity: Activity | str) -> bool:
    """Has this student's objection to this processing been upheld (so it is off for them)?"""
    return Objection.objects.filter(
        student_id=student_id, activity=activity, status=RequestStatus.GRANTED
    ).exists()
