"""The application's own database role on PostgreSQL: it works with every table but owns
none, so it cannot truncate the access log, nor drop or disable its triggers
(docs/configuration.md, docs/decisions/0018). It deletes the log's part older than five years
only through the owner's function `access_log_purge` (access/retention.py, decision 0029),
and cannot write the chain's start nor the permit that function sets."""

import re

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

from .models import AccessDecision, AccessLogChainHead, AccessLogEntry

# What the access log's rows allow the application: read and add, nothing else.
LOG_PRIVILEGES = "SELECT, INSERT"
# What the application may move at the chain's end: the end itself, not its start (anchor)
# nor the purge's permit, which only the owner's function writes.
HEAD_COLUMNS = ("length", "last_hash")
# The one way to delete the log (migration 0008): run as the tables' owner.
PURGE_FUNCTION = "access_log_purge(bigint, timestamp with time zone, bigint)"
# The one way to change the role grants' log when a student is deleted (accounts 0012).
GRANT_ERASE_FUNCTION = "accounts_rolegrant_erase(bigint[], text[], bigint, text)"
GRANT_PERMIT = "accounts_rolegrant_permit"
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def app_role_statements(role: str) -> list[str]:
    """The grants that give `role` ordinary work on every table of the schema, and only
    read and add on the access log (its chain's end may move, never disappear nor start
    elsewhere); deleting the log's part older than five years goes through the owner's
    function."""
    if not ROLE_NAME.fullmatch(role):
        raise ValueError(role)
    quote = connection.ops.quote_name
    who = quote(role)
    log = quote(AccessLogEntry._meta.db_table)
    head = quote(AccessLogChainHead._meta.db_table)
    refusals = quote(AccessDecision._meta.db_table)
    return [
        f"GRANT USAGE ON SCHEMA public TO {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {who}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}",
        f"REVOKE ALL ON {log} FROM {who}",
        f"GRANT {LOG_PRIVILEGES} ON {log} TO {who}",
        f"REVOKE ALL ON {refusals} FROM {who}",
        f"GRANT {LOG_PRIVILEGES} ON {refusals} TO {who}",
        f"REVOKE DELETE, UPDATE ON {head} FROM {who}",
        f"GRANT UPDATE ({', '.join(quote(c) for c in HEAD_COLUMNS)}) ON {head} TO {who}",
        f"GRANT EXECUTE ON FUNCTION {PURGE_FUNCTION} TO {who}",
        # The role grants' log (accounts migration 0012): read the erasure's permit, never
        # write it; erase only through the owner's function.
        f"REVOKE ALL ON {GRANT_PERMIT} FROM {who}",
        f"GRANT SELECT ON {GRANT_PERMIT} TO {who}",
        f"GRANT EXECUTE ON FUNCTION {GRANT_ERASE_FUNCTION} TO {who}",
    ]


def app_role_grant(role: str) -> list[str]:
    """Run the grants as the tables' owner (after every `migrate`); returns what ran."""
    if connection.vendor != "postgresql":
        raise ImproperlyConfigured("Database roles exist only on PostgreSQL.")
    statements = app_role_statements(role)
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements
