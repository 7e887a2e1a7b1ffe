"""The one deliberate path that changes the role grants' append-only log (migration 0012):
when a student is deleted after their retention period, the grants given to their account
and to an anonymised parent's account go (also refused invitations to those addresses), an
anonymised person's name as the one who gave a role becomes "[verwijderd]", and the student's
number is taken out of the texts of the school's other grants. Other people's grants stay.
Call inside the deletion's transaction (privacy/retention.py `delete_student`)."""

import re
from collections.abc import Iterable

from django.db import connection, transaction

ERASED = "[verwijderd]"
_NUMBER = re.compile(r"[0-9A-Za-z]+")


def _number_pattern(number: str) -> re.Pattern[str]:
    return re.compile(rf"(^|[^0-9A-Za-z]){re.escape(number)}($|[^0-9A-Za-z])")


def role_grants_erase(
    *, user_ids: Iterable[int], emails: Iterable[str], organisation_id: int, student_number: str
) -> tuple[int, int]:
    """(grants deleted, grants whose texts were redacted)."""
    ids = sorted({int(i) for i in user_ids})
    addresses = sorted({e.strip().lower() for e in emails if e and e.strip()})
    number = student_number if _NUMBER.fullmatch(student_number or "") else ""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT * FROM accounts_rolegrant_erase(%s::bigint[], %s::text[], %s, %s)",
                [ids, addresses, organisation_id, number],
            )
            deleted, redacted = cursor.fetchone()
            return int(deleted), int(redacted)
        # SQLite has no roles: the permit row is what the triggers read; it exists only
        # inside this transaction.
        cursor.execute("INSERT INTO accounts_rolegrant_permit (txid) VALUES (1)")
        try:
            deleted = redacted = 0
            if ids:
                marks = ", ".join(["%s"] * len(ids))
                cursor.execute(
                    f"DELETE FROM accounts_rolegrant WHERE grantee_id IN ({marks})",  # noqa: S608
                    ids,
                )
                deleted += cursor.rowcount
                cursor.execute(
                    "UPDATE accounts_rolegrant SET actor_display = %s "  # noqa: S608
                    f"WHERE actor_id IN ({marks}) AND actor_display <> %s",
                    [ERASED, *ids, ERASED],
                )
                redacted += cursor.rowcount
            if addresses:
                marks = ", ".join(["%s"] * len(addresses))
                cursor.execute(
                    "DELETE FROM accounts_rolegrant WHERE grantee_id IS NULL "  # noqa: S608
                    f"AND lower(grantee_email) IN ({marks})",
                    addresses,
                )
                deleted += cursor.rowcount
            if number:
                pattern = _number_pattern(number)
                cursor.execute(
                    "SELECT id, scope_display, reason FROM accounts_rolegrant "
                    "WHERE organisation_id = %s AND (instr(scope_display, %s) > 0 "
                    "OR instr(reason, %s) > 0)",
                    [organisation_id, number, number],
                )
                for pk, scope, reason in cursor.fetchall():
                    new_scope = pattern.sub(rf"\g<1>{ERASED}\g<2>", scope)
                    new_reason = pattern.sub(rf"\g<1>{ERASED}\g<2>", reason)
                    if (new_scope, new_reason) != (scope, reason):
                        cursor.execute(
                            "UPDATE accounts_rolegrant SET scope_display = %s, reason = %s "
                            "WHERE id = %s",
                            [new_scope, new_reason, pk],
                        )
                        redacted += 1
        finally:
            cursor.execute("DELETE FROM accounts_rolegrant_permit")
    return deleted, redacted
