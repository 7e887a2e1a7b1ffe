"""An institution's school calendar: its region's holidays plus its own days off.

The region's periods are the official ones (refdata.RegionalHoliday, Rijksoverheid); the
official public holidays on which schools close (Koningsdag, Hemelvaartsdag, …) are days off
everywhere (signals/public_holidays.py, Rijksoverheid "Officiële feestdagen"). The
institution adds days off of its own (a study day, extra days) or replaces one of its region's
periods by its own dates (a different autumn week): `signals.SchoolHoliday`. Days off do not
count for the absence rules, and a week without a school day is no school week.

Every change (the region, an own entry added, moved or removed, an import) raises
`SignalSettings.calendar_version` and, in the same transaction, recomputes the statutory
reports and early warnings: a report not yet marked as reported that no longer holds under
the new calendar is removed, and the reports that hold now are added with the new version.
Reports already reported to DUO stay as they are. See docs/signals.md ("De schoolkalender").
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.access.policy import may_configure_institution
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.core.csvfiles import UnreadableExport, parse_date
from schakelpunt.core.spreadsheets import read_table
from schakelpunt.refdata.models import HolidayKind, RegionalHoliday

from .models import AbsenceReport, HolidayRegion, SchoolHoliday, SignalSettings
from .public_holidays import PUBLIC_HOLIDAYS
from .statutory import SchoolCalendar

# The school year starts on 1 August (as the early warning counts it, signals/daily.py).
SCHOOL_YEAR_FIRST_MONTH = 8
# An own period longer than this is a mistake (the summer holiday is six weeks).
MAX_PERIOD_DAYS = 13 * 7
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_IMPORT_ROWS = 1000
KIND_BY_WORD = {
    **{kind.value: kind.value for kind in HolidayKind},
    **{str(kind.label).lower(): kind.value for kind in HolidayKind},
}


def school_year_of(day: date) -> str:
    """'2025-2026' for any day from 1 August 2025 up to 31 July 2026."""
    first = day.year if day.month >= SCHOOL_YEAR_FIRST_MONTH else day.year - 1
    return f"{first}-{first + 1}"


def school_year_bounds(school_year: str) -> tuple[date, date]:
    first = int(school_year[:4])
    return date(first, SCHOOL_YEAR_FIRST_MONTH, 1), date(first + 1, SCHOOL_YEAR_FIRST_MONTH, 1) - (
        timedelta(days=1)
    )


def is_school_year(value: str) -> bool:
    return (
        len(value) == 9
        and value[4] == "-"
        and value[:4].isdigit()
        and value[5:].isdigit()
        and int(value[5:]) == int(value[:4]) + 1
    )


@dataclass(frozen=True)
class CalendarPeriod:
    """One period without school in an institution's calendar."""

    name: str
    start: date
    end: date
    school_year: str
    # From the region's official dates (and not replaced by the institution).
    regional: bool
    # The regional period (HolidayKind value) this is or replaces; empty for extra days off.
    kind: str = ""
    # The institution's own entry, when it is one.
    own_id: int | None = None
    # A regional period the institution replaced: not in effect, shown for reference.
    replaced: bool = False
    # An official public holiday (feestdag): a day off for every institution.
    public: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _region_of(institution_id: int) -> str:
    """The institution's holiday region; empty while it has not chosen one (its calendar is
    then only its own days off)."""
    region = (
        SignalSettings.objects.filter(institution_id=institution_id)
        .values_list("holiday_region", flat=True)
        .first()
    )
    return region or ""


def _periods(
    region: str, regional: Iterable[RegionalHoliday], own: Iterable[SchoolHoliday]
) -> list[CalendarPeriod]:
    """The periods in effect (regional ones not replaced, and the own ones) plus the regional
    ones that were replaced (marked `replaced`)."""
    own = list(own)
    replaced = {(h.school_year, h.replaces) for h in own if h.replaces}
    periods = [
        CalendarPeriod(
            name=str(h.get_name_display()),
            start=h.start,
            end=h.end,
            school_year=h.school_year,
            regional=True,
            kind=h.name,
            replaced=(h.school_year, h.name) in replaced,
        )
        for h in regional
        if h.region == region
    ]
    periods += [
        CalendarPeriod(
            name=h.name,
            start=h.start,
            end=h.end,
            school_year=h.school_year or school_year_of(h.start),
            regional=False,
            kind=h.replaces,
            own_id=h.pk,
        )
        for h in own
    ]
    periods += [
        CalendarPeriod(
            name=str(name),
            start=day,
            end=day,
            school_year=school_year_of(day),
            regional=False,
            public=True,
        )
        for day, name in PUBLIC_HOLIDAYS
    ]
    return sorted(periods, key=lambda p: (p.start, p.end, not p.regional))


def calendar_periods(
    institution: Organisation, *, school_year: str | None = None
) -> list[CalendarPeriod]:
    """The institution's periods without school, in date order; only those of `school_year`
    (its own entries by the school year they belong to) when given."""
    region = _region_of(institution.pk)
    regional = RegionalHoliday.objects.filter(region=region)
    own = SchoolHoliday.objects.filter(institution=institution)
    if school_year is not None:
        regional = regional.filter(school_year=school_year)
    periods = _periods(region, regional, own)
    if school_year is not None:
        periods = [p for p in periods if p.school_year == school_year]
    return periods


def _calendar(periods: Iterable[CalendarPeriod]) -> SchoolCalendar:
    return SchoolCalendar(holidays=tuple((p.start, p.end) for p in periods if not p.replaced))


def school_calendar(institution: Organisation) -> SchoolCalendar:
    """The calendar the absence rules use: the region's holidays (unless replaced) and the
    institution's own days off."""
    return _calendar(calendar_periods(institution))


def school_calendars(institution_ids: Iterable[int]) -> dict[int, SchoolCalendar]:
    """The calendars of many institutions in three queries (for the monitor)."""
    ids = set(institution_ids)
    regions = dict.fromkeys(ids, "")  # no settings yet: no region chosen
    regions.update(
        SignalSettings.objects.filter(institution_id__in=ids).values_list(
            "institution_id", "holiday_region"
        )
    )
    regional = list(RegionalHoliday.objects.filter(region__in=set(regions.values())))
    own: dict[int, list[SchoolHoliday]] = defaultdict(list)
    for holiday in SchoolHoliday.objects.filter(institution_id__in=ids):
        own[holiday.institution_id].append(holiday)
    return {i: _calendar(_periods(regions[i], regional, own[i])) for i in ids}


def calendar_missing(institution: Organisation, today: date) -> bool:
    """No holiday at all in the current school year (public holidays aside): the region has
    no official dates for it and the institution entered none (holidays would count as
    school weeks)."""
    periods = calendar_periods(institution, school_year=school_year_of(today))
    return not [p for p in periods if not p.public]


def calendar_version_of(institution: Organisation) -> int:
    return (
        SignalSettings.objects.filter(institution=institution)
        .values_list("calendar_version", flat=True)
        .first()
        or 0
    )


# --- Changes --------------------------------------------------------------------------------


def _stale() -> ValidationError:
    return ValidationError(
        _(
            "Iemand anders heeft de schoolkalender intussen gewijzigd. Hieronder staat de "
            "nieuwe kalender; voer uw wijziging opnieuw in."
        ),
        code="stale",
    )


def _settings_locked(institution: Organisation) -> SignalSettings:
    """The institution's settings row, locked; made (with the defaults) when it has none."""
    found = SignalSettings.objects.select_for_update().filter(institution=institution).first()
    if found is None:
        found = SignalSettings.objects.create(institution=institution, version=0)
    return found


def calendar_reports_recompute(
    *,
    institution: Organisation,
    old_calendar: SchoolCalendar,
    changed_from: date | None,
    today: date,
) -> int:
    """After a calendar change: remove the reports not yet reported whose threshold lies on
    or after the first changed day and that held under the old calendar but no longer hold
    under the new one, then run the day's computation again (it adds the reports that hold
    now, with the new calendar version, and renews the early warnings). Returns how many
    reports were removed. Call it inside the transaction that made the change."""
    from .daily import daily_signals_compute, morning_compute, morning_load

    morning = morning_load(institution, today, warnings=False)
    # A computed report row starts with: student, kind, start, threshold day.
    now_due = {(row[0], row[1], row[3]) for row in morning_compute(morning).reports}
    morning.calendar = old_calendar
    was_due = {(row[0], row[1], row[3]) for row in morning_compute(morning).reports}
    gone = was_due - now_due
    removed = 0
    if gone:
        candidates = AbsenceReport.objects.filter(
            student__institution=institution, reported_on__isnull=True
        )
        if changed_from is not None:
            candidates = candidates.filter(threshold_on__gte=changed_from)
        stale = [
            pk
            for pk, student_id, kind, threshold in candidates.values_list(
                "pk", "student_id", "kind", "threshold_on"
            )
            if (student_id, kind, threshold) in gone
        ]
        removed, _by_model = AbsenceReport.objects.filter(pk__in=stale).delete()
    daily_signals_compute(institution=institution, today=today)
    return removed


def _calendar_changed(
    institution: Organisation,
    settings: SignalSettings,
    *,
    actor: User,
    old_calendar: SchoolCalendar,
    changed_from: date | None,
) -> None:
    settings.calendar_version += 1
    settings.changed_at = timezone.now()
    settings.changed_by = actor
    settings.save(update_fields=["calendar_version", "changed_at", "changed_by"])
    calendar_reports_recompute(
        institution=institution,
        old_calendar=old_calendar,
        changed_from=changed_from,
        today=timezone.localdate(),
    )


def region_changed(
    *, actor: User, institution: Organisation, settings: SignalSettings, old_region: str
) -> None:
    """The region in `settings` (locked, saved) differs from `old_region`: a new calendar
    version and the reports recomputed. Called by signal_settings_update."""
    own = list(SchoolHoliday.objects.filter(institution=institution))
    regional = RegionalHoliday.objects.filter(region__in=[old_region, settings.holiday_region])
    old = _calendar(_periods(old_region, regional, own))
    starts = [h.start for h in regional]
    _calendar_changed(
        institution,
        settings,
        actor=actor,
        old_calendar=old,
        changed_from=min(starts) if starts else None,
    )


@dataclass(frozen=True)
class OwnHoliday:
    """What an own entry says, checked."""

    name: str
    start: date
    end: date
    replaces: str = ""
    school_year: str = ""


def own_holiday_check(
    institution: Organisation,
    *,
    name: str,
    start: date,
    end: date | None = None,
    replaces: str = "",
    school_year: str = "",
    region: str | None = None,
) -> OwnHoliday:
    """The entry's values, or a ValidationError with Dutch messages."""
    end = end or start
    name = name.strip()
    errors: list[str] = []
    if not name:
        errors.append(_("Geef de periode een naam (bijvoorbeeld 'Studiedag')."))
    elif len(name) > 100:
        errors.append(_("De naam is te lang (hoogstens 100 tekens)."))
    if not (FIRST_YEAR <= start.year <= LAST_YEAR and FIRST_YEAR <= end.year <= LAST_YEAR):
        errors.append(_("Deze datum ligt niet in een schooljaar dat Schakelpunt kent."))
    elif end < start:
        errors.append(_("De laatste dag ligt voor de eerste dag."))
    elif (end - start).days + 1 > MAX_PERIOD_DAYS:
        errors.append(
            _("Een periode duurt hoogstens %(weeks)s weken.") % {"weeks": MAX_PERIOD_DAYS // 7}
        )
    if replaces:
        if replaces not in HolidayKind.values:
            errors.append(_("'%(value)s' is geen regionale vakantie.") % {"value": replaces})
        if not errors:
            school_year = school_year or school_year_of(start)
            if school_year_of(start) != school_year:
                errors.append(
                    _("De nieuwe periode moet in schooljaar %(year)s beginnen.")
                    % {"year": school_year}
                )
            region = region or _region_of(institution.pk)
            if not region:
                # No region chosen yet: the own dates for that holiday count now and replace
                # the region's once it is chosen; the school year must have that holiday.
                if not RegionalHoliday.objects.filter(
                    school_year=school_year, name=replaces
                ).exists():
                    errors.append(
                        _(
                            "Voor schooljaar %(year)s zijn er geen officiële data van de "
                            "%(holiday)s om te vervangen."
                        )
                        % {"year": school_year, "holiday": str(HolidayKind(replaces).label).lower()}
                    )
            elif not RegionalHoliday.objects.filter(
                region=region, school_year=school_year, name=replaces
            ).exists():
                errors.append(
                    _(
                        "Regio %(region)s heeft in schooljaar %(year)s geen %(holiday)s om te "
                        "vervangen."
                    )
                    % {
                        "region": HolidayRegion(region).label,
                        "year": school_year,
                        "holiday": str(HolidayKind(replaces).label).lower(),
                    }
                )
    if errors:
        raise ValidationError(errors)
    return OwnHoliday(
        name=name,
        start=start,
        end=end,
        replaces=replaces,
        school_year=school_year if replaces else school_year_of(start),
    )


def _save_own(
    institution: Organisation, actor: User, entry: OwnHoliday
) -> tuple[SchoolHoliday, str, date | None]:
    """Create or update the entry; returns it, 'created'/'updated'/'unchanged', and the first
    day of the calendar that changed."""
    own = SchoolHoliday.objects.filter(institution=institution)
    if entry.replaces:
        found = own.filter(school_year=entry.school_year, replaces=entry.replaces).first()
    else:
        found = own.filter(replaces="", start=entry.start, end=entry.end).first()
    if found is None:
        holiday = SchoolHoliday.objects.create(
            institution=institution,
            name=entry.name,
            start=entry.start,
            end=entry.end,
            school_year=entry.school_year,
            replaces=entry.replaces,
            created_by=actor,
        )
        first = entry.start
        if entry.replaces:
            regional = RegionalHoliday.objects.filter(
                region=_region_of(institution.pk),
                school_year=entry.school_year,
                name=entry.replaces,
            ).first()
            if regional is not None:
                first = min(first, regional.start)
        return holiday, "created", first
    if (found.name, found.start, found.end) == (entry.name, entry.start, entry.end):
        return found, "unchanged", None
    first = min(found.start, entry.start)
    found.name, found.start, found.end = entry.name, entry.start, entry.end
    found.save(update_fields=["name", "start", "end"])
    return found, "updated", first


def own_holiday_save(
    *,
    actor: User,
    institution: Organisation,
    expected_version: int,
    name: str,
    start: date,
    end: date | None = None,
    replaces: str = "",
    school_year: str = "",
) -> SchoolHoliday:
    """Add days off of the institution's own, or (with `replaces`) its own dates for one of
    its region's periods; moving a period again changes the earlier move. A stale form (the
    calendar changed since it was shown) is refused."""
    if not may_configure_institution(actor, institution):
        raise PermissionDenied
    with transaction.atomic():
        settings = _settings_locked(institution)
        if settings.calendar_version != expected_version:
            raise _stale()
        entry = own_holiday_check(
            institution,
            name=name,
            start=start,
            end=end,
            replaces=replaces,
            school_year=school_year,
            region=settings.holiday_region,
        )
        old = school_calendar(institution)
        holiday, outcome, first = _save_own(institution, actor, entry)
        if outcome == "unchanged" and not entry.replaces:
            raise ValidationError(
                _("Deze periode staat al in de kalender (%(name)s).") % {"name": holiday.name}
            )
        if outcome != "unchanged":
            _calendar_changed(
                institution, settings, actor=actor, old_calendar=old, changed_from=first
            )
    return holiday


def own_holiday_remove(
    *, actor: User, institution: Organisation, holiday_id: int, expected_version: int
) -> None:
    """Remove an own entry (a replaced regional period applies again)."""
    if not may_configure_institution(actor, institution):
        raise PermissionDenied
    with transaction.atomic():
        settings = _settings_locked(institution)
        holiday = SchoolHoliday.objects.filter(institution=institution, pk=holiday_id).first()
        if holiday is None:
            raise ValidationError(_("Deze periode bestaat niet (meer)."), code="gone")
        if settings.calendar_version != expected_version:
            raise _stale()
        old = school_calendar(institution)
        first = holiday.start
        if holiday.replaces:
            regional = RegionalHoliday.objects.filter(
                region=settings.holiday_region,
                school_year=holiday.school_year,
                name=holiday.replaces,
            ).first()
            if regional is not None:
                first = min(first, regional.start)
        holiday.delete()
        _calendar_changed(institution, settings, actor=actor, old_calendar=old, changed_from=first)


# --- Import ---------------------------------------------------------------------------------

REQUIRED = ["naam", "eerste dag", "laatste dag"]
OPTIONAL = ["vervangt"]


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return (
            _("Regel %(line)s: %(message)s") % {"line": self.line, "message": self.message}
            if self.line
            else self.message
        )


@dataclass
class HolidayImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # The school years of the file's periods, in date order (the screen shows the first).
    school_years: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _header_name(name: str) -> str:
    return " ".join(name.replace("_", " ").split())


def parse_holidays(
    data: bytes, institution: Organisation, region: str
) -> tuple[list[tuple[int, OwnHoliday]], list[RowError]]:
    """Check the whole file (CSV or Excel): the rows' entries with their line numbers, or the
    errors."""
    if not data.strip():
        return [], [RowError(0, _("Het bestand is leeg."))]
    try:
        headers, records = read_table(data, _header_name)
        if not any(headers):
            return [], [RowError(0, _("Het bestand is leeg."))]
        missing = [c for c in REQUIRED if c not in headers]
        if missing:
            return [], [
                RowError(1, _("kolom ontbreekt: %(names)s.") % {"names": ", ".join(missing)})
            ]
        rows: list[tuple[int, OwnHoliday]] = []
        errors: list[RowError] = []
        seen: dict[tuple[str, ...], int] = {}
        count = 0
        for line, raw in records:
            count += 1
            if count > MAX_IMPORT_ROWS:
                return [], [
                    RowError(
                        0, _("Het bestand heeft meer dan %(n)s regels.") % {"n": MAX_IMPORT_ROWS}
                    )
                ]
            if raw is None:
                errors.append(RowError(line, _("deze regel heeft meer kolommen dan de kop.")))
                continue
            values = {k: v.strip() for k, v in raw.items()}
            entry, problems = _parse_row(values, institution, region)
            if entry is not None:
                key = (
                    (entry.school_year, entry.replaces)
                    if entry.replaces
                    else (entry.start.isoformat(), entry.end.isoformat())
                )
                if key in seen:
                    problems.append(
                        _("dezelfde periode staat ook op regel %(line)s.") % {"line": seen[key]}
                    )
                seen.setdefault(key, line)
                rows.append((line, entry))
            errors += [RowError(line, message) for message in problems]
    except UnreadableExport as error:
        return [], [RowError(0, str(error))]
    if not rows and not errors:
        errors.append(RowError(0, _("Het bestand bevat geen periodes.")))
    return ([] if errors else rows), errors


def _parse_row(
    values: dict[str, str], institution: Organisation, region: str
) -> tuple[OwnHoliday | None, list[str]]:
    problems: list[str] = []
    days: list[date | None] = []
    for column in ("eerste dag", "laatste dag"):
        raw = values.get(column, "")
        day = parse_date(raw) if raw else None
        if not raw:
            problems.append(_("%(column)s ontbreekt.") % {"column": column})
        elif day is None:
            problems.append(
                _(
                    "%(column)s '%(value)s' is geen geldige datum (gebruik JJJJ-MM-DD of DD-MM-JJJJ)."
                )
                % {"column": column, "value": raw}
            )
        days.append(day)
    word = values.get("vervangt", "").lower()
    replaces = KIND_BY_WORD.get(word, "") if word else ""
    if word and not replaces:
        problems.append(
            _("vervangt '%(value)s' is geen regionale vakantie (gebruik: %(names)s).")
            % {
                "value": values["vervangt"],
                "names": ", ".join(str(k.label).lower() for k in HolidayKind),
            }
        )
    start, end = days
    if problems or start is None or end is None:
        return None, problems
    try:
        entry = own_holiday_check(
            institution,
            name=values.get("naam", ""),
            start=start,
            end=end,
            replaces=replaces,
            region=region,
        )
    except ValidationError as error:
        return None, [message[:1].lower() + message[1:] for message in error.messages]
    return entry, []


def holiday_import(*, actor: User, institution: Organisation, data: bytes) -> HolidayImportResult:
    """Import the institution's own days off (CSV or Excel: naam, eerste dag, laatste dag,
    optional vervangt). All or nothing: one bad row and nothing changes. The same file again
    changes nothing; a row with `vervangt` changes the earlier move of that period."""
    if not may_configure_institution(actor, institution):
        raise PermissionDenied
    result = HolidayImportResult()
    with transaction.atomic():
        settings = _settings_locked(institution)
        rows, errors = parse_holidays(data, institution, settings.holiday_region)
        if errors:
            result.errors = errors
            return result
        old = school_calendar(institution)
        result.school_years = sorted({entry.school_year for _line, entry in rows})
        firsts: list[date] = []
        for _line, entry in rows:
            _holiday, outcome, first = _save_own(institution, actor, entry)
            if outcome == "created":
                result.created += 1
            elif outcome == "updated":
                result.updated += 1
            else:
                result.unchanged += 1
            if first is not None:
                firsts.append(first)
        if firsts:
            _calendar_changed(
                institution, settings, actor=actor, old_calendar=old, changed_from=min(firsts)
            )
    return result


# --- The screen -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarWeek:
    monday: date
    school_days: int
    periods: tuple[str, ...]

    @property
    def number(self) -> int:
        return self.monday.isocalendar().week

    @property
    def friday(self) -> date:
        return self.monday + timedelta(days=4)

    @property
    def is_school_week(self) -> bool:
        return self.school_days > 0


def calendar_weeks(periods: list[CalendarPeriod], school_year: str) -> list[CalendarWeek]:
    """Every week of the school year: how many school days, and which periods fall in it."""
    calendar = _calendar(periods)
    first, last = school_year_bounds(school_year)
    monday = first - timedelta(days=first.weekday())
    weeks: list[CalendarWeek] = []
    while monday <= last:
        friday = monday + timedelta(days=4)
        names = tuple(
            p.name for p in periods if not p.replaced and p.start <= friday and p.end >= monday
        )
        days = sum(1 for i in range(5) if calendar.is_school_day(monday + timedelta(days=i)))
        weeks.append(CalendarWeek(monday, days, names))
        monday += timedelta(days=7)
    return weeks


def known_school_years(institution: Organisation, today: date) -> list[str]:
    """The school years to choose from: those with regional dates, the current one and any
    with own entries."""
    years = set(RegionalHoliday.objects.values_list("school_year", flat=True).distinct())
    years.add(school_year_of(today))
    for school_year, start in SchoolHoliday.objects.filter(institution=institution).values_list(
        "school_year", "start"
    ):
        years.add(school_year or school_year_of(start))
    return sorted(years)


def institutions_without_calendar(
    institutions: Iterable[Organisation], today: date
) -> list[Organisation]:
    """Those of the institutions without any holiday in the current school year, by name."""
    unique = {i.pk: i for i in institutions}
    return sorted((i for i in unique.values() if calendar_missing(i, today)), key=lambda i: i.name)
