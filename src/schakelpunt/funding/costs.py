"""What the help for a population cost over a period, and who paid: use of the services in
the sociale kaart priced at their unit costs, and the school's own support hours.

Use of a service: a referral to it whose help ran during the period (from first contact until
it ended). Per trajectory and per hour a referral counts once, in the period its help started
(hourly services at their agreed hours per trajectory); per year it counts for the share of
the year its help ran inside the period. These are estimates from agreed prices, not invoices.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from schakelpunt.monitor.indicators import enrolled_students
from schakelpunt.monitor.periods import Period
from schakelpunt.monitor.suppression import (
    ATOM_FIELDS,
    Records,
    forget_atoms,
    is_small,
    publish,
    remember_atoms,
    shown,
)
from schakelpunt.referrals.models import Referral
from schakelpunt.students.models import Student
from schakelpunt.support.models import ContactNote

from .models import ServiceFunding, SupportRate, Unit

CENT = Decimal("0.01")
# The students' atoms, read with their referrals and contacts: publishing needs not look them
# up again by id.
STUDENT_ATOM = tuple(f"student__{name}" for name in ATOM_FIELDS)
DAYS_A_YEAR = Decimal(365)


def euros(amount: Decimal | None) -> str:
    """€ 1.234,56 — as Dutch readers write it."""
    if amount is None:
        return "—"
    whole = f"{amount.quantize(CENT, ROUND_HALF_UP):,.2f}"
    return "€ " + whole.replace(",", "_").replace(".", ",").replace("_", ".")


@dataclass(frozen=True)
class Use:
    stream: str
    payer: str
    service: str
    referrals: int
    units: Decimal
    unit: str
    cost: Decimal
    records: Records | None = None  # the referrals counted


def _units(funding: ServiceFunding, started: date, ended: date | None, period: Period) -> Decimal:
    if funding.unit == Unit.YEAR:
        first = max(started, period.start)
        last = min(ended or period.end, period.end)
        return Decimal(max((last - first).days + 1, 0)) / DAYS_A_YEAR
    if not period.contains(started):
        return Decimal(0)
    if funding.unit == Unit.HOUR:
        return funding.hours_per_trajectory or Decimal(0)
    return Decimal(1)


def service_use(students: QuerySet[Student], period: Period) -> list[Use]:
    """Per funding stream and service: referrals whose help ran in the period, the units and
    the cost that falls to the stream (its share of the unit cost)."""
    referrals = list(
        Referral.objects.filter(
            student__in=students,
            service__isnull=False,
            first_contact_on__isnull=False,
            first_contact_on__lte=period.end,
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
        .values_list(
            "service_id", "first_contact_on", "ended_on", "pk", "student_id", *STUDENT_ATOM
        )
    )
    forget_atoms()
    remember_atoms((student, *atom) for _s, _f, _e, _pk, student, *atom in referrals)
    fundings: dict[int, list[ServiceFunding]] = defaultdict(list)
    for funding in ServiceFunding.objects.filter(
        service_id__in={service for service, *_rest in referrals}
    ).select_related("stream", "service"):
        fundings[funding.service_id].append(funding)
    lines: dict[tuple[int, int], list[Decimal]] = {}
    found: dict[tuple[int, int], ServiceFunding] = {}
    counted: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for service_id, started, ended, pk, student, *_atom in referrals:
        if started is None:
            continue
        for funding in fundings.get(service_id, []):
            key = (funding.stream_id, service_id)
            found[key] = funding
            counted[key][pk] = student
            counts = lines.setdefault(key, [Decimal(0), Decimal(0), Decimal(0)])
            units = _units(funding, started, ended, period)
            counts[0] += 1
            counts[1] += units
            counts[2] += units * funding.unit_cost * funding.share / 100
    return [
        Use(
            stream=found[key].stream.name,
            payer=found[key].stream.get_payer_display(),
            service=found[key].service.name,
            referrals=int(n),
            units=units.quantize(Decimal("0.1")),
            unit=found[key].get_unit_display(),
            cost=cost.quantize(CENT, ROUND_HALF_UP),
            records=Records("referral", counted[key]),
        )
        for key, (n, units, cost) in sorted(
            lines.items(), key=lambda item: (item[0][0], found[item[0]].service.name)
        )
    ]


@dataclass(frozen=True)
class UseTable:
    headings: list[str]
    rows: list[list[str]]  # stream, service, referrals, units, cost; subtotals per stream
    per_payer: list[tuple[str, str]]
    hidden: bool  # some cells were hidden: the payer totals leave them out


def _scaled(amount: Decimal, published: int, true: int) -> Decimal:
    """An amount that goes with a count, for the published count: the amount per counted
    record times the published count, so that it tells no more than the count itself."""
    if not true:
        return Decimal(0)
    return (amount * published / true).quantize(CENT, ROUND_HALF_UP)


def protected_use(uses: list[Use], headings: list[str], subtotal_label: str) -> UseTable:
    """The use table as an aggregate role may see it: every count of referrals published
    (the cell-key method, decision 0020), a stream's subtotal as a count of its own; units and
    costs for the published count (the unit cost would otherwise give the true count away),
    and only where the published count is 5 or more."""
    rows: list[list[str]] = []
    per_payer: dict[str, Decimal] = defaultdict(Decimal)
    hidden = False
    streams = list(dict.fromkeys(u.stream for u in uses))
    for stream in streams:
        group = [u for u in uses if u.stream == stream]
        everything = Records.empty("referral")
        for use in group:
            records = use.records or Records.empty("referral")
            everything = everything | records
            count = publish(records)
            readable = not is_small(count) and count > 0
            hidden = hidden or not readable
            units = Decimal(use.units) * count / use.referrals if use.referrals else Decimal(0)
            rows.append(
                [
                    stream,
                    use.service,
                    shown(count),
                    str(units.quantize(Decimal("0.1"))).replace(".", ",") if readable else "—",
                    euros(_scaled(use.cost, count, use.referrals)) if readable else "—",
                ]
            )
        total = publish(everything)
        cost = sum((u.cost for u in group), Decimal(0))
        readable_total = not is_small(total) and total > 0
        if readable_total:
            per_payer[group[0].payer] += _scaled(cost, total, len(everything))
        else:
            hidden = True
        rows.append(
            [
                stream,
                subtotal_label,
                shown(total),
                "",
                euros(_scaled(cost, total, len(everything))) if readable_total else "—",
            ]
        )
    return UseTable(
        headings, rows, [(payer, euros(amount)) for payer, amount in per_payer.items()], hidden
    )


@dataclass(frozen=True)
class InHouse:
    students: int
    contacts: int
    timed: int  # contacts with a recorded duration
    hours: Decimal
    cost: Decimal | None  # None when an institution has no hourly rate
    student_records: Records | None = None
    contact_records: Records | None = None
    timed_records: Records | None = None

    @property
    def shown(self) -> bool:
        return self.students > 0 and not is_small(self.students)


def published_in_house(own: InHouse) -> InHouse:
    """The school's own support as an aggregate role sees it: published counts, and hours and
    cost for the published number of timed contacts."""
    timed = publish(own.timed_records or Records.empty("contact"))
    return InHouse(
        students=publish(own.student_records or Records.empty("student")),
        contacts=publish(own.contact_records or Records.empty("contact")),
        timed=timed,
        hours=(own.hours * timed / own.timed).quantize(Decimal("0.1")) if own.timed else own.hours,
        cost=_scaled(own.cost, timed, own.timed)
        if own.cost is not None and own.timed
        else own.cost,
    )


def in_house_support(students: QuerySet[Student], period: Period) -> InHouse:
    """The school's own support: contacts recorded in the students' files during the period
    (up to today), their recorded time, priced at each institution's hourly rate."""
    end = min(period.end, timezone.localdate())
    rows = list(
        ContactNote.objects.filter(
            student__in=students, happened_on__gte=period.start, happened_on__lte=end
        ).values_list("student_id", "student__institution_id", "minutes", "pk", *STUDENT_ATOM)
    )
    forget_atoms()
    remember_atoms((student, *atom) for student, _i, _m, _pk, *atom in rows)
    rates = dict(SupportRate.objects.values_list("institution_id", "hourly_cost"))
    minutes_per_institution: dict[int, int] = defaultdict(int)
    for _student, institution, minutes, _pk, *_atom in rows:
        minutes_per_institution[institution] += minutes or 0
    hours = Decimal(sum(minutes_per_institution.values())) / 60
    priced = all(i in rates for i, m in minutes_per_institution.items() if m)
    cost = (
        sum(
            (Decimal(m) / 60 * rates[i] for i, m in minutes_per_institution.items() if m),
            Decimal(0),
        ).quantize(CENT, ROUND_HALF_UP)
        if priced
        else None
    )
    return InHouse(
        students=len({student for student, *_rest in rows}),
        contacts=len(rows),
        timed=len([m for _s, _i, m, *_rest in rows if m]),
        hours=hours.quantize(Decimal("0.1")),
        cost=cost,
        student_records=Records.of_students(student for student, *_rest in rows),
        contact_records=Records("contact", {pk: student for student, _i, _m, pk, *_a in rows}),
        timed_records=Records("contact", {pk: student for student, _i, m, pk, *_a in rows if m}),
    )


def residents_by_municipality(students: QuerySet[Student], period: Period) -> dict[str, int]:
    """Students enrolled in the period per municipality of residence (the contribution model's
    count), published: the same counts the monitor shows (decision 0020)."""
    forget_atoms()
    found: dict[str, dict[int, int]] = defaultdict(dict)
    for pk, name, *atom in enrolled_students(students, period).values_list(
        "pk", "residence_municipality__name", *ATOM_FIELDS
    ):
        found[name][pk] = pk
        remember_atoms([(pk, *atom)])
    return {name: publish(Records("student", rows)) for name, rows in found.items()}
