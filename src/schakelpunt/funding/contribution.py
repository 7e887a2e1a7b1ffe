"""The contribution model: who pays how much of a shared budget.

Two ways the seeds describe: a budget shared between partners (for example a third each by
the municipalities, the health insurer and the school), with the municipalities' part divided
by their resident students; or a fixed amount per resident student per year. Amounts are in
whole cents and always add up to the budget exactly (largest remainder).
"""

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from schakelpunt.monitor.suppression import THRESHOLD

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class ContributionError(ValueError):
    pass


def share_out(amount: Decimal, weights: list[Decimal | int]) -> list[Decimal]:
    """Divide an amount in cents over weights; the cents left over go to the largest
    remainders, so the parts add up to the amount exactly."""
    total = sum(Decimal(w) for w in weights)
    if not total:
        return [Decimal(0) for _w in weights]
    exact = [amount * Decimal(w) / total for w in weights]
    parts = [e.quantize(CENT, ROUND_DOWN) for e in exact]
    left = int(((amount - sum(parts)) / CENT).to_integral_value())
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += CENT
    return parts


@dataclass(frozen=True)
class Line:
    label: str
    students: str  # grouped so that no line is small; "<5" only when all of them are
    amount: Decimal


@dataclass(frozen=True)
class Split:
    partners: list[tuple[str, Decimal]]  # municipalities together, insurer, school
    municipalities: list[Line]
    per_student: Decimal | None
    total: Decimal


def group_small(residents: dict[str, int], others_label: str) -> list[tuple[str, int]]:
    """Municipalities with fewer than 5 resident students go together under `others_label`;
    while that group itself counts fewer than 5, the smallest other municipality joins it, so
    that no amount (which is a count times a rate) tells a small number."""
    shown = sorted(((n, name) for name, n in residents.items() if n >= THRESHOLD), reverse=True)
    grouped = sum(n for n in residents.values() if 0 < n < THRESHOLD)
    while 0 < grouped < THRESHOLD and shown:
        n, _name = shown.pop()
        grouped += n
    lines = [(name, n) for n, name in shown]
    if grouped:
        lines.append((others_label, grouped))
    return lines


def split_budget(
    budget: Decimal,
    shares: dict[str, Decimal],
    residents: dict[str, int],
    *,
    municipalities_label: str,
    others_label: str,
) -> Split:
    """`shares`: partner → percentage (the municipalities under `municipalities_label`),
    together 100."""
    if budget < 0:
        raise ContributionError("budget")
    if sum(shares.values()) != HUNDRED or any(s < 0 for s in shares.values()):
        raise ContributionError("shares")
    budget = budget.quantize(CENT)
    names = list(shares)
    parts = share_out(budget, [shares[n] for n in names])
    partners = list(zip(names, parts, strict=True))
    municipal = dict(partners).get(municipalities_label, Decimal(0))
    lines = group_small(residents, others_label)
    amounts = share_out(municipal, [n for _label, n in lines])
    students = sum(n for _label, n in lines)
    return Split(
        partners,
        [Line(label, _count(n), a) for (label, n), a in zip(lines, amounts, strict=True)],
        (municipal / students).quantize(CENT) if students >= THRESHOLD else None,
        budget,
    )


def _count(n: int) -> str:
    return f"<{THRESHOLD}" if n < THRESHOLD else str(n)


def per_student(rate: Decimal, residents: dict[str, int], *, others_label: str) -> Split:
    """A fixed amount per resident student per year."""
    if rate < 0:
        raise ContributionError("rate")
    rate = rate.quantize(CENT)
    grouped = group_small(residents, others_label)
    if sum(n for _label, n in grouped) < THRESHOLD:
        # Fewer than five students in all: an amount would tell how many.
        zero = Decimal(0)
        return Split([], [Line(label, _count(n), zero) for label, n in grouped], rate, zero)
    lines = [Line(label, str(n), rate * n) for label, n in grouped]
    total = sum((line.amount for line in lines), Decimal(0))
    return Split([], lines, rate, total)
