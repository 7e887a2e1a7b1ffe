"""Every new migration only expands the schema, so `schakelpunt migrate` can run while the old
version still serves (docs/deployment.md, "Release order"): the old code must keep working on
the new schema. Removing, renaming or tightening comes in a later release, after every process
runs the code that no longer needs it — and is then listed in CONTRACTING with its reason and
release. Migrations made before this check are grandfathered by name in BASELINE.
"""

import inspect
import re
from collections.abc import Callable, Iterable

import pytest
from django.db import migrations, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ModelState, ProjectState

# (app, migration) -> (why the contraction is safe now, the release it belongs to).
CONTRACTING: dict[tuple[str, str], tuple[str, str]] = {}

# Every migration that existed when the check came in (issue 20); never add to this list.
BASELINE = frozenset(
    [
        "access.0001_initial",
        "access.0002_initial",
        "access.0003_access_log_append_only_guard",
        "access.0004_access_log_kind_and_hash_chain",
        "access.0005_access_log_chain_existing_entries",
        "access.0006_access_log_guards_refuse_delete_and_truncate",
        "access.0007_processing_log_and_decision_log",
        "access.0008_access_log_purge_after_five_years",
        "accounts.0001_initial",
        "accounts.0002_membership_created_by",
        "accounts.0003_import_jobs_absence_officer",
        "accounts.0004_membership_emergency_sharing",
        "accounts.0005_role_grants_setup_codes_managed_organisations",
        "accounts.0006_role_grant_append_only_guard",
        "accounts.0007_institution_ended_parent_role",
        "accounts.0008_role_grant_ended_suspended_restored",
        "accounts.0009_role_grant_second_factor_reset",
        "accounts.0010_api_clients_identity_providers",
        "accounts.0011_identity_provider_second_factor",
        "accounts.0012_role_grant_erasure_for_deleted_students",
        "directory.0001_initial",
        "directory.0002_age_range_message",
        "directory.0003_organisation_version",
        "events.0001_subscriptions_and_deliveries",
        "events.0002_subscription_sequence",
        "funding.0001_initial",
        "funding.0002_standard_streams",
        "meetings.0001_initial",
        "meetings.0002_minutes_per_agenda_item",
        "meetings.0003_meetings_held_before_they_began_are_planned",
        "monitor.0001_initial",
        "notifications.0001_initial",
        "privacy.0001_initial",
        "refdata.0001_initial",
        "refdata.0002_load_reference_data",
        "refdata.0003_regional_holidays",
        "refdata.0004_load_school_holidays",
        "referrals.0001_initial",
        "referrals.0002_referral_lifecycle",
        "referrals.0003_adulthood_transition",
        "signals.0001_initial",
        "signals.0002_absence_records_holidays",
        "signals.0003_concerns",
        "signals.0004_import_jobs_absence_officer",
        "signals.0005_signal_settings_early_warning",
        "signals.0006_import_status_signals",
        "signals.0007_follow_up",
        "signals.0008_signal_quality",
        "signals.0009_stricter_defaults",
        "signals.0010_concern_about_absence",
        "signals.0011_concern_held_back_from_student",
        "signals.0012_concern_trajectory",
        "signals.0013_report_threshold_calendar_version",
        "signals.0014_school_holiday_replaces",
        "signals.0015_holiday_region_not_chosen_yet",
        "signals.0016_morning_run",
        "signals.0017_absence_partitioned_by_school_year",
        "students.0001_initial",
        "students.0002_student_name_prefix",
        "students.0003_student_bsn",
        "students.0004_guardian",
        "students.0005_left_without_basic_qualification_index",
        "students.0006_basic_qualification_on_parent_accounts",
        "students.0007_guardian_adult_involves_parent",
        "support.0001_initial",
        "support.0002_trajectory",
        "support.0003_support_plan",
        "support.0004_contacts_contributions_help_requests",
        "support.0005_student_rating",
        "support.0006_contactnote_minutes",
        "transitions.0001_initial",
        "transitions.0002_non_arrival",
        "transitions.0003_handover",
        "transitions.0004_handed_over_non_arrivals",
    ]
)

# SQL that removes or tightens what the old version uses. Every DROP counts (in PostgreSQL
# `ALTER TABLE t DROP name` drops a column without the word COLUMN; DROP DEFAULT breaks the old
# version's INSERT that leaves the column out), except what only loosens: a constraint, an index,
# a trigger or NOT NULL. Tightening: a new type, NOT NULL, a new constraint or unique index.
CONTRACTING_SQL = re.compile(
    r"""\b(
        DROP\s+(?!(CONSTRAINT|INDEX|TRIGGER|NOT\s+NULL)\b)\w+
      | RENAME\b
      | TRUNCATE\b
      | SET\s+NOT\s+NULL\b
      | ALTER\s+(COLUMN\s+)?("[^"]+"|\w+)\s+(SET\s+DATA\s+)?TYPE\b
      | ADD\s+(CONSTRAINT|UNIQUE|CHECK|PRIMARY\s+KEY|EXCLUDE)\b
      | CREATE\s+UNIQUE\s+INDEX\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
ALWAYS_CONTRACTING = (
    migrations.RemoveField,
    migrations.DeleteModel,
    migrations.RenameField,
    migrations.RenameModel,
    migrations.AlterModelTable,
    # A unique or check constraint: rows the old version writes (or rows already there) may
    # not satisfy it. Add it in the release after the code that keeps to it.
    migrations.AddConstraint,
)
# Column types the old version's values still fit in (the rest: a different column type).
WIDENING = {
    ("SmallIntegerField", "IntegerField"),
    ("SmallIntegerField", "BigIntegerField"),
    ("IntegerField", "BigIntegerField"),
    ("PositiveSmallIntegerField", "PositiveIntegerField"),
    ("PositiveIntegerField", "PositiveBigIntegerField"),
    ("SmallAutoField", "AutoField"),
    ("AutoField", "BigAutoField"),
    ("CharField", "TextField"),
}


def _sql_text(sql: object) -> str:
    if isinstance(sql, str):
        return sql
    if isinstance(sql, Iterable):
        return " ".join(_sql_text(part) for part in sql)
    return ""


def _field_before(state: ProjectState, app: str, model: str, name: str) -> models.Field | None:
    model_state: ModelState | None = state.models.get((app, model.lower()))
    return None if model_state is None else model_state.fields.get(name)


def _altered_field(old: models.Field, new: models.Field) -> list[str]:
    """How an AlterField tightens the column the old version writes."""
    found = []
    old_type, new_type = old.get_internal_type(), new.get_internal_type()
    if old_type != new_type and (old_type, new_type) not in WIDENING:
        found.append(f"column type {old_type} -> {new_type}")
    for limit in ("max_length", "max_digits", "decimal_places"):
        before, after = getattr(old, limit, None), getattr(new, limit, None)
        if before is not None and after is not None and after < before:
            found.append(f"{limit} {before} -> {after}")
    if old.null and not new.null:
        # Also with a db_default: the old version still writes None (its field is nullable).
        found.append("made NOT NULL")
    if old.has_db_default() and not new.has_db_default() and not new.null:
        found.append("db_default removed from a NOT NULL column")
    if not old.unique and new.unique:
        found.append("made unique")
    if old.db_column != new.db_column:
        found.append("column renamed")
    return found


def _added_unique_together(state: ProjectState, app: str, operation: Operation) -> bool:
    model_state = state.models.get((app, operation.name_lower))  # type: ignore[attr-defined]
    before = set() if model_state is None else set(model_state.options.get("unique_together", ()))
    return bool(set(operation.option_value or ()) - before)  # type: ignore[attr-defined]


def contracting_steps(
    app: str, operations: list[Operation], state_before: Callable[[], ProjectState]
) -> list[str]:
    """What in these operations the old version of the code could trip over."""
    found = []
    for operation in operations:
        if isinstance(operation, migrations.SeparateDatabaseAndState):
            found += contracting_steps(app, operation.database_operations, state_before)
        elif isinstance(operation, ALWAYS_CONTRACTING):
            found.append(operation.describe())
        elif isinstance(operation, migrations.AddField):
            field = operation.field
            if not field.null and not field.many_to_many and not field.has_db_default():
                # The old version's INSERT leaves the column out: NOT NULL needs a db_default.
                found.append(f"{operation.describe()} (NOT NULL without db_default)")
        elif isinstance(operation, migrations.AlterField):
            old = _field_before(state_before(), app, operation.model_name, operation.name)
            if old is not None:
                found += [
                    f"{operation.describe()} ({change})"
                    for change in _altered_field(old, operation.field)
                ]
        elif isinstance(operation, migrations.AlterUniqueTogether):
            if _added_unique_together(state_before(), app, operation):
                found.append(f"{operation.describe()} (new unique_together)")
        elif isinstance(operation, migrations.RunSQL):
            if CONTRACTING_SQL.search(_sql_text(operation.sql)):
                found.append(f"{operation.describe()}: {_sql_text(operation.sql)[:120]}")
        elif isinstance(operation, migrations.RunPython) and CONTRACTING_SQL.search(
            # Schema changes by hand (schema_editor.execute) are read from the code's text.
            inspect.getsource(operation.code)
        ):
            found.append(f"{operation.describe()} ({operation.code.__name__}) drops or tightens")
    return found


def test_new_migrations_only_expand_the_schema() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    problems = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if not migration.__module__.startswith("schakelpunt.") or f"{app}.{name}" in BASELINE:
            continue
        if (app, name) in CONTRACTING:
            continue
        steps = contracting_steps(
            app,
            migration.operations,
            lambda app=app, name=name: loader.project_state((app, name), at_end=False),
        )
        problems += [f"{app}.{name}: {step}" for step in steps]
    assert not problems, (
        "These migrations would break the version that still serves during `migrate`. "
        "Expand now (add, nullable or with db_default) and contract in a later release, "
        "listed in CONTRACTING with the reason and the release:\n" + "\n".join(problems)
    )


def test_the_allowances_name_a_reason_and_a_release() -> None:
    for (app, name), (reason, release) in CONTRACTING.items():
        assert reason.strip() and re.fullmatch(r"\d+\.\d+(\.\d+)?", release), (app, name)


def _state_with_nullable_note() -> ProjectState:
    state = ProjectState()
    state.add_model(
        ModelState(
            "students",
            "Note",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("text", models.TextField(null=True)),
                ("code", models.CharField(max_length=20, null=True)),
                ("kind", models.CharField(max_length=10, db_default="x")),
                ("hours", models.IntegerField(null=True)),
            ],
        )
    )
    return state


@pytest.mark.parametrize(
    "operation",
    [
        migrations.RemoveField("note", "text"),
        migrations.DeleteModel("Note"),
        migrations.RenameField("note", "text", "body"),
        migrations.RenameModel("Note", "Remark"),
        migrations.AlterModelTable("note", "students_remark"),
        migrations.AddField("note", "label", models.CharField(max_length=10, default="x")),
        migrations.AlterField("note", "text", models.TextField(default="")),
        migrations.AlterField("note", "text", models.TextField(null=True, db_column="body")),
        # NOT NULL with a db_default: the old version still saves None into the column.
        migrations.AlterField("note", "text", models.TextField(db_default="")),
        migrations.AlterField("note", "code", models.CharField(max_length=10, null=True)),
        migrations.AlterField("note", "code", models.IntegerField(null=True)),
        migrations.AlterField("note", "text", models.CharField(max_length=200, null=True)),
        migrations.AlterField("note", "hours", models.SmallIntegerField(null=True)),
        migrations.AlterField(
            "note", "code", models.CharField(max_length=20, null=True, unique=True)
        ),
        migrations.AlterField("note", "kind", models.CharField(max_length=10)),
        migrations.AddConstraint(
            "note", models.UniqueConstraint(fields=["code"], name="note_code_unique")
        ),
        migrations.AddConstraint(
            "note", models.CheckConstraint(condition=models.Q(hours__gte=0), name="note_hours")
        ),
        migrations.AlterUniqueTogether("note", {("code", "kind")}),
        migrations.RunSQL("ALTER TABLE students_note DROP COLUMN text"),
        migrations.RunSQL("ALTER TABLE students_note DROP text"),
        migrations.RunSQL("ALTER TABLE students_note DROP IF EXISTS text"),
        migrations.RunSQL("drop table students_note"),
        migrations.RunSQL("ALTER TABLE students_note ALTER COLUMN kind DROP DEFAULT"),
        migrations.RunSQL(["ALTER TABLE students_note ALTER text SET NOT NULL"]),
        migrations.RunSQL("ALTER TABLE students_note ALTER COLUMN code TYPE varchar(10)"),
        migrations.RunSQL("ALTER TABLE students_note ALTER code SET DATA TYPE integer"),
        migrations.RunSQL(
            "ALTER TABLE students_note ADD CONSTRAINT note_hours CHECK (hours >= 0) NOT VALID"
        ),
        migrations.RunSQL("CREATE UNIQUE INDEX note_code ON students_note (code)"),
    ],
    ids=lambda operation: operation.describe(),
)
def test_a_contracting_step_is_caught(operation: Operation) -> None:
    assert contracting_steps("students", [operation], _state_with_nullable_note)


@pytest.mark.parametrize(
    "operation",
    [
        migrations.AddField("note", "label", models.CharField(max_length=10, null=True)),
        migrations.AddField("note", "label", models.CharField(max_length=10, db_default="x")),
        migrations.CreateModel("Remark", [("id", models.BigAutoField(primary_key=True))]),
        migrations.AlterField("note", "text", models.TextField(null=True, blank=True)),
        migrations.AlterField("note", "code", models.CharField(max_length=40, null=True)),
        migrations.AlterField("note", "code", models.TextField(null=True)),
        migrations.AlterField("note", "hours", models.BigIntegerField(null=True)),
        migrations.AlterField("note", "kind", models.CharField(max_length=10, null=True)),
        migrations.AlterField(
            "note", "code", models.CharField(max_length=20, null=True, db_index=True)
        ),
        migrations.AddIndex("note", models.Index(fields=["text"], name="note_text")),
        migrations.RemoveIndex("note", "note_text"),
        migrations.RemoveConstraint("note", "note_code_unique"),
        migrations.RunSQL("CREATE INDEX note_text ON students_note (text)"),
        migrations.RunSQL("DROP INDEX IF EXISTS note_text"),
        migrations.RunSQL("ALTER TABLE students_note DROP CONSTRAINT note_hours"),
        migrations.RunSQL("ALTER TABLE students_note ALTER COLUMN kind DROP NOT NULL"),
        migrations.RunSQL("DROP TRIGGER IF EXISTS note_guard ON students_note"),
        migrations.RunSQL("ALTER TABLE students_note ADD COLUMN label text NULL"),
    ],
    ids=lambda operation: operation.describe(),
)
def test_an_expanding_step_passes(operation: Operation) -> None:
    assert not contracting_steps("students", [operation], _state_with_nullable_note)
