"""The access log's hash chain: every entry carries SHA-256 over its own content and the
previous entry's hash, so an entry edited, removed or moved afterwards breaks the chain
from that point on (docs/decisions/0018).

The content is hashed in a fixed, versioned form; never change `_canonical` without a new
version, or every existing chain reads as broken.
"""

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# The hash before the first entry.
GENESIS = "0" * 64
# The fields a hash covers, in this order (besides the previous hash).
CHAINED_FIELDS = (
    "sequence",
    "event_id",
    "at",
    "user_id",
    "user_display",
    "role",
    "student_id",
    "action",
    "part",
    "path",
    "kind",
    # Version 2 (issue 19) adds the processing log's fields; version 1 rows hash as before.
    "hash_version",
    "activity",
    "legal_basis",
    "on_behalf_of",
    "emergency",
)
# The version new entries are written with.
CURRENT_VERSION = 2


def _canonical(values: Mapping[str, Any]) -> str:
    at: datetime = values["at"]
    version = int(values.get("hash_version") or 1)
    row: list[Any] = [
        f"v{version}",
        int(values["sequence"]),
        str(values["event_id"]),
        at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        int(values["user_id"]),
        str(values["user_display"]),
        str(values["role"]),
        int(values["student_id"]),
        str(values["action"]),
        str(values["part"]),
        str(values["path"]),
        str(values["kind"]),
    ]
    if version >= 2:
        row += [
            str(values["activity"]),
            str(values["legal_basis"]),
            str(values["on_behalf_of"]),
            bool(values["emergency"]),
        ]
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def entry_digest(previous_hash: str, values: Mapping[str, Any]) -> str:
    """The hash of one entry, chained to the one before it."""
    data = f"{previous_hash}\n{_canonical(values)}".encode()
    return hashlib.sha256(data).hexdigest()


def entry_values(entry: object) -> dict[str, Any]:
    """The chained fields of an entry (a model instance, also a historical one without the
    fields of a later version)."""
    return {name: getattr(entry, name, None) for name in CHAINED_FIELDS}


@dataclass(frozen=True)
class Anchor:
    """Where the chain starts: the place and hash of the entry before its first row. After
    the oldest part was deleted (five years, access/retention.py) that is the last entry
    deleted; before any deletion, place 0 and GENESIS."""

    sequence: int = 0
    hash: str = GENESIS


START = Anchor()


def recorded_anchor() -> Anchor:
    """The anchor kept with the chain's end (`AccessLogChainHead`), START when absent."""
    from .models import AccessLogChainHead  # the chain itself is plain: models import it

    found = (
        AccessLogChainHead.objects.filter(pk=1)
        .values_list("anchor_sequence", "anchor_hash")
        .first()
    )
    return Anchor(*found) if found is not None else START


@dataclass(frozen=True)
class ChainBreak:
    """The first entry (in the order of writing) whose link does not hold."""

    entry_id: int | None
    at: datetime | None
    reason: str


@dataclass(frozen=True)
class ChainCheck:
    """`length` is the place of the last entry that holds (the number of entries ever
    written, when the chain is whole); `start` the place before the first entry left."""

    length: int
    last_hash: str
    broken: ChainBreak | None
    start: int = 0

    @property
    def ok(self) -> bool:
        return self.broken is None

    @property
    def entries(self) -> int:
        """How many entries the log holds up to `length` (the ones before `start` deleted)."""
        return self.length - self.start


def walk_links(
    rows: Iterator[Mapping[str, Any]], anchor: Anchor = START
) -> tuple[ChainCheck, Mapping[str, Any] | None]:
    """Check each entry's place and hash from `anchor` on, in the order given (by id);
    returns the check (broken at the first entry that does not hold) and the last entry."""
    previous = anchor.hash
    expected = anchor.sequence + 1
    last: Mapping[str, Any] | None = None
    for row in rows:
        if row["sequence"] != expected:
            if row["sequence"] <= anchor.sequence:
                reason = (
                    "de regel hoort bij het gewiste deel van de keten (gewist tot en met "
                    f"volgnummer {anchor.sequence})"
                )
            elif row["sequence"] > expected:
                reason = "er ontbreken regels vóór deze regel, of de volgorde is veranderd"
            else:
                reason = "de regel staat niet op zijn plaats"
            return ChainCheck(
                expected - 1,
                previous,
                ChainBreak(
                    row["id"],
                    row["at"],
                    f"{reason} (volgnummer {row['sequence']}, verwacht {expected})",
                ),
                anchor.sequence,
            ), last
        if entry_digest(previous, row) != row["entry_hash"]:
            return ChainCheck(
                expected - 1,
                previous,
                ChainBreak(row["id"], row["at"], "de inhoud van de regel is veranderd"),
                anchor.sequence,
            ), last
        previous = row["entry_hash"]
        expected += 1
        last = row
    return ChainCheck(expected - 1, previous, None, anchor.sequence), last


def walk_chain(
    rows: Iterator[Mapping[str, Any]],
    head: tuple[int, str] | None,
    anchor: Anchor | None = None,
) -> ChainCheck:
    """Walk the entries in the order they were written (by id) and compare each with the
    chain; `head` is (length, last hash) as the chain's end recorded it, None when absent;
    `anchor` where the chain starts (None: the one recorded with the chain's end, so a log
    whose oldest part was deleted still verifies, and only that part may be missing).
    Reasons are Dutch: they are what `accesslog verify` tells the operator."""
    if anchor is None:
        anchor = recorded_anchor()
    check, last = walk_links(rows, anchor)
    if check.broken is not None:
        return check
    length, previous = check.length, check.last_hash
    if head is None:
        if length == anchor.sequence:
            return check
        return ChainCheck(
            length,
            previous,
            ChainBreak(None, None, "het vastgelegde einde van de keten ontbreekt"),
            anchor.sequence,
        )
    if head == (length, previous):
        return check
    if head[0] > length:
        reason = (
            f"na deze regel ontbreken regels: de keten telde er {head[0] - anchor.sequence}, "
            f"het log heeft er {length - anchor.sequence}"
        )
    else:
        reason = "het vastgelegde einde van de keten past niet bij het log"
    return ChainCheck(
        length,
        previous,
        ChainBreak(last["id"] if last else None, last["at"] if last else None, reason),
        anchor.sequence,
    )
