"""The access log is deleted only after five years, only its oldest part, and only by the
deliberate purge (access/retention.py): `accesslog verify` still holds afterwards and still
names every row edited, removed or moved later; every other DELETE, UPDATE and TRUNCATE is
still refused by the database, on SQLite and on PostgreSQL."""

import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from tests.log_guards import log_guards_off

from schakelpunt.access.management.commands import accesslog
from schakelpunt.access.models import (
    AccessDecision,
    AccessLogChainHead,
    AccessLogEntry,
    AppendOnlyError,
)
from schakelpunt.access.parts import Action, Part
from schakelpunt.access.retention import PurgeRefused, access_log_purge, years_before
from schakelpunt.access.services import access_log_record
from schakelpunt.privacy.register import Activity

NOW = timezone.now()


def years_ago(years: int, days: int = 0) -> datetime:
    return years_before(NOW, years) - timedelta(days=days)


def read(world, at: datetime, count: int = 1) -> list[AccessLogEntry]:
    """`count` visits by the coach at `at`, two parts each: two chained rows per visit."""
    with time_machine.travel(at, tick=False):
        for _ in range(count):
            access_log_record(
                actor=world.users["coach"],
                students=[world.students["t1"]],
                action=Action.VIEW,
                parts=[Part.IDENTITY, Part.CONTACT],
                role="coach",
                activity=Activity.SUPPORT,
            )
    return list(AccessLogEntry.objects.order_by("sequence"))


def refused(world, at: datetime) -> AccessDecision:
    decision = AccessDecision(
        at=at,
        user=world.users["coach"],
        user_display="Coach",
        role="coach",
        student_id=world.students["t2"].pk,
        action=Action.VIEW,
        part=Part.IDENTITY,
    )
    decision.save()
    return decision


def verify() -> str:
    out = io.StringIO()
    call_command("accesslog", "verify", stdout=out)
    return out.getvalue()


def broken() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("accesslog", "verify", stdout=io.StringIO())
    return str(failure.value)


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("accesslog", *args, stdout=out)
    return out.getvalue()


def raw(sql: str, params: list[object] | None = None) -> None:
    """As the tables' owner would, past the ORM: each statement in its own savepoint."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own inserts first
        cursor.execute(sql, params)


def tamper(sql: str, params: list[object]) -> None:
    with log_guards_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def sequences() -> list[int]:
    return list(AccessLogEntry.objects.order_by("sequence").values_list("sequence", flat=True))


@pytest.mark.outside_clock  # the database's clock decides
def test_entries_and_refusals_older_than_five_years_are_deleted_and_counted(world):
    read(world, years_ago(7), count=2)
    read(world, years_ago(6))
    read(world, years_ago(4))
    rows = read(world, NOW)
    first = rows[0].sequence
    old_refusals = [refused(world, years_ago(6)), refused(world, years_ago(5, days=1))]
    young_refusal = refused(world, years_ago(4))

    result = access_log_purge(before=NOW)

    assert (result.entries, result.decisions, result.held_back) == (6, 2, 0)
    assert result.anchor.sequence == first + 5
    assert result.anchor.hash == rows[5].entry_hash
    assert sequences() == [r.sequence for r in rows[6:]]
    assert all(r.at >= years_ago(5) for r in AccessLogEntry.objects.all())
    assert list(AccessDecision.objects.values_list("pk", flat=True)) == [young_refusal.pk]
    assert not AccessDecision.objects.filter(pk__in=[d.pk for d in old_refusals]).exists()
    head = AccessLogChainHead.objects.get()
    assert (head.anchor_sequence, head.anchor_hash) == (first + 5, rows[5].entry_hash)
    assert (head.purge_through, head.purge_before) == (0, None)  # the permit is gone again
    assert (
        f"Toegangslog in orde: 4 regels (volgnummer {first + 6} tot en met {first + 9}; "
        f"de {first + 5} oudste zijn na 5 jaar gewist)" in verify()
    )


@pytest.mark.outside_clock
def test_nothing_younger_than_five_years_goes_even_when_asked(world):
    read(world, years_ago(5, days=-1))  # five years ago tomorrow
    read(world, NOW)
    refused(world, years_ago(4))

    result = access_log_purge(before=(NOW + timedelta(days=400)).date())  # a day will do

    assert (result.entries, result.decisions) == (0, 0)
    assert abs(result.cutoff - years_ago(5)) < timedelta(minutes=5)
    assert AccessLogEntry.objects.count() == 4
    assert AccessDecision.objects.count() == 1
    assert "Toegangslog in orde: 4 regels," in verify()


def test_a_clock_set_forward_does_not_shorten_the_five_years(world):
    """The database's clock decides, not the application's."""
    read(world, years_ago(4))
    refused(world, years_ago(4))
    with time_machine.travel(NOW + timedelta(days=3 * 365), tick=False):
        result = access_log_purge(before=timezone.now())
    assert (result.entries, result.decisions) == (0, 0)
    assert AccessLogEntry.objects.count() == 2
    assert AccessDecision.objects.count() == 1


def test_only_the_oldest_part_of_the_chain_goes(world):
    """An old entry written after a younger one (a clock set back) waits: only a prefix of
    the chain can go, so a purge can never cut a row out of the middle."""
    read(world, years_ago(8))
    read(world, years_ago(4))
    rows = read(world, years_ago(7))

    result = access_log_purge(before=NOW)

    assert (result.entries, result.held_back) == (2, 2)
    assert sequences() == [r.sequence for r in rows[2:]]
    assert "Toegangslog in orde: 4 regels" in verify()


def test_a_dry_run_counts_what_a_purge_deletes_and_deletes_nothing(world):
    rows = read(world, years_ago(6), count=3)
    read(world, NOW)
    refused(world, years_ago(6))
    head_before = AccessLogChainHead.objects.values().get()

    trial = access_log_purge(before=NOW, dry_run=True)

    assert (trial.entries, trial.decisions, trial.dry_run) == (6, 1, True)
    assert trial.anchor.sequence == rows[5].sequence  # where the chain would start
    assert AccessLogEntry.objects.count() == 8
    assert AccessDecision.objects.count() == 1
    assert AccessLogChainHead.objects.values().get() == head_before
    assert "Toegangslog in orde: 8 regels," in verify()

    done = access_log_purge(before=NOW)
    assert (done.entries, done.decisions, done.anchor) == (6, 1, trial.anchor)


def test_a_second_purge_continues_from_the_anchor(world):
    read(world, years_ago(9))
    read(world, years_ago(7))
    rows = read(world, years_ago(6), count=2)
    read(world, NOW)

    first = access_log_purge(before=years_ago(8))
    assert first.entries == 2
    assert "Toegangslog in orde: 8 regels" in verify()

    # In steps of three: the limit stops it, and the next call goes on where it stopped.
    steps = [access_log_purge(before=NOW, limit=3) for _ in range(3)]
    assert [(s.entries, s.more) for s in steps] == [(3, True), (3, False), (0, False)]
    assert steps[1].anchor.sequence == rows[7].sequence
    assert AccessLogEntry.objects.count() == 2
    assert "Toegangslog in orde: 2 regels" in verify()
    # A new entry continues the chain as ever.
    read(world, NOW)
    assert "Toegangslog in orde: 4 regels" in verify()


def test_after_a_purge_an_edited_removed_or_moved_row_still_shows(world):
    read(world, years_ago(7), count=2)
    rows = read(world, NOW, count=4)[4:]
    access_log_purge(before=NOW)
    assert "Toegangslog in orde: 8 regels" in verify()

    tamper("UPDATE access_accesslogentry SET user_display = %s WHERE id = %s", ["X", rows[3].pk])
    assert f"bij regel {rows[3].pk} " in broken()
    assert "de inhoud van de regel is veranderd" in broken()
    assert "De 3 regels daarvoor zijn in orde." in broken()
    tamper(
        "UPDATE access_accesslogentry SET user_display = %s WHERE id = %s",
        [rows[3].user_display, rows[3].pk],
    )
    assert "Toegangslog in orde: 8 regels" in verify()

    # The first row after the anchor removed: a purge cannot be faked by deleting.
    tamper("DELETE FROM access_accesslogentry WHERE id = %s", [rows[0].pk])
    message = broken()
    assert f"bij regel {rows[1].pk} " in message
    assert "er ontbreken regels vóór deze regel" in message


def test_a_row_removed_in_the_middle_after_a_purge_is_named(world):
    read(world, years_ago(7))
    rows = read(world, NOW, count=3)[2:]
    access_log_purge(before=NOW)
    tamper("DELETE FROM access_accesslogentry WHERE id = %s", [rows[2].pk])
    message = broken()
    assert f"bij regel {rows[3].pk} " in message
    assert f"(volgnummer {rows[3].sequence}, verwacht {rows[2].sequence})" in message


def test_after_a_purge_rows_moved_or_put_back_before_the_start_are_named(world):
    read(world, years_ago(7))
    rows = read(world, NOW, count=3)[2:]
    anchor = access_log_purge(before=NOW).anchor.sequence

    # Two rows change place: the first one out of order names the move.
    first, second = rows[1], rows[2]
    tamper("UPDATE access_accesslogentry SET sequence = 0 WHERE id = %s", [first.pk])
    tamper(
        "UPDATE access_accesslogentry SET sequence = %s WHERE id = %s",
        [first.sequence, second.pk],
    )
    tamper(
        "UPDATE access_accesslogentry SET sequence = %s WHERE id = %s",
        [second.sequence, first.pk],
    )
    message = broken()
    assert f"bij regel {first.pk} " in message
    assert f"de volgorde is veranderd (volgnummer {second.sequence}" in message

    # A row given a place in the deleted part (as if put back) is named as such.
    for row, place in ((second, 0), (first, first.sequence), (second, second.sequence)):
        tamper("UPDATE access_accesslogentry SET sequence = %s WHERE id = %s", [place, row.pk])
    assert "Toegangslog in orde: 6 regels" in verify()
    tamper("UPDATE access_accesslogentry SET sequence = %s WHERE id = %s", [anchor, rows[0].pk])
    message = broken()
    assert f"bij regel {rows[0].pk} " in message
    assert f"hoort bij het gewiste deel van de keten (gewist tot en met volgnummer {anchor})" in (
        message
    )


def test_a_broken_part_is_not_deleted_so_the_evidence_stays(world):
    rows = read(world, years_ago(7), count=2)
    tamper("UPDATE access_accesslogentry SET user_display = %s WHERE id = %s", ["X", rows[1].pk])

    with pytest.raises(PurgeRefused, match=f"verbroken bij regel {rows[1].pk}"):
        access_log_purge(before=NOW)
    assert AccessLogEntry.objects.count() == 4
    with pytest.raises(CommandError, match="wordt niet gewist"):
        command("purge", "--before", f"{NOW:%Y-%m-%d}", "--dry-run")


def test_every_other_delete_update_and_truncate_is_still_refused(world):
    read(world, years_ago(7))  # old enough: only the purge's permit is missing
    old = refused(world, years_ago(7))

    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessDecision.objects.filter(pk=old.pk).delete()
    attempts = [
        "DELETE FROM access_accesslogentry",
        "UPDATE access_accesslogentry SET path = 'x'",
        "DELETE FROM access_accessdecision",
        "UPDATE access_accessdecision SET path = 'x'",
    ]
    if connection.vendor == "postgresql":
        attempts += ["TRUNCATE access_accesslogentry", "TRUNCATE access_accessdecision"]
    for sql in attempts:
        with pytest.raises(IntegrityError, match="append-only"):
            raw(sql)
    # Who writes the permit by hand still cannot delete what is younger than five years.
    read(world, NOW)
    young = refused(world, NOW)
    AccessLogChainHead.objects.filter(pk=1).update(
        purge_through=10**9, purge_before=NOW + timedelta(days=1)
    )
    with pytest.raises(IntegrityError, match="append-only"):
        raw("DELETE FROM access_accesslogentry WHERE at > %s", [years_ago(1)])
    with pytest.raises(IntegrityError, match="append-only"):
        raw("DELETE FROM access_accessdecision WHERE id = %s", [young.pk])
    assert AccessLogEntry.objects.count() == 4
    assert AccessDecision.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the owner's function")
def test_the_owners_function_deletes_no_younger_row_and_no_gap(world):
    """Called directly (as the application's role may), the function checks for itself."""
    rows = read(world, years_ago(7)) + read(world, NOW)[2:]
    last = rows[-1].sequence
    with pytest.raises(IntegrityError, match="kept for five years"):
        raw("SELECT * FROM access_log_purge(%s, %s, NULL)", [last, NOW])
    with pytest.raises(IntegrityError, match="whole prefix"):
        raw("SELECT * FROM access_log_purge(%s, %s, NULL)", [last + 5, NOW])
    assert AccessLogEntry.objects.count() == 4


def test_the_command_counts_and_deletes_in_dutch(world, monkeypatch):
    monkeypatch.setattr(accesslog, "PURGE_BATCH", 3)  # two batches: three entries, then one
    read(world, years_ago(6), count=2)
    read(world, NOW)
    refused(world, years_ago(6))
    day = f"{NOW:%Y-%m-%d}"

    trial = command("purge", "--before", day, "--dry-run")
    assert "Proef, er is niets gewist: 4 regels van het toegangslog en 1 geweigerde pogingen" in (
        trial
    )
    assert "wordt minstens 5 jaar bewaard" in trial
    assert AccessLogEntry.objects.count() == 6

    done = command("purge", "--before", day)
    assert "Gewist: 4 regels van het toegangslog en 1 geweigerde pogingen" in done
    assert "De keten begint nu na volgnummer" in done
    assert AccessLogEntry.objects.count() == 2
    assert "Toegangslog in orde: 2 regels" in verify()

    with pytest.raises(CommandError, match="tot welke dag"):
        command("purge")
    with pytest.raises(CommandError, match="geen datum"):
        command("purge", "--before", "03-12-2021")


@pytest.mark.django_db(transaction=True)
def test_a_purge_commits_on_its_own_and_the_test_database_still_empties(refdata):
    """Outside a test's transaction, as in production: the purge commits with its permit
    cleared, and afterwards the test runner still empties both logs (tests/log_guards.py)."""
    from tests.world import build_world

    world = build_world()
    read(world, years_ago(7))
    read(world, NOW)
    refused(world, years_ago(7))
    refused(world, NOW)

    result = access_log_purge(before=NOW)

    assert (result.entries, result.decisions) == (2, 1)
    assert AccessLogChainHead.objects.values_list("purge_through", "purge_before").get() == (
        0,
        None,
    )
    assert "Toegangslog in orde: 2 regels" in verify()
