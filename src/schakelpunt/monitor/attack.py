"""The attacker of the monitor's published figures (issue 15, item 2; decision 0020).

It collects every table the monitor can publish for the populations of a region — every
population (municipality, RMC region, institution), every period the URL accepts in the years
with data (school years, semesters, months), every breakdown and every indicator, as the kept
figures hold them (the page, CSV, Excel, PDF and charts all print those) — and then, with
linear programming over the published values and the relations known to hold between the true
counts, computes the tightest lower and upper bound of every published count whose true value
is 1–4. A cell is *disclosed* when its bounds are one value, *nearly* when they lie within ±1
(upper − lower ≤ 2).

The attacker knows how figures are protected (`Method`), the threshold and the largest
perturbation, and the structure of the region (which programme belongs to which level,
location and institution; which municipality to which RMC region), but not the secret key.

The unknowns are *atoms*: the true count of one indicator category, for the students of one
(municipality, programme, location, institution) combination, in one month (counts of events:
they add up over months) or in one period (counts of students or running trajectories: a
year's count is at least each semester's and at most their sum). Every published count is a
sum of atoms.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db.models import QuerySet
from scipy.optimize import linprog  # type: ignore[import-untyped]
from scipy.sparse import coo_matrix  # type: ignore[import-untyped]

from schakelpunt.access.policy import Scope
from schakelpunt.students.models import Student

from . import dashboard as dash
from .periods import Period, parse_period, school_year_of
from .tables import BREAKDOWNS, LEVEL_NAMES

INF = math.inf

# Counts that add up over periods (events) and those that do not (students, running
# trajectories). A measure is "<figure>:<row label>" or a breakdown column.
EVENT_FIGURES = {"closed", "referrals", "reports", "aftercare", "waiting", "signals", "ratings"}
STATE_FIGURES = {"tiers", "domains", "many", "attendance", "chronic"}
EVENT_COLUMNS = {"vsv", "meldingen"}  # of the breakdown table
STATE_COLUMNS = {"ingeschreven", "ondersteuning", "verwezen"}
# Referred in a period "of the students supported in it": a student referred in the first
# semester and supported only in the second counts in the year but in neither semester.
NOT_SUBADDITIVE = {"tabel:verwezen"}
# Chronic absence over a year need not be chronic in a semester of it, nor the other way.
NOT_MONOTONE = {"chronic:studenten"}
COLUMN_ORDER = ["ingeschreven", "vsv", "ondersteuning", "verwezen", "meldingen"]


@dataclass(frozen=True)
class Method:
    """How the attacker reads a published count. `noise`: the largest perturbation of one
    atom's count (0: the value is exact; otherwise a published count is the sum of its atoms'
    perturbed counts, each within `noise` of the truth, zero only for zero); `small`: what "<5"
    stands for; `rates_from_published`: whether a rate is computed from the published counts
    (then it is a constraint on those, else on the true counts)."""

    name: str
    noise: int
    small_body: tuple[float, float]  # "<5" in a table's body
    small_total: tuple[float, float]  # "<5" as a total, a tile or a trend row
    rates_from_published: bool


# Today's publication before decision 0020: exact values; "<5" is 1–4, but in a table body a
# second (complementary) cell of any size may be hidden too; rates from the true counts.
EXACT_WITH_SUPPRESSION = Method("exact + <5", 0, (1, INF), (1, 4), rates_from_published=False)


def cell_key_method() -> Method:
    from .suppression import MAX_NOISE, THRESHOLD

    band = (1, THRESHOLD - 1)  # of the published value
    return Method("cell key per atom", MAX_NOISE, band, band, rates_from_published=True)


# --- the structure of the region --------------------------------------------------------------


@dataclass(frozen=True)
class Atom:
    municipality: str
    region: str
    institution: str
    location: str
    programme: str
    level: int
    programme_id: int = 0
    location_id: int = 0


@dataclass
class Region:
    atoms: list[Atom]
    scopes: list[Scope]
    months: list[
        str
    ]  # the finest periods counted: months, or semesters when months are not published
    periods: list[Period]  # every period published: years, semesters (and months)
    today: date

    @property
    def with_months(self) -> bool:
        return bool(self.months) and re.fullmatch(r"\d{4}-\d{2}", self.months[0]) is not None

    def units_of(self, period: Period) -> list[str]:
        """The finest periods a period is made of (for counts of events, which add up)."""
        if self.with_months:
            return months_of(period)
        if re.fullmatch(r"\d{4}-\d{4}", period.code):
            return [f"{period.code}-S1", f"{period.code}-S2"]
        return [period.code]

    def scope_atoms(self, scope: Scope) -> list[int]:
        kind, _sep, code = scope.key.partition(":")
        match = {
            "gemeente": lambda a: a.municipality == code,
            "regio": lambda a: a.region == code,
            "instelling": lambda a: a.institution == code,
        }[kind]
        return [i for i, a in enumerate(self.atoms) if match(a)]


def region_of(
    scopes: list[Scope], *, first_year: str, last_year: str, today: date, months: bool = False
) -> Region:
    """The atoms of the students of these populations and the periods of the school years
    from `first_year` to `last_year` (codes like 2024-2025); with `months` the months too."""
    students = Student.objects.none()
    for scope in scopes:
        students = students | scope.students
    rows = (
        students.values_list(
            "residence_municipality__cbs_code",
            "residence_municipality__rmc_region__code",
            "institution_id",
            "location__name",
            "programme__name",
            "programme__level",
            "programme_id",
            "location_id",
        )
        .distinct()
        .order_by()
    )
    atoms = sorted(
        {
            Atom(m or "", r or "", str(i), loc, p, lv, pid, lid)
            for m, r, i, loc, p, lv, pid, lid in rows
        },
        key=lambda a: (a.municipality, a.institution, a.location, a.programme, a.programme_id),
    )
    year = parse_period(first_year)
    last = parse_period(last_year)
    periods: list[Period] = []
    units: list[str] = []
    while year.start <= last.start:
        periods += [year, parse_period(f"{year.code}-S1"), parse_period(f"{year.code}-S2")]
        if not months:
            units += [f"{year.code}-S1", f"{year.code}-S2"]
        day = year.start
        while months and day <= year.end:
            code = f"{day.year}-{day.month:02d}"
            units.append(code)
            periods.append(parse_period(code))
            day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        year = parse_period(f"{year.start.year + 1}-{year.start.year + 2}")
    return Region(atoms, scopes, units, periods, today)


def months_of(period: Period) -> list[str]:
    found, day = [], period.start
    while day <= period.end:
        found.append(f"{day.year}-{day.month:02d}")
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return found


def children_of(period: Period, with_months: bool) -> list[Period]:
    """A year's semesters, a semester's months (when months are published)."""
    if re.fullmatch(r"\d{4}-\d{4}", period.code):
        return [parse_period(f"{period.code}-S1"), parse_period(f"{period.code}-S2")]
    if with_months and period.code.endswith(("-S1", "-S2")):
        return [parse_period(m) for m in months_of(period)]
    return []


# --- what is published ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One published count: the sum of a measure (or several: a total) over atoms in a period."""

    measures: tuple[str, ...]
    period: str
    atoms: tuple[int, ...]


@dataclass
class Observation:
    cell: Cell
    text: str
    total: bool  # a total, tile or trend row (not a table body)
    where: str


@dataclass
class RateObservation:
    part: Cell
    whole: Cell
    text: str
    where: str
    dash_means_small_whole: bool  # rate_text: "—" when the whole is 0 or 1–4


@dataclass
class Publication:
    counts: list[Observation] = field(default_factory=list)
    rates: list[RateObservation] = field(default_factory=list)


Builder = Callable[[Scope, Period, str | None], dash.Dashboard | dash.Table]


def _default_builder(region: Region) -> Builder:
    def build(scope: Scope, period: Period, breakdown: str | None) -> dash.Dashboard | dash.Table:
        if breakdown is None:
            return dash.build(scope.title, scope.students, period, today=region.today, draw=False)
        return dash.breakdown_table(scope.students, period, breakdown)

    return build


_TRUTH = re.compile(r"=(\d+)/(\d+)")
_RATE = re.compile(r"(<5 van \d+|\d+,\d%|—)")
_COUNT_IN_NOTE = re.compile(r"(<5|\d+) (?:studenten met een traject|beoordelingen)")


def _row_atoms(
    region: Region, scope_atoms: list[int], breakdown: str, label: str
) -> tuple[int, ...]:
    def value(a: Atom) -> str:
        return {
            "instelling": a.institution,
            "locatie": a.location,
            "niveau": LEVEL_NAMES.get(a.level, str(a.level)),
            "opleiding": a.programme,
            "gemeente": a.municipality,
            "regio": a.region,
        }[breakdown]

    return tuple(i for i in scope_atoms if value(region.atoms[i]) == label)


def collect(region: Region, build: Builder | None = None) -> Publication:
    """Every dashboard and breakdown table of every population and period, read into cells."""
    build = build or _default_builder(region)
    pub = Publication()
    labels = _breakdown_labels(region)
    for scope in region.scopes:
        atoms = region.scope_atoms(scope)
        everything = tuple(atoms)
        for period in region.periods:
            board = build(scope, period, None)
            assert isinstance(board, dash.Dashboard)  # noqa: S101
            _read_dashboard(pub, board, period, everything, f"{scope.key} {period.code}")
            for breakdown in BREAKDOWNS:
                table = build(scope, period, breakdown)
                assert isinstance(table, dash.Table)  # noqa: S101
                where = f"{scope.key} {period.code} {breakdown}"
                for row in table.rows:
                    label = labels[breakdown].get(row[0], row[0])
                    _read_breakdown_row(
                        pub, row, period, _row_atoms(region, atoms, breakdown, label), where, False
                    )
                if table.total:
                    _read_breakdown_row(pub, table.total, period, everything, where, True)
    return pub


def _breakdown_labels(region: Region) -> dict[str, dict[str, str]]:
    """Labels as printed → the value the atoms carry (the institution's name → its id)."""
    from schakelpunt.accounts.models import Organisation
    from schakelpunt.refdata.models import Municipality, RmcRegion

    institutions = {
        str(o): str(o.pk)
        for o in Organisation.objects.filter(pk__in={int(a.institution) for a in region.atoms})
    }
    municipalities = dict(Municipality.objects.values_list("name", "cbs_code"))
    regions = dict(RmcRegion.objects.values_list("name", "code"))
    return {
        "instelling": institutions,
        "gemeente": municipalities,
        "regio": regions,
        "locatie": {},
        "niveau": {},
        "opleiding": {},
    }


def _read_breakdown_row(
    pub: Publication,
    row: list[str],
    period: Period,
    atoms: tuple[int, ...],
    where: str,
    total: bool,
) -> None:
    cells = {}
    for code, text in zip(COLUMN_ORDER, row[1:6], strict=True):
        cells[code] = Cell((f"tabel:{code}",), period.code, atoms)
        pub.counts.append(Observation(cells[code], text, total, f"{where} {row[0]} {code}"))
    vsv_rate, reach_rate = row[6], row[7]
    if _TRUTH.search(vsv_rate) and _TRUTH.search(reach_rate):
        return  # built without protection: the counts are in the row already
    pub.rates.append(
        RateObservation(cells["vsv"], cells["ingeschreven"], vsv_rate, f"{where} VSV%", False)
    )
    pub.rates.append(
        RateObservation(
            cells["ondersteuning"], cells["ingeschreven"], reach_rate, f"{where} bereik%", False
        )
    )


def _read_dashboard(
    pub: Publication, board: dash.Dashboard, period: Period, atoms: tuple[int, ...], where: str
) -> None:
    if not _TIER_MEASURES:
        _fill_tier_measures()

    def cell(measure: str, code: str = period.code) -> Cell:
        return Cell((measure,), code, atoms)

    enrolled, vsv = cell("tabel:ingeschreven"), cell("tabel:vsv")
    supported, referred = cell("tabel:ondersteuning"), cell("tabel:verwezen")
    students, chronic = cell("attendance:studenten"), cell("chronic:studenten")
    waiting, within = cell("waiting:eerste contact"), cell("waiting:binnen afspraak")
    tiles = {t.label: t for t in board.tiles}

    def count(c: Cell, text: str, what: str) -> None:
        pub.counts.append(Observation(c, text.strip(), True, f"{where} {what}"))

    def rate(part: Cell, whole: Cell, text: str, what: str, dash_small: bool = True) -> None:
        if truth := _TRUTH.search(text):  # built without protection: the counts themselves
            count(part, truth.group(1), what)
            count(whole, truth.group(2), what)
            return
        found = _RATE.search(text)
        if found:
            pub.rates.append(
                RateObservation(part, whole, found.group(1), f"{where} {what}", dash_small)
            )

    count(enrolled, tiles["Ingeschreven studenten"].value, "tegel ingeschreven")
    vsv_tile = tiles["Voortijdig schoolverlaters (VSV)"]
    count(vsv, vsv_tile.value, "tegel VSV")
    rate(vsv, enrolled, vsv_tile.note, "tegel VSV%")
    reach = tiles["Bereik ondersteuning"]
    rate(supported, enrolled, reach.value, "tegel bereik")
    if m := _COUNT_IN_NOTE.search(reach.note):
        count(supported, m.group(1), "tegel met traject")
    rate(referred, supported, tiles["Verwezen naar specialistische zorg"].value, "tegel verwezen")
    rate(chronic, students, tiles["Ongeoorloofd verzuim"].note, "tegel chronisch")
    rate(within, waiting, tiles["Tot eerste contact (mediaan)"].note, "tegel binnen afspraak")
    if m := _COUNT_IN_NOTE.search(tiles["Tevredenheid studenten"].note):
        count(cell("ratings:aantal"), m.group(1), "tegel beoordelingen")

    for figure in board.figures:
        table = figure.table
        if figure.key == "trend":
            for row in table.rows:
                code = row[0]
                p_enrolled, p_vsv = cell("tabel:ingeschreven", code), cell("tabel:vsv", code)
                p_sup, p_ref = cell("tabel:ondersteuning", code), cell("tabel:verwezen", code)
                count(p_enrolled, row[1], f"trend {code} ingeschreven")
                rate(p_sup, p_enrolled, row[2], f"trend {code} bereik")
                rate(p_vsv, p_enrolled, row[3], f"trend {code} VSV")
                rate(p_ref, p_sup, row[4], f"trend {code} verwezen")
            continue
        if figure.key == "waiting":
            first, signals = table.rows
            count(waiting, first[1], "wachttijd aantal")
            rate(within, waiting, first[3], "wachttijd binnen afspraak")
            count(cell("signals:aantal"), signals[1], "signaal aantal")
            continue
        measures = tuple(f"{figure.key}:{row[0]}" for row in table.rows)
        for measure, row in zip(measures, table.rows, strict=True):
            pub.counts.append(
                Observation(cell(measure), row[1], False, f"{where} {figure.key} {row[0]}")
            )
        if table.total:
            count(Cell(measures, period.code, atoms), table.total[1], f"{figure.key} totaal")
        if figure.key == "domains":
            tiers = tuple(m for m in _TIER_MEASURES)
            rate(
                cell("many:trajecten"),
                Cell(tiers, period.code, atoms),
                figure.summary,
                "veel leefgebieden",
            )
        if figure.key == "reports":
            m = re.search(r"(<5 van \d+|\d+,\d%|—) van (<5|\d+) studenten", figure.summary)
            if m:
                count(students, m.group(2), "verzuim studenten")
                rate(chronic, students, m.group(1), "chronisch verzuim")


_TIER_MEASURES: list[str] = []


def _fill_tier_measures() -> None:
    from schakelpunt.support.models import Tier

    _TIER_MEASURES[:] = [f"tiers:{label}" for _code, label in Tier.choices]


# --- the linear programs --------------------------------------------------------------------


def _is_event(measure: str) -> bool:
    figure, _sep, rest = measure.partition(":")
    if figure == "tabel":
        return rest in EVENT_COLUMNS
    return figure in EVENT_FIGURES


class Model:
    """Variables (atoms) and linear constraints lo ≤ Σ coef·x ≤ hi."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self.index: dict[tuple[str, str, int], int] = {}
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self.period_by_code = {p.code: p for p in region.periods}
        self.known_periods = set(self.period_by_code)

    def var(self, measure: str, when: str, atom: int) -> int:
        key = (measure, when, atom)
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.index)
        return found

    def expression(self, cell: Cell) -> dict[int, float] | None:
        if cell.period not in self.known_periods:
            return None
        period = self.period_by_code[cell.period]
        terms: dict[int, float] = defaultdict(float)
        for measure in cell.measures:
            whens = self.region.units_of(period) if _is_event(measure) else [period.code]
            for when in whens:
                for atom in cell.atoms:
                    terms[self.var(measure, when, atom)] += 1.0
        return dict(terms)

    def add(self, terms: dict[int, float], lo: float, hi: float) -> None:
        if terms:
            self.rows.append((terms, lo, hi))

    def published(self, cell: Cell, noise: int) -> dict[int, float] | None:
        """The published value of a cell: the sum over its atoms of each atom's perturbed
        count (a variable within `noise` of the atom's true count, zero exactly when it is)."""
        if noise == 0:
            return self.expression(cell)
        if cell.period not in self.known_periods:
            return None
        terms: dict[int, float] = {}
        for atom in cell.atoms:
            key = ("pub:" + "+".join(cell.measures), cell.period, atom)
            fresh = key not in self.index
            y = self.var(*key)
            terms[y] = 1.0
            if fresh:
                x = self.expression(Cell(cell.measures, cell.period, (atom,))) or {}
                self.add({y: 1.0, **{k: -v for k, v in x.items()}}, -noise, noise)
                # zero stays zero: y ≥ 1 only if x ≥ 1
                self.add({y: 1.0, **{k: -(noise + 1.0) * v for k, v in x.items()}}, -INF, 0)
                # and a positive x is never published as 0: y = 0 means x = 0
                self.add({y: _ATOM_MAX, **{k: -v for k, v in x.items()}}, 0, INF)
        return terms

    def relations(self) -> None:
        """What holds between true counts whatever they are."""
        measures = {m for m, _w, _a in list(self.index) if not m.startswith("pub:")}
        atoms = range(len(self.region.atoms))
        for measure in measures:
            if _is_event(measure):
                continue
            for period in self.region.periods:
                for child_group in [children_of(period, self.region.with_months)]:
                    if not child_group:
                        continue
                    for a in atoms:
                        whole = self.var(measure, period.code, a)
                        parts = [self.var(measure, c.code, a) for c in child_group]
                        # at least each part, at most their sum
                        for p in parts:
                            if measure not in NOT_MONOTONE:
                                self.add({whole: 1.0, p: -1.0}, 0, INF)
                        if measure not in NOT_SUBADDITIVE:
                            self.add({whole: 1.0, **dict.fromkeys(parts, -1.0)}, -INF, 0)
        # One count within another, atom by atom.
        tiers = [m for m in measures if m.startswith("tiers:")]
        within = [
            ("tabel:verwezen", ["tabel:ondersteuning"]),
            ("waiting:binnen afspraak", ["waiting:eerste contact"]),
            ("chronic:studenten", ["attendance:studenten"]),
            ("many:trajecten", tiers),
            *[(m, tiers) for m in measures if m.startswith("domains:")],
        ]
        for small, bigs in within:
            if small not in measures or not bigs:
                continue
            for period in self.region.periods:
                for a in atoms:
                    terms: dict[int, float] = defaultdict(float)
                    for when in self.region.units_of(period) if _is_event(small) else [period.code]:
                        terms[self.var(small, when, a)] += 1
                    for big in bigs:
                        for when in (
                            self.region.units_of(period) if _is_event(big) else [period.code]
                        ):
                            terms[self.var(big, when, a)] -= 1
                    self.add(dict(terms), -INF, 0)
        # The reports column of the breakdown table is the sum of the reports' kinds.
        kinds = [m for m in measures if m.startswith("reports:")]
        if kinds and "tabel:meldingen" in measures:
            for month in self.region.months:
                for a in atoms:
                    terms = {self.var(k, month, a): 1.0 for k in kinds}
                    terms[self.var("tabel:meldingen", month, a)] = -1.0
                    self.add(terms, 0, 0)
        # Not used: "a leaver of the period was enrolled in it" — imported data may date an
        # enrolment after the leaving (the demo region does), so it does not always hold.


# More records than any atom holds, to say 'y = 0 only if x = 0' in a linear program.
_ATOM_MAX = 100_000.0


def _interval(text: str, total: bool, method: Method) -> tuple[float, float] | None:
    """What a published text says of the published value (with noise 0: of the truth)."""
    text = text.strip()
    if text.isdigit():
        return (int(text), int(text))
    if text == "<5":
        return method.small_total if total else method.small_body
    return None


def build_model(region: Region, pub: Publication, method: Method) -> tuple[Model, list[Cell]]:
    """The constraints; and the distinct published cells."""
    _fill_tier_measures()
    model = Model(region)
    cells: dict[Cell, None] = {}
    for obs in pub.counts:
        terms = model.published(obs.cell, method.noise)
        bounds = _interval(obs.text, obs.total, method)
        if terms is None:
            continue
        cells[obs.cell] = None
        if bounds is not None:
            model.add(terms, *bounds)
    for r in pub.rates:
        part, whole = model.published(r.part, method.noise), model.published(r.whole, method.noise)
        if part is None or whole is None:
            continue
        cells.setdefault(r.part, None)
        cells.setdefault(r.whole, None)
        _rate_constraints(model, r, part, whole, method)
    model.relations()
    for terms_ in [model.expression(c) for c in cells]:
        if terms_:
            for v in terms_:
                model.add({v: 1.0}, 0, INF)
    return model, list(cells)


def _rate_constraints(
    model: Model,
    r: RateObservation,
    part: dict[int, float],
    whole: dict[int, float],
    method: Method,
) -> None:
    """A rate of two counts (true ones, or published ones as the method says): linear in them."""
    text = r.text
    small = re.fullmatch(r"<5 van (\d+)", text)
    pct = re.fullmatch(r"(\d+),(\d)%", text)
    if small:
        model.add(part, 1, 4)
        model.add(whole, int(small.group(1)), int(small.group(1)))
    elif pct:
        value = int(pct.group(1)) + int(pct.group(2)) / 10
        lo, hi = (value - 0.05) / 100, (value + 0.05) / 100
        model.add({**part, **_scaled(whole, -lo, part)}, 0, INF)
        if value < 100 or not method.rates_from_published:  # a published part may exceed
            model.add({**part, **_scaled(whole, -hi, part)}, -INF, 0)
    elif text == "—" and r.dash_means_small_whole:
        model.add(whole, 0, 4)


def _scaled(terms: dict[int, float], factor: float, existing: dict[int, float]) -> dict[int, float]:
    return {k: existing.get(k, 0) + v * factor for k, v in terms.items()}


@dataclass
class Finding:
    cell: Cell
    true: int
    low: int
    high: int
    where: str

    @property
    def exact(self) -> bool:
        """(`low`/`high` are the tightest bounds when they are within 2 of each other; wider
        apart they may be two feasible values, which is enough to decide.)"""
        return self.low == self.high

    @property
    def nearly(self) -> bool:
        return self.high - self.low <= 2


def _components(model: Model) -> tuple[list[int], int]:
    parent = list(range(len(model.index)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for terms, _lo, _hi in model.rows:
        keys = list(terms)
        for k in keys[1:]:
            a, b = find(keys[0]), find(k)
            if a != b:
                parent[a] = b
    roots = [find(i) for i in range(len(parent))]
    return roots, len(set(roots))


class Solver:
    """The model split into independent parts; bounds of a cell from its part."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.roots, _n = _components(model)
        self.parts: dict[int, tuple[list[int], list[tuple[dict[int, float], float, float]]]] = {}
        members: dict[int, list[int]] = defaultdict(list)
        for var, root in enumerate(self.roots):
            members[root].append(var)
        rows: dict[int, list[tuple[dict[int, float], float, float]]] = defaultdict(list)
        for row in model.rows:
            rows[self.roots[next(iter(row[0]))]].append(row)
        for root, vars_ in members.items():
            self.parts[root] = (vars_, rows[root])
        self._built: dict[int, tuple[dict[int, int], dict[str, object]]] = {}
        self._witnesses: dict[int, list[np.ndarray]] = {}

    def _matrices(self, root: int) -> tuple[dict[int, int], dict[str, object]]:
        """The part's constraints as sparse matrices, built once."""
        if root in self._built:
            return self._built[root]
        vars_, rows = self.parts[root]
        local = {v: i for i, v in enumerate(vars_)}
        ub_r: list[int] = []
        ub_c: list[int] = []
        ub_v: list[float] = []
        b_ub: list[float] = []
        eq_r: list[int] = []
        eq_c: list[int] = []
        eq_v: list[float] = []
        b_eq: list[float] = []
        for terms_, lo, hi in rows:
            if lo == hi:
                for k, v in terms_.items():
                    eq_r.append(len(b_eq))
                    eq_c.append(local[k])
                    eq_v.append(v)
                b_eq.append(hi)
                continue
            for bound, sign in ((hi, 1.0), (-lo, -1.0)):
                if bound == INF:
                    continue
                for k, v in terms_.items():
                    ub_r.append(len(b_ub))
                    ub_c.append(local[k])
                    ub_v.append(sign * v)
                b_ub.append(bound)
        size = len(vars_)
        problem: dict[str, object] = {
            "A_ub": coo_matrix((ub_v, (ub_r, ub_c)), shape=(len(b_ub), size)).tocsr()
            if b_ub
            else None,
            "b_ub": b_ub or None,
            "A_eq": coo_matrix((eq_v, (eq_r, eq_c)), shape=(len(b_eq), size)).tocsr()
            if b_eq
            else None,
            "b_eq": b_eq or None,
        }
        self._built[root] = (local, problem)
        return local, problem

    def bounds(
        self, terms: dict[int, float], *, enough: int | None = None
    ) -> tuple[float, float] | None:
        """The lowest and highest value of the sum over everything feasible. With `enough`:
        stop as soon as two feasible points already found (earlier optima) differ by at least
        that many whole units — the true bounds are at least as far apart."""
        root = self.roots[next(iter(terms))]
        local, problem = self._matrices(root)
        c = np.zeros(len(local))
        for k, v in terms.items():
            c[local[k]] = v
        pool = self._witnesses.setdefault(root, [])
        if enough is not None and pool:
            values = [float(c @ x) for x in pool]
            low, high = min(values), max(values)
            if math.floor(high + 1e-6) - math.ceil(low - 1e-6) >= enough:
                return low, high
        found = []
        for sign in (1, -1):
            result = linprog(sign * c, bounds=(0, None), method="highs", **problem)
            if result.status == 3:  # unbounded
                found.append(INF if sign == -1 else 0.0)
                continue
            if result.status != 0:
                return None
            found.append(sign * result.fun)
            if len(pool) < 200:
                pool.append(result.x)
        return found[0], found[1]


def attack(
    region: Region,
    pub: Publication,
    truth: dict[Cell, int],
    method: Method,
) -> list[Finding]:
    """The bounds of every published cell whose true count is 1–4."""
    model, cells = build_model(region, pub, method)
    solver = Solver(model)
    where: dict[Cell, str] = {}
    for obs in pub.counts:
        where.setdefault(obs.cell, obs.where)
    findings = []
    for cell in cells:
        true = truth.get(cell)
        if true is None or not 1 <= true <= 4:
            continue
        terms = model.expression(cell)
        if not terms:
            continue
        found = solver.bounds(terms, enough=3)
        if found is None:
            raise AssertionError(f"the model admits no truth around {where.get(cell, cell)}")
        low = math.ceil(found[0] - 1e-6)
        high = math.floor(found[1] + 1e-6) if found[1] < INF else 10**9
        findings.append(Finding(cell, true, low, high, where.get(cell, "")))
    return findings


def measuring_truth() -> ExitStack:
    """For measuring what the attacker found, never for showing: while open, publishing gives
    the true count and a rate its two counts, so that `collect` reads the truth."""
    from unittest import mock

    from . import suppression, tables

    stack = ExitStack()
    for module in (suppression, dash, tables):
        stack.enter_context(mock.patch.object(module, "publish", len))
    stack.enter_context(mock.patch.object(suppression, "shown", str))
    stack.enter_context(mock.patch.object(dash, "shown", str))
    stack.enter_context(mock.patch.object(dash, "rate_text", lambda p, w: f"={p}/{w}"))
    stack.enter_context(mock.patch.object(tables, "rate", lambda p, w: f"={p}/{w}"))
    return stack


def exact_publication(truth_publication: Publication) -> Publication:
    """The figures as published before decision 0020 would read (exact, "<5" for 1–4), from
    the truth; rates left out (they were of the true counts, which only helps an attacker)."""
    return Publication(
        [
            Observation(o.cell, "<5" if o.text in {"1", "2", "3", "4"} else o.text, True, o.where)
            for o in truth_publication.counts
        ]
    )


def true_counts(pub_truth: Publication) -> dict[Cell, int]:
    """The true value of each cell, from a publication built without protection."""
    found: dict[Cell, int] = {}
    for obs in pub_truth.counts:
        if obs.text.strip().isdigit():
            found[obs.cell] = int(obs.text)
    return found


def check_truth_fits(
    region: Region, pub: Publication, truth: dict[Cell, int], method: Method
) -> None:
    """The model must admit the truth: the true counts as equalities are feasible."""
    model, cells = build_model(region, pub, method)
    for cell in cells:
        terms = model.expression(cell)
        if terms and cell in truth:
            model.add(terms, truth[cell], truth[cell])
    solver = Solver(model)
    for vars_, _rows in solver.parts.values():
        if solver.bounds({vars_[0]: 1.0}) is None:
            raise AssertionError("the attacker's model does not admit the true counts")


@dataclass
class Summary:
    protected: int  # published cells with a true count of 1–4
    exact: int
    nearly: int  # within ±1, the exact ones included
    examples: list[Finding]


def summarise(findings: Iterable[Finding]) -> Summary:
    found = list(findings)
    exact = [f for f in found if f.exact]
    nearly = [f for f in found if f.nearly]
    return Summary(len(found), len(exact), len(nearly), (exact or nearly)[:5])


def periods_with_data(students: QuerySet[Student], today: date) -> tuple[str, str]:
    """The first and last school year of the students' enrolments, up to today."""
    first = students.order_by("enrolled_on").values_list("enrolled_on", flat=True).first() or today
    return school_year_of(first).code, school_year_of(today).code
