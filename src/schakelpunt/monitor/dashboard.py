"""The dashboard of one population over one period: key figures, charts and the tables behind
them, every count published (`suppression.publish`, the cell-key method) before it is put in.

What is built here holds only published counts (none of 1–4: those read "<5"), rates of
published counts and no name, so it may be kept (`snapshots`) and shown, exported or printed
as it is.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from schakelpunt.referrals.models import EndReason, Outcome, ReferralStatus
from schakelpunt.signals.models import AbsenceReportKind
from schakelpunt.students.models import Student
from schakelpunt.support.models import CloseReason, LifeDomain, Tier
from schakelpunt.transitions.models import AftercareOutcome

from . import charts
from . import indicators as ind
from .periods import Period, previous
from .suppression import THRESHOLD, Cell, Records, forget_atoms, is_small, protect, publish, shown
from .tables import BREAKDOWNS, COLUMNS, indicator_table

TREND_LENGTH = 4


@dataclass
class Table:
    headings: list[str]
    rows: list[list[str]]
    total: list[str] | None = None

    def all_rows(self) -> list[list[str]]:
        return [*self.rows, *([self.total] if self.total else [])]


@dataclass
class Figure:
    key: str
    title: str
    summary: str
    table: Table
    spec: dict[str, Any] | None = None  # the Vega-Lite chart, when there is something to draw
    svg: str = ""


@dataclass
class Tile:
    label: str
    value: str
    note: str = ""


@dataclass
class Dashboard:
    title: str
    period: str
    period_label: str
    tiles: list[Tile] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Dashboard":
        figures = [Figure(**{**f, "table": Table(**f["table"])}) for f in data.get("figures", [])]
        tiles = [Tile(**t) for t in data.get("tiles", [])]
        return cls(
            data["title"], data["period"], data["period_label"], tiles, figures, data["summary"]
        )

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)


def period_label(period: Period) -> str:
    return _("%(start)s tot en met %(end)s") % {
        "start": formats.date_format(period.start, "j F Y"),
        "end": formats.date_format(period.end, "j F Y"),
    }


def number(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def rate_text(part: int, whole: int) -> str:
    """A share of two published counts as a percentage, unless it would tell about fewer than
    five (the published part is never more than the whole)."""
    if not whole or is_small(whole):
        return "—"
    if is_small(part):
        return _("<%(n)s van %(whole)s") % {"n": THRESHOLD, "whole": whole}
    return f"{number(min(part, whole) / whole * 100)}%"


def _percent_or_none(part: int, whole: int) -> float | None:
    if not whole or is_small(whole) or is_small(part):
        return None
    return round(min(part, whole) / whole * 100, 1)


def _safe(published: int) -> bool:
    """A median or an average is shown only where the published count of its records is 5 or
    more. Not the true count: "no median beside a published 7" would tell that the truth is
    under 5 and, with the noise bound, pin it (decision 0020)."""
    return published >= THRESHOLD


# --- distributions ------------------------------------------------------------------------


def _labelled(
    found: dict[str, Records], labels: Sequence[tuple[str, Any]], kind: str
) -> list[tuple[str, Records]]:
    """Every known category in its own order (empty ones too), then any unknown code as it is."""
    known = [(str(label), found.get(code, Records.empty(kind))) for code, label in labels]
    codes = {code for code, _label in labels}
    return known + [(code, r) for code, r in sorted(found.items()) if code not in codes]


def _distribution(
    key: str,
    title: str,
    rows: list[tuple[str, Records]],
    *,
    heading: str,
    unit: str,
    total_shown: bool = True,
    extra: str = "",
) -> Figure:
    cells = protect(rows)
    everything = Records.empty(rows[0][1].kind if rows else "")
    for _label, records in rows:
        everything = everything | records
    total = publish(everything)
    table = Table(
        [heading, unit],
        [[c.label, c.shown] for c in cells],
        [_("Totaal"), shown(total)] if total_shown else None,
    )
    drawn = [(c.label, c.count) for c in cells if c.count and not is_small(c.count)]
    summary = _summary(cells, total, unit) + (f" {extra}" if extra else "")
    spec = charts.bar_spec(title, drawn, unit=unit) if drawn else None
    return Figure(key, title, summary, table, spec)


def _summary(cells: list[Cell], total: int, unit: str) -> str:
    if not total:
        return _("Geen gegevens in deze periode.")
    readable = sorted(
        (c for c in cells if c.count and not is_small(c.count)), key=lambda c: -(c.count or 0)
    )
    small = len([c for c in cells if c.count and is_small(c.count)])
    parts = []
    if readable:
        top = readable[0]
        parts.append(
            _("Het grootst is ‘%(label)s’ met %(n)s %(unit)s.")
            % {"label": top.label, "n": top.count, "unit": unit.lower()}
        )
    if small:
        parts.append(_("Aantallen onder de 5 staan er als <5."))
    return " ".join(parts)


# --- the dashboard ------------------------------------------------------------------------


class _Counts:
    """The indicators of one population and period that several parts of the dashboard show,
    each counted and published once, when first asked."""

    def __init__(self, students: QuerySet[Student], period: Period, today: date) -> None:
        self.students, self.period, self.today = students, period, today

    @cached_property
    def enrolled(self) -> int:
        return publish(ind.enrolled_records(self.students, self.period))

    @cached_property
    def supported(self) -> int:
        return publish(ind.supported_records(self.students, self.period))

    @cached_property
    def early_leavers(self) -> int:
        return publish(ind.early_leaver_records(self.students, self.period))

    @cached_property
    def referred(self) -> int:
        return publish(ind.referred_records(self.students, self.period)[0])

    @cached_property
    def attendance(self) -> ind.Attendance:
        return ind.attendance(self.students, self.period, today=self.today)

    @cached_property
    def attendance_students(self) -> int:
        return publish(self.attendance.student_records or Records.empty("student"))

    @cached_property
    def chronic(self) -> int:
        return publish(self.attendance.chronic_records or Records.empty("student"))

    @cached_property
    def absence_rate(self) -> str:
        absence = self.attendance
        if absence.unauthorised_rate is None or not _safe(self.attendance_students):
            return "—"
        return number(absence.unauthorised_rate * 100) + "%"

    @cached_property
    def waiting(self) -> ind.Waiting:
        return ind.first_contact(self.students, self.period)

    @cached_property
    def waiting_count(self) -> int:
        return publish(self.waiting.records or Records.empty("referral"))

    @cached_property
    def waiting_within(self) -> int:
        return publish(self.waiting.within_records or Records.empty("referral"))

    @cached_property
    def waiting_median(self) -> float | None:
        if self.waiting.median_days is None or not _safe(self.waiting_count):
            return None
        return self.waiting.median_days


def _trend_periods(period: Period) -> list[Period]:
    found = [period]
    while len(found) < TREND_LENGTH:
        found.insert(0, previous(found[0]))
    return found


def _trend(current: _Counts) -> Figure:
    students, period, today = current.students, current.period, current.today
    headings = [
        _("Periode"),
        _("Ingeschreven"),
        _("Bereik"),
        _("VSV"),
        _("Verwezen naar specialistische zorg"),
        _("Ongeoorloofd verzuim"),
    ]
    rows: list[list[str]] = []
    points: list[tuple[str, str, float]] = []
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for p in _trend_periods(period):
        if p.start > today:
            continue
        counts = current if p == period else _Counts(students, p, today)
        enrolled, supported = counts.enrolled, counts.supported
        if not rows and not supported:
            continue  # before the work was registered here: nothing to compare with
        vsv, referred = counts.early_leavers, counts.referred
        rows.append(
            [
                p.code,
                shown(enrolled),
                rate_text(supported, enrolled),
                rate_text(vsv, enrolled),
                rate_text(referred, supported),
                counts.absence_rate,
            ]
        )
        for series, value in (
            (_("Bereik"), _percent_or_none(supported, enrolled)),
            (_("VSV"), _percent_or_none(vsv, enrolled)),
            (_("Verwezen"), _percent_or_none(referred, supported)),
        ):
            if value is not None:
                points.append((p.code, series, value))
                first.setdefault(series, value)
                last[series] = value
    title = _("Ontwikkeling over de laatste perioden")
    summary_parts = [
        _("%(series)s: van %(a)s%% naar %(b)s%%.")
        % {"series": series, "a": number(first[series]), "b": number(last[series])}
        for series in last
    ]
    summary = " ".join(summary_parts) or _("Geen gegevens in deze perioden.")
    spec = charts.line_spec(title, points, unit=_("procent")) if len(rows) > 1 and points else None
    return Figure("trend", title, summary, Table(headings, rows), spec)


def _tiles(counts: _Counts) -> tuple[list[Tile], list[str]]:
    enrolled, supported = counts.enrolled, counts.supported
    vsv, referred = counts.early_leavers, counts.referred
    ratings_records, average = ind.satisfaction_records(counts.students, counts.period)
    ratings = publish(ratings_records)
    chronic_rate = rate_text(counts.chronic, counts.attendance_students)
    within_rate = rate_text(counts.waiting_within, counts.waiting_count)
    summary = [
        _("In deze periode waren %(n)s studenten ingeschreven.") % {"n": shown(enrolled)},
        _("Met %(rate)s van hen werkte de school of het ondersteuningsteam aan een traject.")
        % {"rate": rate_text(supported, enrolled)},
        _(
            "Van de studenten met ondersteuning is %(rate)s verwezen naar specialistische zorg; "
            "de rest kreeg hulp dichtbij, op school of in de wijk."
        )
        % {"rate": rate_text(referred, supported)},
        _("%(n)s studenten verlieten de school zonder startkwalificatie (%(rate)s).")
        % {"n": shown(vsv), "rate": rate_text(vsv, enrolled)},
    ]
    if counts.waiting_median is not None:
        summary.append(
            _(
                "Na een verwijzing was er na %(days)s dagen (mediaan) een eerste contact; "
                "%(rate)s binnen de afgesproken termijn."
            )
            % {"days": number(counts.waiting_median, 0), "rate": within_rate}
        )
    tiles = [
        Tile(_("Ingeschreven studenten"), shown(enrolled)),
        Tile(
            _("Voortijdig schoolverlaters (VSV)"),
            shown(vsv),
            _("%(rate)s van de ingeschrevenen") % {"rate": rate_text(vsv, enrolled)},
        ),
        Tile(
            _("Bereik ondersteuning"),
            rate_text(supported, enrolled),
            _("%(n)s studenten met een traject") % {"n": shown(supported)},
        ),
        Tile(
            _("Verwezen naar specialistische zorg"),
            rate_text(referred, supported),
            _("van de studenten met ondersteuning"),
        ),
        Tile(
            _("Ongeoorloofd verzuim"),
            counts.absence_rate,
            _("van de geroosterde uren; chronisch verzuim: %(rate)s van de studenten")
            % {"rate": chronic_rate},
        ),
        Tile(
            _("Tot eerste contact (mediaan)"),
            _("%(days)s dagen") % {"days": number(counts.waiting_median, 0)}
            if counts.waiting_median is not None
            else "—",
            _("%(rate)s binnen de afgesproken termijn") % {"rate": within_rate},
        ),
        Tile(
            _("Tevredenheid studenten"),
            number(average) if average is not None and _safe(ratings) else "—",
            _("gemiddeld rapportcijfer, %(n)s beoordelingen") % {"n": shown(ratings)},
        ),
    ]
    return tiles, summary


def _figures(counts: _Counts) -> list[Figure]:
    students, period = counts.students, counts.period
    referrals = ind.referral_outcome_records(students, period)
    outcome_labels = [
        (str(Outcome.SUCCESSFUL), Outcome.SUCCESSFUL.label),
        *[
            (f"{Outcome.NOT_SUCCESSFUL}:{code}", _("Niet geslaagd: %(reason)s") % {"reason": label})
            for code, label in EndReason.choices
        ],
        (str(ReferralStatus.DECLINED), _("Niet aangenomen door de aanbieder")),
        (str(ReferralStatus.WITHDRAWN), _("Ingetrokken")),
    ]
    domains, many, running = ind.life_domain_records(students, period)
    signal_records, signal_days = ind.signal_to_action_records(students, period)
    signals_count = publish(signal_records)
    trajectories = _("Trajecten")
    figures = [
        _trend(counts),
        _distribution(
            "tiers",
            _("Ondersteuning naar zwaarte: licht waar het kan"),
            _labelled(ind.tier_records(students, period), Tier.choices, "trajectory"),
            heading=_("Zwaarte"),
            unit=trajectories,
        ),
        _distribution(
            "closed",
            _("Afgesloten trajecten naar reden"),
            _labelled(ind.closed_records(students, period), CloseReason.choices, "trajectory"),
            heading=_("Reden"),
            unit=trajectories,
        ),
        _distribution(
            "domains",
            _("Leefgebieden in de trajecten"),
            _labelled(domains, LifeDomain.choices, "trajectory"),
            heading=_("Leefgebied"),
            unit=trajectories,
            total_shown=False,
            extra=_(
                "Eén traject kan op meer leefgebieden tellen. Problemen op drie of meer "
                "leefgebieden: %(rate)s van de trajecten."
            )
            % {"rate": rate_text(publish(many), publish(running))},
        ),
        _distribution(
            "referrals",
            _("Verwijzingen naar uitkomst"),
            _labelled(referrals, outcome_labels, "referral"),
            heading=_("Uitkomst"),
            unit=_("Verwijzingen"),
        ),
        Figure(
            "waiting",
            _("Van verwijzing tot eerste contact, van signaal tot eerste actie"),
            _(
                "Tijd tussen aanname en eerste contact, en tussen een zorgsignaal en de eerste "
                "actie erop; een mediaan alleen bij een getoond aantal van 5 of meer."
            ),
            Table(
                [_("Maat"), _("Aantal"), _("Mediaan (dagen)"), _("Binnen afspraak")],
                [
                    [
                        _("Verwijzing → eerste contact"),
                        shown(counts.waiting_count),
                        number(counts.waiting_median, 1)
                        if counts.waiting_median is not None
                        else "—",
                        rate_text(counts.waiting_within, counts.waiting_count),
                    ],
                    [
                        _("Zorgsignaal → eerste actie"),
                        shown(signals_count),
                        number(signal_days, 1)
                        if signal_days is not None and _safe(signals_count)
                        else "—",
                        "",
                    ],
                ],
            ),
        ),
        _distribution(
            "reports",
            _("Verzuimmeldingen aan leerplicht en RMC"),
            _labelled(
                ind.statutory_report_records(students, period), AbsenceReportKind.choices, "report"
            ),
            heading=_("Soort melding"),
            unit=_("Meldingen"),
            extra=_(
                "Chronisch verzuim (10%% of meer van de uren, elke reden): %(rate)s van "
                "%(n)s studenten."
            )
            % {
                "rate": rate_text(counts.chronic, counts.attendance_students),
                "n": shown(counts.attendance_students),
            },
        ),
        _distribution(
            "aftercare",
            _("Nazorg bij voortijdig schoolverlaters: uitkomst van de contacten"),
            _labelled(
                ind.aftercare_records(students, period), AftercareOutcome.choices, "aftercare"
            ),
            heading=_("Uitkomst"),
            unit=_("Contacten"),
        ),
    ]
    return figures


def build(
    title: str, students: QuerySet[Student], period: Period, *, today: date, draw: bool = True
) -> Dashboard:
    """Every indicator of the population over the period, published; with SVG charts."""
    forget_atoms()
    counts = _Counts(students, period, today)
    tiles, summary = _tiles(counts)
    figures = _figures(counts)
    dashboard = Dashboard(
        title, period.code, period_label(period), tiles, figures, [*summary, figures[0].summary]
    )
    if draw:
        for figure in dashboard.figures:
            if figure.spec:
                figure.svg = charts.to_svg(figure.spec)
    return dashboard


def breakdown_table(students: QuerySet[Student], period: Period, breakdown: str) -> Table:
    rows, total = indicator_table(students, period, breakdown)
    headings = [
        str(BREAKDOWNS[breakdown][0]),
        *[str(h) for h, _count in COLUMNS.values()],
        _("VSV %"),
        _("Bereik %"),
    ]

    def line(row: Any) -> list[str]:
        return [row.label, *[c.shown for c in row.cells], row.vsv_rate, row.reach_rate]

    return Table(headings, [line(r) for r in rows], line(total))
