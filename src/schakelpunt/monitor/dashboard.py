"""The dashboard of one population over one period: key figures, charts and the tables behind
them, every count protected before it is put in.

What is built here holds no count of 1–4 and no name, so it may be kept (`snapshots`) and
shown, exported or printed as it is.
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
from .suppression import THRESHOLD, Cell, is_small, protect, protect_total
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
    """A share as a percentage, unless it would tell about fewer than five students."""
    if not whole or is_small(whole):
        return "—"
    if is_small(part):
        return _("<%(n)s van %(whole)s") % {"n": THRESHOLD, "whole": whole}
    return f"{number(part / whole * 100)}%"


def _percent_or_none(part: int, whole: int) -> float | None:
    if not whole or is_small(whole) or is_small(part):
        return None
    return round(part / whole * 100, 1)


def _shown(count: int) -> str:
    return protect_total(count).shown


# --- distributions ------------------------------------------------------------------------


def _labelled(counts: dict[str, int], labels: Sequence[tuple[str, Any]]) -> list[tuple[str, int]]:
    """Every known category in its own order (zeros too), then any unknown code as it is."""
    known = [(str(label), counts.get(code, 0)) for code, label in labels]
    codes = {code for code, _label in labels}
    return known + [(code, n) for code, n in sorted(counts.items()) if code not in codes]


def _distribution(
    key: str,
    title: str,
    rows: list[tuple[str, int]],
    *,
    heading: str,
    unit: str,
    total_shown: bool = True,
    extra: str = "",
) -> Figure:
    cells = protect(rows, total_shown=total_shown)
    total = sum(n for _label, n in rows)
    table = Table(
        [heading, unit],
        [[c.label, c.shown] for c in cells],
        [_("Totaal"), _shown(total)] if total_shown else None,
    )
    drawn = [(c.label, c.count) for c in cells if c.count]
    summary = _summary(cells, total, unit) + (f" {extra}" if extra else "")
    spec = charts.bar_spec(title, drawn, unit=unit) if drawn else None
    return Figure(key, title, summary, table, spec)


def _summary(cells: list[Cell], total: int, unit: str) -> str:
    if not total:
        return _("Geen gegevens in deze periode.")
    shown = sorted((c for c in cells if c.count), key=lambda c: -(c.count or 0))
    hidden = len([c for c in cells if c.count is None])
    parts = []
    if shown:
        top = shown[0]
        parts.append(
            _("Het grootst is ‘%(label)s’ met %(n)s %(unit)s.")
            % {"label": top.label, "n": top.count, "unit": unit.lower()}
        )
    if hidden:
        parts.append(_("Aantallen onder de 5, en waar nodig een tweede aantal, staan er als <5."))
    return " ".join(parts)


# --- the dashboard ------------------------------------------------------------------------


class _Counts:
    """The indicators of one population and period that several parts of the dashboard show,
    each counted once, when first asked."""

    def __init__(self, students: QuerySet[Student], period: Period, today: date) -> None:
        self.students, self.period, self.today = students, period, today

    @cached_property
    def enrolled(self) -> int:
        return ind.enrolled(self.students, self.period)

    @cached_property
    def reach(self) -> ind.Ratio:
        return ind.Ratio(ind.supported(self.students, self.period), self.enrolled)

    @cached_property
    def early_leavers(self) -> int:
        return ind.early_leavers(self.students, self.period)

    @cached_property
    def referred(self) -> ind.Ratio:
        return ind.referred_share(self.students, self.period)

    @cached_property
    def attendance(self) -> ind.Attendance:
        return ind.attendance(self.students, self.period, today=self.today)

    @cached_property
    def waiting(self) -> ind.Waiting:
        return ind.first_contact(self.students, self.period)


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
        enrolled = counts.enrolled
        reach = counts.reach
        if not rows and not reach.part:
            continue  # before the work was registered here: nothing to compare with
        vsv = counts.early_leavers
        referred = counts.referred
        absence = counts.attendance
        absence_rate = (
            number(absence.unauthorised_rate * 100) + "%"
            if absence.unauthorised_rate is not None and absence.students >= THRESHOLD
            else "—"
        )
        rows.append(
            [
                p.code,
                _shown(enrolled),
                rate_text(reach.part, enrolled),
                rate_text(vsv, enrolled),
                rate_text(referred.part, referred.whole),
                absence_rate,
            ]
        )
        for series, value in (
            (_("Bereik"), _percent_or_none(reach.part, enrolled)),
            (_("VSV"), _percent_or_none(vsv, enrolled)),
            (_("Verwezen"), _percent_or_none(referred.part, referred.whole)),
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
    enrolled = counts.enrolled
    vsv = counts.early_leavers
    reach = counts.reach
    referred = counts.referred
    absence = counts.attendance
    waiting = counts.waiting
    ratings, average = ind.satisfaction(counts.students, counts.period)
    absence_value = "—"
    if absence.unauthorised_rate is not None and absence.students >= THRESHOLD:
        absence_value = number(absence.unauthorised_rate * 100) + "%"
    summary = [
        _("In deze periode waren %(n)s studenten ingeschreven.") % {"n": _shown(enrolled)},
        _("Met %(rate)s van hen werkte de school of het ondersteuningsteam aan een traject.")
        % {"rate": rate_text(reach.part, enrolled)},
        _(
            "Van de studenten met ondersteuning is %(rate)s verwezen naar specialistische zorg; "
            "de rest kreeg hulp dichtbij, op school of in de wijk."
        )
        % {"rate": rate_text(referred.part, referred.whole)},
        _("%(n)s studenten verlieten de school zonder startkwalificatie (%(rate)s).")
        % {"n": _shown(vsv), "rate": rate_text(vsv, enrolled)},
    ]
    if waiting.count >= THRESHOLD and waiting.median_days is not None:
        summary.append(
            _(
                "Na een verwijzing was er na %(days)s dagen (mediaan) een eerste contact; "
                "%(rate)s binnen de afgesproken termijn."
            )
            % {
                "days": number(waiting.median_days, 0),
                "rate": rate_text(waiting.within_agreement.part, waiting.count),
            }
        )
    tiles = [
        Tile(_("Ingeschreven studenten"), _shown(enrolled)),
        Tile(
            _("Voortijdig schoolverlaters (VSV)"),
            _shown(vsv),
            _("%(rate)s van de ingeschrevenen") % {"rate": rate_text(vsv, enrolled)},
        ),
        Tile(
            _("Bereik ondersteuning"),
            rate_text(reach.part, enrolled),
            _("%(n)s studenten met een traject") % {"n": _shown(reach.part)},
        ),
        Tile(
            _("Verwezen naar specialistische zorg"),
            rate_text(referred.part, referred.whole),
            _("van de studenten met ondersteuning"),
        ),
        Tile(
            _("Ongeoorloofd verzuim"),
            absence_value,
            _("van de geroosterde uren; chronisch verzuim: %(rate)s van de studenten")
            % {"rate": rate_text(absence.chronic, absence.students)},
        ),
        Tile(
            _("Tot eerste contact (mediaan)"),
            _("%(days)s dagen") % {"days": number(waiting.median_days, 0)}
            if waiting.median_days is not None and waiting.count >= THRESHOLD
            else "—",
            _("%(rate)s binnen de afgesproken termijn")
            % {"rate": rate_text(waiting.within_agreement.part, waiting.count)},
        ),
        Tile(
            _("Tevredenheid studenten"),
            number(average) if average is not None and ratings >= THRESHOLD else "—",
            _("gemiddeld rapportcijfer, %(n)s beoordelingen") % {"n": _shown(ratings)},
        ),
    ]
    return tiles, summary


def _figures(counts: _Counts) -> list[Figure]:
    students, period = counts.students, counts.period
    referrals = ind.referral_outcomes(students, period)
    outcome_labels = [
        (str(Outcome.SUCCESSFUL), Outcome.SUCCESSFUL.label),
        *[
            (f"{Outcome.NOT_SUCCESSFUL}:{code}", _("Niet geslaagd: %(reason)s") % {"reason": label})
            for code, label in EndReason.choices
        ],
        (str(ReferralStatus.DECLINED), _("Niet aangenomen door de aanbieder")),
        (str(ReferralStatus.WITHDRAWN), _("Ingetrokken")),
    ]
    domains, many = ind.life_domains(students, period)
    waiting = counts.waiting
    signals_count, signal_days = ind.signal_to_action(students, period)
    absence = counts.attendance
    trajectories = _("Trajecten")
    figures = [
        _trend(counts),
        _distribution(
            "tiers",
            _("Ondersteuning naar zwaarte: licht waar het kan"),
            _labelled(ind.support_by_tier(students, period), Tier.choices),
            heading=_("Zwaarte"),
            unit=trajectories,
        ),
        _distribution(
            "closed",
            _("Afgesloten trajecten naar reden"),
            _labelled(ind.closed_by_reason(students, period), CloseReason.choices),
            heading=_("Reden"),
            unit=trajectories,
        ),
        _distribution(
            "domains",
            _("Leefgebieden in de trajecten"),
            _labelled(domains, LifeDomain.choices),
            heading=_("Leefgebied"),
            unit=trajectories,
            total_shown=False,
            extra=_(
                "Eén traject kan op meer leefgebieden tellen. Problemen op drie of meer "
                "leefgebieden: %(rate)s van de trajecten."
            )
            % {"rate": rate_text(many.part, many.whole)},
        ),
        _distribution(
            "referrals",
            _("Verwijzingen naar uitkomst"),
            _labelled(referrals, outcome_labels),
            heading=_("Uitkomst"),
            unit=_("Verwijzingen"),
        ),
        Figure(
            "waiting",
            _("Van verwijzing tot eerste contact, van signaal tot eerste actie"),
            _(
                "Tijd tussen aanname en eerste contact, en tussen een zorgsignaal en de eerste "
                "actie erop; een mediaan over minder dan 5 is niet getoond."
            ),
            Table(
                [_("Maat"), _("Aantal"), _("Mediaan (dagen)"), _("Binnen afspraak")],
                [
                    [
                        _("Verwijzing → eerste contact"),
                        _shown(waiting.count),
                        number(waiting.median_days, 1)
                        if waiting.median_days is not None and waiting.count >= THRESHOLD
                        else "—",
                        rate_text(waiting.within_agreement.part, waiting.count),
                    ],
                    [
                        _("Zorgsignaal → eerste actie"),
                        _shown(signals_count),
                        number(signal_days, 1)
                        if signal_days is not None and signals_count >= THRESHOLD
                        else "—",
                        "",
                    ],
                ],
            ),
        ),
        _distribution(
            "reports",
            _("Verzuimmeldingen aan leerplicht en RMC"),
            _labelled(ind.statutory_reports(students, period), AbsenceReportKind.choices),
            heading=_("Soort melding"),
            unit=_("Meldingen"),
            extra=_(
                "Chronisch verzuim (10%% of meer van de uren, elke reden): %(rate)s van "
                "%(n)s studenten."
            )
            % {"rate": rate_text(absence.chronic, absence.students), "n": _shown(absence.students)},
        ),
        _distribution(
            "aftercare",
            _("Nazorg bij voortijdig schoolverlaters: uitkomst van de contacten"),
            _labelled(ind.aftercare_outcomes(students, period), AftercareOutcome.choices),
            heading=_("Uitkomst"),
            unit=_("Contacten"),
        ),
    ]
    return figures


def build(
    title: str, students: QuerySet[Student], period: Period, *, today: date, draw: bool = True
) -> Dashboard:
    """Every indicator of the population over the period, protected; with SVG charts."""
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
