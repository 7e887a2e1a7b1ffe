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
class ChainBreak:
    """The first entry (in the order of writing) whose link does not hold."""

    entry_id: int | None
    at: datetime | None
    reason: str


@dataclass(frozen=True)
class ChainCheck:
    length: int
    last_hash: str
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def walk_chain(rows: Iterator[Mapping[str, Any]], head: tuple[int, str] | None) -> ChainCheck:
    """Walk the entries in the order they were written (by id) and compare each with the
    chain; `head` is (length, last hash) as the chain's end recorded it, None when absent.
    Reasons are Dutch: they are what `accesslog verify` tells the operator."""
    previous = GENESIS
    expected = 1
    last: Mapping[str, Any] | None = None
    for row in rows:
        if row["sequence"] != expected:
            reason = (
                "er ontbreken regels vóór deze regel, of de volgorde is veranderd"
                if row["sequence"] > expected
                else "de regel staat niet op zijn plaats"
            )
            return ChainCheck(
                expected - 1,
                previous,
                ChainBreak(
                    row["id"],
                    row["at"],
                    f"{reason} (volgnummer {row['sequence']}, verwacht {expected})",
                ),
            )
        if entry_digest(previous, row) != row["entry_hash"]:
            return ChainCheck(
                expected - 1,
                previous,
                ChainBreak(row["id"], row["at"], "de inhoud van de regel is veranderd"),
            )
        previous = row["entry_hash"]
        expected += 1
        last = row
    length = expected - 1
    if head is None:
        if length == 0:
            return ChainCheck(0, previous, None)
        return ChainCheck(
            length,
            previous,
            ChainBreak(None, None, "het vastgelegde einde van de keten ontbreekt"),
        )
    if head == (length, previous):
        return ChainCheck(length, previous, None)
    if head[0] > length:
        reason = (
            f"na deze regel ontbreken regels: de keten telde er {head[0]}, het log heeft er "
            f"{length}"
        )
    else:
        reason = "het vastgelegde einde van de keten past niet bij het log"
    return ChainCheck(
        length,
        previous,
        ChainBreak(last["id"] if last else None, last["at"] if last else None, reason),
    )
