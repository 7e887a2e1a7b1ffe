"""Reporting periods: a school year (1 August – 31 July), its semesters, or a month.

Codes: `2025-2026` (school year), `2025-2026-S1` (August–January), `2025-2026-S2`
(February–July), `2026-03` (a month). The monitor publishes school years and semesters only
(`parse_published_period`, decision 0020); months are for counting inside the application.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _

_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
_SEMESTER = re.compile(r"^(\d{4})-(\d{4})-S([12])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    code: str
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        return self.code

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def is_semester(self) -> bool:
        return bool(_SEMESTER.match(self.code))

    def has_started(self, today: date) -> bool:
        """A period that has not begun has no figures yet."""
        return self.start <= today


class PeriodError(ValueError):
    pass


def school_year_of(day: date) -> Period:
    first = day.year if day.month >= 8 else day.year - 1
    return parse_period(f"{first}-{first + 1}")


def parse_period(code: str) -> Period:
    code = code.strip()
    if m := _SEMESTER.match(code):
        first, second, half = int(m[1]), int(m[2]), m[3]
        if second != first + 1:
            raise PeriodError(_("Een schooljaar loopt over twee opeenvolgende jaren."))
        if half == "1":
            return Period(code, date(first, 8, 1), date(second, 1, 31))
        return Period(code, date(second, 2, 1), date(second, 7, 31))
    if m := _YEAR.match(code):
        first, second = int(m[1]), int(m[2])
        if second != first + 1:
            raise PeriodError(_("Een schooljaar loopt over twee opeenvolgende jaren."))
        return Period(code, date(first, 8, 1), date(second, 7, 31))
    if m := _MONTH.match(code):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(_("Geen bestaande maand: %(code)s.") % {"code": code})
        return Period(
            code, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        )
    raise PeriodError(
        _("Onbekende periode '%(code)s': gebruik 2025-2026, 2025-2026-S1 of 2026-03.")
        % {"code": code}
    )


def previous(period: Period) -> Period:
    """The period before, of the same kind (for trends)."""
    if _SEMESTER.match(period.code):
        first = int(period.code[:4])
        if period.code.endswith("S2"):
            return parse_period(f"{first}-{first + 1}-S1")
        return parse_period(f"{first - 1}-{first}-S2")
    if _YEAR.match(period.code):
        first = int(period.code[:4])
        return parse_period(f"{first - 1}-{first}")
    year, month = period.start.year, period.start.month
    return parse_period(f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}")


class PeriodNotStarted(PeriodError):
    pass


def parse_published_period(code: str, *, today: date | None = None) -> Period:
    """A period the monitor publishes figures for: a school year or a semester. A month's
    counts are too small to publish safely, and would let a year's be taken apart. Given
    `today`, a period that has not begun is refused: there is nothing to count yet."""
    period = parse_period(code)
    if _MONTH.match(period.code):
        raise PeriodError(
            _("Per maand publiceert de monitor geen cijfers: kies een schooljaar of semester.")
        )
    if today is not None and not period.has_started(today):
        raise PeriodNotStarted(
            _(
                "De periode %(code)s begint pas op %(start)s: daarover zijn nog geen cijfers. "
                "Kies een periode die al begonnen is."
            )
            % {"code": period.code, "start": formats.date_format(period.start, "j F Y")}
        )
    return period
