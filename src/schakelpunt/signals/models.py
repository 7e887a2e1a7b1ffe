"""Statutory absence reports. Issue 4 adds the rules that create them and the early warnings."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schakelpunt.refdata.models import HolidayKind


class AbsenceReportKind(models.TextChoices):
    SIXTEEN_IN_FOUR = "16_in_4", _("16 uur in 4 weken")
    LONG_TERM_RELATIVE = "long_relative", _("Langdurig relatief verzuim")
    RMC = "rmc", _("RMC-melding (18–23 jaar)")


class FollowUpStatus(models.TextChoices):
    NEW = "new", _("Nog niet opgepakt")
    CONTACTED = "contacted", _("Contact gelegd")
    BACK_IN_SCHOOL = "back_in_school", _("Weer naar school")
    OTHER_EDUCATION = "other_education", _("Andere opleiding")
    WORK = "work", _("Aan het werk")
    CARE = "care", _("In zorg of hulpverlening")
    UNREACHABLE = "unreachable", _("Niet bereikbaar")
    CLOSED = "closed", _("Afgesloten, geen actie nodig")


class FollowUpFields(models.Model):
    """What leerplicht/RMC did with a report or a leaver; one person's record, versioned."""

    follow_up_status = models.CharField(
        _("opvolging"), max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.NEW
    )
    follow_up_note = models.CharField(_("toelichting opvolging"), max_length=500, blank=True)
    follow_up_at = models.DateTimeField(_("opvolging bijgewerkt op"), null=True, blank=True)
    follow_up_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    follow_up_version = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class AbsenceReport(FollowUpFields):
    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="absence_reports",
        verbose_name=_("student"),
    )
    kind = models.CharField(_("soort melding"), max_length=20, choices=AbsenceReportKind.choices)
    start_date = models.DateField(_("begindatum"))
    # The day the rule's threshold was reached (the report is due from then).
    threshold_on = models.DateField(_("drempel bereikt op"))
    # 16 uur in 4 weken: the threshold day. Langdurig relatief verzuim and RMC: the day the
    # student returned or was deregistered; empty while the absence lasts.
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    unauthorised_hours = models.DecimalField(
        _("ongeoorloofde uren"), max_digits=6, decimal_places=1
    )
    rules_version = models.CharField(_("versie regels"), max_length=20)
    # The institution's school calendar (SignalSettings.calendar_version) the rules used.
    calendar_version = models.PositiveIntegerField(_("versie schoolkalender"), default=0)
    created_at = models.DateTimeField(_("aangemaakt op"), default=timezone.now)
    reported_on = models.DateField(_("gemeld op"), null=True, blank=True)

    reference = models.CharField(_("kenmerk melding"), max_length=50, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("verzuimmelding")
        verbose_name_plural = _("verzuimmeldingen")
        constraints = [
            # Recomputing the reports for a day never makes the same report twice.
            models.UniqueConstraint(
                fields=["student", "kind", "threshold_on"], name="one_report_per_kind_and_threshold"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date}–{self.end_date or '…'}"


class AbsenceReasonCode(models.TextChoices):
    ILLNESS = "illness", _("Ziek")
    SUSPENSION = "suspension", _("Geschorst")
    OTHER_AUTHORISED = "other_authorised", _("Ander geoorloofd verzuim")
    UNAUTHORISED = "unauthorised", _("Ongeoorloofd")


class AbsenceRecord(models.Model):
    """One school day of one student, as the student information system exported it."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="absence_records",
        verbose_name=_("student"),
    )
    day = models.DateField(_("datum"))
    scheduled_hours = models.DecimalField(_("geroosterde uren"), max_digits=4, decimal_places=1)
    absent_hours = models.DecimalField(_("afwezige uren"), max_digits=4, decimal_places=1)
    reason = models.CharField(_("reden"), max_length=20, choices=AbsenceReasonCode.choices)

    class Meta:
        ordering = ["student", "day"]
        verbose_name = _("verzuimregistratie")
        verbose_name_plural = _("verzuimregistraties")
        constraints = [
            models.UniqueConstraint(fields=["student", "day"], name="one_absence_record_per_day"),
            models.CheckConstraint(
                condition=models.Q(absent_hours__lte=models.F("scheduled_hours")),
                name="absent_within_scheduled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.day}: {self.absent_hours}/{self.scheduled_hours}"


class SchoolHoliday(models.Model):
    """An institution's own days off, on top of its region's holidays (signals/calendar.py).

    Either extra days off (a study day, a bridge day) or, with `replaces`, the institution's
    own dates for one of its region's holiday periods of `school_year` (a different autumn
    week). Days off do not count for the absence rules; a week without school days is no
    school week.
    """

    institution = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="holidays",
        verbose_name=_("instelling"),
    )
    name = models.CharField(_("naam"), max_length=100)
    start = models.DateField(_("eerste dag"))
    end = models.DateField(_("laatste dag"))
    # The school year (e.g. 2025-2026) this entry belongs to; empty: the year of `start`.
    school_year = models.CharField(_("schooljaar"), max_length=9, blank=True)
    # The regional holiday period of `school_year` this entry replaces; empty: extra days off.
    replaces = models.CharField(
        _("vervangt"), max_length=10, blank=True, choices=HolidayKind.choices
    )
    created_at = models.DateTimeField(_("toegevoegd op"), default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["start"]
        verbose_name = _("schoolvakantie")
        verbose_name_plural = _("schoolvakanties")
        constraints = [
            # A regional period is moved once; moving it again changes that entry.
            models.UniqueConstraint(
                fields=["institution", "school_year", "replaces"],
                condition=~models.Q(replaces=""),
                name="one_replacement_per_regional_holiday",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="school_holiday_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start} – {self.end})"


class ConcernStatus(models.TextChoices):
    NEW = "new", _("Nieuw")
    IN_PROGRESS = "in_progress", _("Opgepakt")
    CLOSED = "closed", _("Afgesloten")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Gewoon")
    URGENT = "urgent", _("Dringend")


class ConcernSource(models.TextChoices):
    STAFF = "staff", _("Medewerker")
    STUDENT = "student", _("Student")
    EARLY_WARNING = "early_warning", _("Vroegsignalering")


class Concern(models.Model):
    """A worry about a student, raised by a professional or the student; lands in triage."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="concerns",
        verbose_name=_("student"),
    )
    # Empty for signals the early warning raised by itself.
    raised_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gemeld door"),
    )
    source = models.CharField(
        _("bron"), max_length=20, choices=ConcernSource.choices, default=ConcernSource.STAFF
    )
    # For early-warning signals: the factors that fired, [{"code": …, "explanation": …}].
    factors = models.JSONField(_("factoren"), default=list, blank=True)
    # An early-warning signal with an attendance factor: the attendance coordinator's too.
    about_absence = models.BooleanField(default=False)
    life_domains = models.JSONField(_("leefgebieden"), default=list, blank=True)
    text = models.TextField(_("zorg"))
    urgency = models.CharField(
        _("urgentie"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.NEW
    )
    created_at = models.DateTimeField(_("gemeld op"), default=timezone.now, db_index=True)
    handled_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opgepakt door"),
    )
    first_action_at = models.DateTimeField(_("eerste actie op"), null=True, blank=True)
    closed_reason = models.TextField(_("reden van afsluiten"), blank=True)
    closed_at = models.DateTimeField(_("afgesloten op"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("opgeschaald op"), null=True, blank=True)
    # Where the concern went: the trajectory started from it (or the one already running).
    trajectory = models.ForeignKey(
        "support.Trajectory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("traject"),
    )
    # Transparent by default: the student sees concerns about them in their own timeline,
    # unless the reporter or the care team holds one back with a reason (e.g. the meldcode
    # huiselijk geweld en kindermishandeling); a care coordinator reviews each hold-back.
    withheld_reason = models.TextField(_("reden om niet aan de student te tonen"), blank=True)
    withheld_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("achtergehouden door"),
    )
    withheld_at = models.DateTimeField(_("achtergehouden op"), null=True, blank=True)
    withheld_reviewed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("achterhouden beoordeeld door"),
    )
    withheld_reviewed_at = models.DateTimeField(
        _("achterhouden beoordeeld op"), null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("zorgmelding")
        verbose_name_plural = _("zorgmeldingen")
        # The triage page reads only open concerns per student, and the hold-backs waiting
        # for review; closed ones pile up year after year (built concurrently: migration 0020).
        indexes = [
            models.Index(
                fields=["student"],
                condition=~models.Q(status="closed"),
                name="open_concern_student",
            ),
            models.Index(
                fields=["withheld_at"],
                condition=~models.Q(withheld_reason="") & models.Q(withheld_reviewed_at=None),
                name="held_back_to_review",
            ),
        ]
        constraints = [
            # The daily computation keeps one open early-warning signal per student up to date.
            models.UniqueConstraint(
                fields=["student"],
                condition=models.Q(source="early_warning") & ~models.Q(status="closed"),
                name="one_open_early_warning_per_student",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("In de wachtrij")
    CHECKING = "check", _("Regels controleren")
    SAVING = "save", _("Opslaan")
    SIGNALS = "signals", _("Meldingen en signalen berekenen")
    DONE = "done", _("Klaar")
    FAILED = "failed", _("Niet geïmporteerd")


class AbsenceImportJob(models.Model):
    """One uploaded absence file, imported in the background so large files show progress."""

    institution = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("bestand"), max_length=255)
    # The file waits here for the worker and is emptied when the import ends.
    data = models.BinaryField(default=b"")
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    replaced = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The process that runs it ("host:pid"), and how often a stalled run was started again
    # after its worker died (signals/import_resume.py).
    worker = models.CharField(max_length=100, default="", db_default="", blank=True)
    resumes = models.PositiveSmallIntegerField(default=0, db_default=0)
    resumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0


class HolidayRegion(models.TextChoices):
    NORTH = "noord", _("Noord")
    MIDDLE = "midden", _("Midden")
    SOUTH = "zuid", _("Zuid")


class SignalSettings(models.Model):
    """An institution's choices for signalling; every default is documented in docs/signals.md."""

    institution = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="signal_settings"
    )
    holiday_region = models.CharField(
        _("vakantieregio"),
        max_length=10,
        choices=HolidayRegion.choices,
        blank=True,
        default="",
        help_text=_("Leeg: nog niet gekozen (dan tellen alleen de eigen vrije dagen)."),
    )
    sixteen_in_four_for_adults = models.BooleanField(
        _("16 uur in 4 weken ook melden voor studenten van 18 jaar en ouder"),
        default=False,
        help_text=_("Alleen aanzetten als de regio dit met de gemeenten heeft afgesproken."),
    )
    follow_up_school_days = models.PositiveSmallIntegerField(
        _("opschalen naar de zorgcoördinator na (schooldagen)"), default=5
    )
    recent_weeks = models.PositiveSmallIntegerField(_("recente periode (schoolweken)"), default=4)
    recent_rate_min = models.PositiveSmallIntegerField(
        _("ongeoorloofd verzuim in de recente periode, minstens (%)"), default=10
    )
    rise_factor = models.DecimalField(
        _("en minstens zoveel keer het eerdere verzuim"), max_digits=3, decimal_places=1, default=2
    )
    consecutive_days = models.PositiveSmallIntegerField(
        _("hele dagen achter elkaar afwezig, minstens"), default=3
    )
    chronic_share = models.PositiveSmallIntegerField(
        _("chronisch verzuim vanaf (% van de lesuren)"), default=10
    )
    weekday_share = models.PositiveSmallIntegerField(
        _("weekdagpatroon: aandeel afwezige dagen op één weekdag, minstens (%)"), default=60
    )
    weekday_min_days = models.PositiveSmallIntegerField(
        _("weekdagpatroon: pas vanaf zoveel afwezige dagen"), default=6
    )
    first_weeks = models.PositiveSmallIntegerField(
        _("startperiode van de opleiding (weken)"), default=10
    )
    birthday_months_ahead = models.PositiveSmallIntegerField(
        _("18e of 23e verjaardag binnen (maanden)"), default=3
    )
    version = models.PositiveIntegerField(default=1)
    # Raised by every change to the institution's school calendar (region or own days off).
    calendar_version = models.PositiveIntegerField(_("versie schoolkalender"), default=0)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("instellingen signalering")
        verbose_name_plural = _("instellingen signalering")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(follow_up_school_days__gte=1, recent_weeks__gte=1),
                name="signal_settings_sane",
            )
        ]

    def __str__(self) -> str:
        return str(self.institution)


class EarlyWarning(models.Model):
    """The latest daily computation for one student: every factor that fired, with values."""

    student = models.OneToOneField(
        "students.Student", on_delete=models.CASCADE, related_name="early_warning"
    )
    computed_on = models.DateField(_("berekend op"))
    flagged = models.BooleanField(_("gesignaleerd"), default=False, db_index=True)
    factors = models.JSONField(_("factoren"), default=list)

    class Meta:
        verbose_name = _("vroegsignalering")
        verbose_name_plural = _("vroegsignaleringen")

    def __str__(self) -> str:
        return f"{self.student_id} {self.computed_on}"


class LeaverFollowUp(FollowUpFields):
    """A student who left without startkwalificatie before 23: on the RMC list until followed up."""

    student = models.ForeignKey(
        "students.Student", on_delete=models.CASCADE, related_name="leaver_follow_ups"
    )
    left_on = models.DateField(_("uitgeschreven op"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "left_on"], name="one_follow_up_per_leaving")
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.left_on}"


class SignalQualityRun(models.Model):
    """A look back over a past period: would the current thresholds have flagged those who
    left without diploma, how early, and how many flagged students stayed. Counts only."""

    institution = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateField(_("begin periode"))
    period_end = models.DateField(_("einde periode"))
    computed_at = models.DateTimeField(_("berekend op"), default=timezone.now)
    thresholds = models.JSONField(default=dict)
    # {"overall": {...}, "level": {"1": {...}}, "location": {"Hengelo": {...}}}
    groups = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_at"]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.period_start}–{self.period_end}"


class MorningRunStatus(models.TextChoices):
    RUNNING = "running", _("bezig")
    DONE = "done", _("klaar")
    FAILED = "failed", _("mislukt")


class MorningRun(models.Model):
    """One morning run for one institution: split into shards of students that the task queue's
    workers compute; finished when every shard is done. Counts and times only (operations:
    health, metrics)."""

    institution = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("dag"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MorningRunStatus.choices,
        default=MorningRunStatus.RUNNING,
    )
    started_at = models.DateTimeField(_("begonnen om"), default=timezone.now)
    finished_at = models.DateTimeField(_("klaar om"), null=True, blank=True)
    cohort_size = models.PositiveIntegerField(_("aantal studenten"), default=0)
    shards = models.PositiveIntegerField(_("delen"), default=0)
    shards_done = models.PositiveIntegerField(_("delen klaar"), default=0)
    flagged = models.PositiveIntegerField(_("gesignaleerd"), default=0)
    # Set once the kept monitor figures were rebuilt after the run (once per run, not per shard).
    figures_refreshed_at = models.DateTimeField(_("monitorcijfers bijgewerkt om"), null=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "-finished_at"], name="morning_run_status")]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.day} {self.status}"


class MorningRunShard(models.Model):
    """A range of an institution's student ids that one task computes and writes. The ranges of
    a run are contiguous and cover every id, so each student is in exactly one shard."""

    run = models.ForeignKey(MorningRun, on_delete=models.CASCADE, related_name="parts")
    number = models.PositiveIntegerField(_("nummer"))
    first_id = models.BigIntegerField(_("vanaf id"))
    last_id = models.BigIntegerField(_("tot en met id"))
    # When it was last handed to the queue or picked up: a shard not done long after that
    # was lost (its worker died) and is handed out again.
    handed_out_at = models.DateTimeField(_("uitgegeven om"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("pogingen"), default=0)
    done_at = models.DateTimeField(_("klaar om"), null=True, blank=True)
    enrolled_count = models.PositiveIntegerField(_("ingeschreven"), default=0)
    flagged = models.PositiveIntegerField(_("gesignaleerd"), default=0)
    new_reports = models.PositiveIntegerField(_("nieuwe meldingen"), default=0)
    new_signals = models.PositiveIntegerField(_("nieuwe signalen"), default=0)

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="one_morning_shard_each")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.number}"
