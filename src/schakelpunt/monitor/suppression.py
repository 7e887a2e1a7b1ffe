"""How every count an aggregate role sees is protected (decision 0020): the cell-key method,
applied to the finest cells and added up.

- Every record (a student, a referral, a trajectory, a report, …) has a fixed random *record
  key* in [0, 2³²): an HMAC-SHA256 of its kind and id under a secret
  (`MONITOR_CELL_KEY_SECRET`, by default derived from `SECRET_KEY`).
- The students are split into *atoms*: one municipality of residence, one institution, one
  location, one programme — the finest cells of every breakdown the monitor offers. A count is
  published atom by atom: the true count of the atom plus a perturbation looked up in a fixed
  table by that count and the atom's *cell key* (the sum of its records' keys), at most
  `MAX_NOISE` either way, on average (nearly) none; zero stays zero and a count of one or more
  is never published as zero (clamping a small count to zero would tell an attacker that the
  atom holds at most `MAX_NOISE`, which pinned small counts between periods). The published count of any group is the sum of its atoms' published
  counts.
- So the same records always give the same published count (no averaging over requests), every
  table adds up, and subtracting one published count from another gives a difference of
  perturbed atoms, never a true count.
- A published count of 1–4 is shown as "<5"; rates are computed from published counts; a
  median or an average only over at least 5 records.

Every count for a municipal advisor or governance — screens, exports, reports, charts, the start
page and the funding page — passes `publish`.
"""

import hashlib
import hmac
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings

THRESHOLD = 5
# The largest perturbation of one atom's count.
MAX_NOISE = 4
# The version of the method; kept figures of another version are not shown (snapshots).
METHOD_VERSION = "cellkey-2"
_KEY_SPACE = 2**32
_COLUMNS = 256


@dataclass(frozen=True)
class Records:
    """Who a count counts: records of one kind (student, referral, trajectory, …), each with
    the student it is about. The count is their number."""

    kind: str
    rows: dict[int, int] = field(default_factory=dict)  # record id → student id

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def empty(cls, kind: str) -> "Records":
        return cls(kind, {})

    @classmethod
    def of_students(cls, pks: Iterable[int]) -> "Records":
        return cls("student", {pk: pk for pk in pks})

    @classmethod
    def grouped(cls, kind: str, rows: Iterable[tuple[str, int, int]]) -> dict[str, "Records"]:
        """(group, record id, student id) rows as records per group."""
        found: dict[str, dict[int, int]] = {}
        for group, pk, student in rows:
            found.setdefault(str(group), {})[pk] = student
        return {group: cls(kind, members) for group, members in found.items()}

    def of(self, students: Iterable[int] | set[int]) -> "Records":
        """Only the records about these students."""
        keep = students if isinstance(students, set | frozenset) else set(students)
        return Records(self.kind, {pk: s for pk, s in self.rows.items() if s in keep})

    def __or__(self, other: "Records") -> "Records":
        return Records(self.kind, {**self.rows, **other.rows})


def _secret() -> bytes:
    configured = getattr(settings, "MONITOR_CELL_KEY_SECRET", "") or ""
    if configured:
        return configured.encode()
    return hashlib.sha256(b"schakelpunt-monitor-cell-key:" + settings.SECRET_KEY.encode()).digest()


@cache
def _record_key(secret: bytes, kind: str, pk: int) -> int:
    digest = hmac.new(secret, f"{kind}:{pk}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big")


def cell_key(kind: str, pks: Iterable[int], secret: bytes | None = None) -> int:
    """The sum of the records' keys, modulo 2³²: the same records, the same key."""
    secret = secret or _secret()
    return sum(_record_key(secret, kind, pk) for pk in pks) % _KEY_SPACE


def _noise_row(count: int) -> list[int]:
    """The perturbations of a count over the columns of the table: every value from
    -MAX_NOISE to MAX_NOISE that keeps a positive count at 1 or more, the small ones more often, with
    a mean of (nearly) zero so that sums over many atoms stay right; shuffled by a fixed seed
    (the table is public; the keys are not)."""
    floor = 1 if count >= 1 else 0  # a count of one or more never becomes zero
    allowed = [e for e in range(-MAX_NOISE, MAX_NOISE + 1) if count + e >= floor]
    base = {e: MAX_NOISE + 1.0 - abs(e) for e in allowed}

    def weights(tilt: float) -> dict[int, float]:
        raw = {e: w * math.exp(tilt * e) for e, w in base.items()}
        total = sum(raw.values())
        return {e: w / total for e, w in raw.items()}

    low, high = -5.0, 5.0
    for _step in range(60):  # the tilt that makes the mean zero
        mid = (low + high) / 2
        if sum(e * w for e, w in weights(mid).items()) > 0:
            high = mid
        else:
            low = mid
    share = weights((low + high) / 2)
    columns = {e: max(1, round(w * _COLUMNS)) for e, w in share.items()}
    columns[0] += _COLUMNS - sum(columns.values())
    row = [e for e, n in sorted(columns.items()) for _i in range(n)]
    random.Random(f"schakelpunt-ptable-{count}").shuffle(row)  # noqa: S311 - a fixed public table
    return row


_TABLE = [_noise_row(n) for n in range(MAX_NOISE + 1)]


def perturbed(count: int, key: int) -> int:
    """The published value of a count with this cell key: zero stays zero."""
    if count <= 0:
        return 0
    row = _TABLE[min(count, len(_TABLE) - 1)]
    return count + row[key * _COLUMNS // _KEY_SPACE]


# Student id → atom (municipality, institution, location, programme), filled per request.
_atoms: dict[int, tuple[object, ...]] = {}
ATOM_FIELDS = ("residence_municipality_id", "institution_id", "location_id", "programme_id")


def remember_atoms(rows: Iterable[tuple[Any, ...]]) -> None:
    """Atoms read together with the students (rows of the student id, then ATOM_FIELDS), so
    that `publish` need not look them up again by id, 5,000 at a time."""
    for pk, *atom in rows:
        _atoms[pk] = tuple(atom)


def _atom_of(students: set[int]) -> dict[int, tuple[object, ...]]:
    missing = [s for s in students if s not in _atoms]
    if missing:
        from schakelpunt.students.models import Student

        for chunk in range(0, len(missing), 5000):
            for pk, *atom in Student.objects.filter(
                pk__in=missing[chunk : chunk + 5000]
            ).values_list("pk", *ATOM_FIELDS):
                _atoms[pk] = tuple(atom)
    return _atoms


def forget_atoms() -> None:
    """A student may have moved or switched programme: look their atom up afresh."""
    _atoms.clear()


def publish(records: Records) -> int:
    """The published value of a count: per atom the true count plus its perturbation, summed."""
    if not records.rows:
        return 0
    atoms = _atom_of(set(records.rows.values()))
    per_atom: dict[tuple[object, ...], list[int]] = {}
    for pk, student in records.rows.items():
        per_atom.setdefault(atoms.get(student, ()), []).append(pk)
    secret = _secret()  # once, not per atom
    return sum(
        perturbed(len(pks), cell_key(records.kind, pks, secret)) for pks in per_atom.values()
    )


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # the published count; None: not shown

    @property
    def shown(self) -> str:
        return shown(self.count)


def shown(count: int | None) -> str:
    """A published count as text: "<5" for 1–4."""
    if count is None or is_small(count):
        return f"<{THRESHOLD}"
    return str(count)


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def protect(rows: Sequence[tuple[str, Records]]) -> list[Cell]:
    """Each row's published count."""
    return [Cell(label, publish(records)) for label, records in rows]


def visible(count: int) -> int | None:
    """A published count as a number someone may read, or None when it is 1–4."""
    return None if is_small(count) else count
