"""Deleting the access log after five years: the one deliberate path (issue 19,
docs/decisions/0029).

Only the oldest part of the hash chain goes, a prefix by place: entries from the chain's
start up to the first entry that is younger than the cutoff. The chain's end then records
the last entry deleted as the new anchor, so `accesslog verify` starts there and still
catches every row edited, removed or moved after it. The decision log's refused attempts go
by age alone (they are not chained). Nothing younger than five years goes, whatever the
caller asks; the database's guards check the same (migration 0008), and on PostgreSQL only a
function of the tables' owner may delete at all.

For the retention job: `access_log_purge(before=day_or_moment)` deletes in one transaction
(or `limit` entries and refused attempts per call, again while `result.more`); the result
holds counts only, `result.counts` per model ("access.AccessLogEntry", ...), no names. It
raises PurgeRefused (a Dutch message) when the part to delete does not verify.

A legal hold on a student (privacy.LegalHold) keeps their rows: the purge's cutoff moves back
to the oldest row about a held student (in the log after the anchor, or in the decision log),
so the prefix ends before it and their refused attempts stay. Everything after that moment
stays too (only a prefix can go); `held_by_hold` counts the rows kept back that way. Once
the hold is lifted a later purge takes them.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from .chain import CHAINED_FIELDS, GENESIS, Anchor, walk_links
from .models import AccessDecision, AccessLogChainHead, AccessLogEntry

# NEN 7513 and the register (privacy/register.py, RETENTION[ACCESS_LOG]): at least five years.
KEEP_YEARS = 5
_HEAD = 1


class PurgeRefused(Exception):
    """The log is not deleted: the part to delete does not hold (its chain is broken)."""


@dataclass(frozen=True)
class PurgeResult:
    """What a purge deleted (or, on a dry run, would delete): counts, never names."""

    # Entries and refused attempts from before this moment went: the earlier of the moment
    # asked for and five years ago.
    cutoff: datetime
    # Access-log entries deleted (the oldest part of the chain).
    entries: int
    # Refused attempts deleted from the decision log.
    decisions: int
    # Where the chain starts afterwards (on a dry run: would start; unchanged when no entry
    # goes).
    anchor: Anchor
    # Entries older than the cutoff that stay because a younger entry precedes them in the
    # chain (only a prefix can go); a later purge takes them.
    held_back: int
    dry_run: bool
    # Whether the limit stopped it before everything due was deleted (run it again).
    more: bool = False
    # Entries and refused attempts older than the cutoff asked for that stay because of a
    # legal hold (the held student's own rows and the part of the chain after them).
    held_by_hold: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Rows deleted (or to delete) per model, as the retention run records them."""
        return {"access.AccessLogEntry": self.entries, "access.AccessDecision": self.decisions}


def _hold_start(anchor: Anchor, cutoff: datetime) -> datetime | None:
    """The moment of the oldest row, older than the cutoff, about a student with a legal
    hold: the log's entries after the anchor and the decision log's refused attempts."""
    from schakelpunt.privacy.models import LegalHold

    held = LegalHold.objects.values("student_id")
    found = [
        AccessLogEntry.objects.filter(
            sequence__gt=anchor.sequence, student_id__in=held, at__lt=cutoff
        ).aggregate(first=Min("at"))["first"],
        AccessDecision.objects.filter(student_id__in=held, at__lt=cutoff).aggregate(
            first=Min("at")
        )["first"],
    ]
    moments = [m for m in found if m is not None]
    return min(moments) if moments else None


def years_before(moment: datetime, years: int) -> datetime:
    """The same moment `years` calendar years earlier (29 February: the 28th, as
    PostgreSQL's `interval '5 years'` does)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def earliest_allowed_cutoff(now: datetime) -> datetime:
    """Five years before `now`: nothing written after this moment may be deleted."""
    return years_before(now, KEEP_YEARS)


def _now() -> datetime:
    """The moment the guards compare with: the database's clock, not the application's, so
    a clock set forward on the application's machine does not shorten the five years
    (PostgreSQL: the transaction's now(); SQLite: 'now' in UTC)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT now()")
            found: datetime = cursor.fetchone()[0]
            return found
        if connection.vendor == "sqlite":
            cursor.execute("SELECT datetime('now')")
            return datetime.fromisoformat(cursor.fetchone()[0]).replace(tzinfo=UTC)
    return timezone.now()


def _locked_head() -> AccessLogChainHead:
    """The chain's end, locked: appends and other purges wait until this one is done."""
    head = AccessLogChainHead.objects.select_for_update().filter(pk=_HEAD).first()
    if head is not None:
        return head
    # Gone only when the whole database was emptied: the chain starts where it always did.
    last = (
        AccessLogEntry.objects.order_by("-sequence").values_list("sequence", "entry_hash").first()
    )
    length, last_hash = last if last is not None else (0, GENESIS)
    AccessLogChainHead.objects.bulk_create(
        [AccessLogChainHead(pk=_HEAD, length=length, last_hash=last_hash)],
        ignore_conflicts=True,
    )
    return AccessLogChainHead.objects.select_for_update().get(pk=_HEAD)


def _prefix_end(anchor: Anchor, cutoff: datetime, limit: int | None) -> tuple[int, int | None]:
    """(the place of the last entry that may go, the place of the first younger entry):
    every entry after the anchor up to the first is older than the cutoff; the first is the
    anchor's own place when none may go, the second None when no entry is younger."""
    after = AccessLogEntry.objects.filter(sequence__gt=anchor.sequence)
    first_young = (
        after.filter(at__gte=cutoff).order_by("sequence").values_list("sequence", flat=True)
    ).first()
    old = after.filter(at__lt=cutoff)
    if first_young is not None:
        old = old.filter(sequence__lt=first_young)
    if limit is not None:
        old = old.filter(sequence__lte=anchor.sequence + limit)
    last = old.order_by("-sequence").values_list("sequence", flat=True).first()
    return (anchor.sequence if last is None else int(last)), first_young


def _check_prefix(anchor: Anchor, through: int) -> str:
    """Walk the part that is to go, from the anchor, as `accesslog verify` would: a purge
    never deletes the evidence of tampering. Returns the hash of the entry at `through`."""
    rows = (
        AccessLogEntry.objects.filter(sequence__lte=through)
        .order_by("id")
        .values("id", "entry_hash", *CHAINED_FIELDS)
    )
    check, _last = walk_links(rows.iterator(chunk_size=2000), anchor)
    if check.broken is None and check.length == through:
        return check.last_hash
    where = ""
    if check.broken is not None and check.broken.entry_id is not None:
        where = f" bij regel {check.broken.entry_id}"
    reason = check.broken.reason if check.broken is not None else "er ontbreken regels"
    raise PurgeRefused(
        f"Het toegangslog wordt niet gewist: de keten is verbroken{where}: {reason}. "
        "Zoek dat eerst uit met 'schakelpunt accesslog verify'."
    )


def _delete_sqlite(
    head: AccessLogChainHead, through: int, through_hash: str, cutoff: datetime, limit: int | None
) -> tuple[int, int]:
    """The purge on SQLite: the permit on the chain's end lets the guards allow exactly
    these rows, inside this transaction; it is cleared before the transaction ends."""
    anchor = head.anchor_sequence
    head.purge_through, head.purge_before = through, cutoff
    head.save(update_fields=["purge_through", "purge_before"])
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM access_accesslogentry WHERE sequence > %s AND sequence <= %s",
            [anchor, through],
        )
        entries = cursor.rowcount if through > anchor else 0
        cursor.execute(
            "DELETE FROM access_accessdecision WHERE id IN (SELECT id FROM access_accessdecision"
            " WHERE at < %s ORDER BY at, id LIMIT %s)",
            [connection.ops.adapt_datetimefield_value(cutoff), -1 if limit is None else limit],
        )
        decisions = cursor.rowcount
    if through > anchor:
        head.anchor_sequence, head.anchor_hash = through, through_hash
    head.purge_through, head.purge_before = 0, None
    head.save(update_fields=["anchor_sequence", "anchor_hash", "purge_through", "purge_before"])
    return entries, decisions


def _delete_postgresql(through: int, cutoff: datetime, limit: int | None) -> tuple[int, int]:
    """The purge on PostgreSQL: the owner's function, the only thing allowed to delete."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM access_log_purge(%s, %s, %s)", [through, cutoff, limit])
        entries, decisions, _sequence, _hash = cursor.fetchone()
    return int(entries), int(decisions)


def access_log_purge(
    *, before: datetime | date, dry_run: bool = False, limit: int | None = None
) -> PurgeResult:
    """Delete the access log's entries and refused attempts from before `before` (a moment,
    or a day: its start in the local time zone), but never anything younger than five years;
    of the hash chain only its oldest part (up to the first younger entry). `limit` caps the
    entries and the refused attempts deleted in this call (`more` says whether to call
    again); `dry_run` counts without deleting. Raises PurgeRefused when the part to delete
    does not verify. The chain's end stays locked until the transaction ends: appends wait."""
    if not isinstance(before, datetime):
        before = timezone.make_aware(datetime.combine(before, time.min))
    if timezone.is_naive(before):
        raise ValueError("before must be an aware datetime")
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    with transaction.atomic():
        head = _locked_head()
        anchor = Anchor(head.anchor_sequence, head.anchor_hash)
        cutoff = min(before, earliest_allowed_cutoff(_now()))
        held_from = _hold_start(anchor, cutoff)
        held_by_hold = 0
        if held_from is not None:
            # What would have gone without the hold, minus what goes with it.
            unheld, _young = _prefix_end(anchor, cutoff, None)
            unheld_decisions = AccessDecision.objects.filter(at__lt=cutoff).count()
            cutoff = held_from
            kept, _young = _prefix_end(anchor, cutoff, None)
            held_by_hold = (unheld - kept) + (
                unheld_decisions - AccessDecision.objects.filter(at__lt=cutoff).count()
            )
        through, first_young = _prefix_end(anchor, cutoff, limit)
        through_hash = _check_prefix(anchor, through) if through > anchor.sequence else anchor.hash
        due_decisions = AccessDecision.objects.filter(at__lt=cutoff).count()
        decisions = due_decisions if limit is None else min(limit, due_decisions)
        entries = through - anchor.sequence
        if not dry_run:
            if connection.vendor == "postgresql":
                entries, decisions = _delete_postgresql(through, cutoff, limit)
            else:
                entries, decisions = _delete_sqlite(head, through, through_hash, cutoff, limit)
        if entries:
            anchor = Anchor(through, through_hash)
        old = AccessLogEntry.objects.filter(at__lt=cutoff)
        # The limit stopped it when the next entry could have gone too.
        more = due_decisions > decisions or (
            limit is not None and old.filter(sequence=through + 1).exists()
        )
        held_back = 0 if first_young is None else old.filter(sequence__gt=first_young).count()
    return PurgeResult(
        cutoff=cutoff,
        entries=entries,
        decisions=decisions,
        anchor=anchor,
        held_back=held_back,
        dry_run=dry_run,
        more=more,
        held_by_hold=held_by_hold,
    )
