"""Database upkeep that is not a migration."""

from django.db import connection


def refresh_planner_statistics() -> None:
    """Tell the query planner how big the tables are now, after the demo build and after
    every import. Without statistics SQLite may walk a whole table through the wrong index
    (issue 16); PostgreSQL's autovacuum catches up only later. SQLite: ANALYZE (exact; a
    bounded `analysis_limit` guessed one institution to be thirty) and PRAGMA optimize, about
    0.3 s on the demo region; PostgreSQL: ANALYZE (sampled) of the tables this database role
    owns; an application role that owns nothing (production) leaves it to autovacuum."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")
        elif connection.vendor == "postgresql":
            # Only the tables this role owns: PostgreSQL analyses no other (docs/configuration).
            cursor.execute(
                "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
                " WHERE tableowner = current_user AND schemaname = current_schema()"
            )
            tables = [name for (name,) in cursor.fetchall()]
            if tables:
                cursor.execute("ANALYZE " + ", ".join(tables))
