"""The load test's work inside Django (load_test.py runs it as a child process with the
server's settings and database):

    python bench/load_setup.py prepare --out DIR [--kill-rows 150000]
    python bench/load_setup.py check-import --filename NAME --file PATH

`prepare` gives each demo account the load test logs in with a confirmed authenticator
(TOTP) device, as production demands a second factor of every role but the student; registers
one connected system per care provider (referrals and sociale kaart, through the same service
as `schakelpunt apiclient create`); and writes two absence files in the format of
docs/import-verzuim.md: a daily file (yesterday, every student) that the importer uploads
every few minutes, and a larger one (several earlier school days) that load_test.py uploads to
kill workers under. It writes DIR/accounts.json for the locust users.

`check-import` prints, as JSON, what became of the upload called NAME: its jobs (how many,
status, counts) and how many absence rows in the database now hold exactly the file's values.
"""

import argparse
import csv
import json
import os
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# The kill file's values, the same on every row, so its rows are easy to count afterwards.
KILL_SCHEDULED = Decimal("7.0")
KILL_ABSENT = Decimal("0.5")


def school_days_before(day: date, count: int) -> list[date]:
    """`count` weekdays before `day`, newest first."""
    days: list[date] = []
    while len(days) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def prepare(out: Path, kill_rows: int) -> dict[str, Any]:
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from schakelpunt.accounts.api_clients import api_client_create
    from schakelpunt.accounts.models import Membership, Organisation
    from schakelpunt.accounts.roles import OrganisationKind, Role
    from schakelpunt.demo.builder import DEMO_DOMAIN, INSTITUTION_NAME
    from schakelpunt.students.models import Student

    groups = {
        "coach": [Role.COACH],
        "care_team": [Role.CARE_COORDINATOR, Role.STUDENT_ADVISOR],
        "monitor": [Role.MUNICIPAL_ADVISOR, Role.GOVERNANCE],
        "attendance": [Role.ATTENDANCE_OFFICER],
        "importer": [Role.ABSENCE_OFFICER],
        "kill_importer": [Role.FUNCTIONAL_ADMIN],
    }
    accounts: dict[str, Any] = {}
    for group, roles in groups.items():
        members = (
            Membership.objects.filter(role__in=roles, user__email__endswith=f"@{DEMO_DOMAIN}")
            .select_related("user")
            .order_by("user__email")
        )
        seen: dict[str, dict[str, str]] = {}
        for membership in members:
            user = membership.user
            if user.email in seen:
                continue
            device = TOTPDevice.objects.create(user=user, name="belastingtest", confirmed=True)
            seen[user.email] = {"email": user.email, "totp_key": device.key}
        accounts[group] = list(seen.values())

    expires = timezone.localdate() + timedelta(days=30)
    systems = []
    for provider in Organisation.objects.filter(kind=OrganisationKind.CARE_PROVIDER).order_by(
        "name"
    ):
        issued = api_client_create(
            actor=None,
            organisation=provider,
            name="Cliëntregistratie (belastingtest)",
            scopes=["referrals:read", "referrals:write", "directory:read"],
            expires_on=expires,
        )
        systems.append({"organisation": provider.name, "token": issued.token})
    accounts["api"] = systems

    numbers = list(
        Student.objects.filter(institution__name=INSTITUTION_NAME)
        .order_by("student_number")
        .values_list("student_number", flat=True)
    )
    today = timezone.localdate()
    (daily_day,) = school_days_before(today, 1)
    kill_days = school_days_before(daily_day, max(1, min(60, -(-kill_rows // len(numbers)))))
    header = ["studentnummer", "datum", "geroosterde_uren", "afwezige_uren", "geoorloofd", "reden"]

    daily = out / "verzuim-dagelijks.csv"
    with daily.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(header)
        for i, number in enumerate(numbers):
            absent = (0, 0, 0, 2, 6)[i % 5]
            reason = ("ongeoorloofd", "nee") if i % 10 == 3 else ("ziek", "ja")
            writer.writerow([number, daily_day.isoformat(), 6, absent, reason[1], reason[0]])

    kill = out / "verzuim-inhaal.csv"
    with kill.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(header)
        for day in kill_days:
            for number in numbers:
                writer.writerow(
                    [number, day.isoformat(), KILL_SCHEDULED, KILL_ABSENT, "ja", "ziek"]
                )

    accounts["files"] = {
        "daily": {"path": str(daily), "rows": len(numbers)},
        "kill": {
            "path": str(kill),
            "rows": len(numbers) * len(kill_days),
            "days": [d.isoformat() for d in kill_days],
        },
    }
    accounts["students"] = len(numbers)
    (out / "accounts.json").write_text(json.dumps(accounts, indent=1))
    return {group: len(v) for group, v in accounts.items() if isinstance(v, list)}


def check_import(filename: str, path: Path) -> dict[str, Any]:
    from django.db.models import Q

    from schakelpunt.demo.builder import INSTITUTION_NAME
    from schakelpunt.signals.models import AbsenceImportJob, AbsenceReasonCode, AbsenceRecord

    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    days = sorted({row["datum"] for row in rows})
    jobs = list(
        AbsenceImportJob.objects.filter(filename=filename)
        .order_by("pk")
        .values("pk", "status", "total", "done", "created", "replaced", "unchanged", "errors")
    )
    in_file_days = AbsenceRecord.objects.filter(
        student__institution__name=INSTITUTION_NAME, day__in=days
    )
    as_in_file = in_file_days.filter(
        Q(scheduled_hours=KILL_SCHEDULED)
        & Q(absent_hours=KILL_ABSENT)
        & Q(reason=AbsenceReasonCode.ILLNESS)
    )
    return {
        "file_rows": len(rows),
        "jobs": [{**job, "errors": len(job["errors"])} for job in jobs],
        "rows_as_in_file": as_in_file.count(),
        "rows_on_file_days": in_file_days.count(),
        "absence_rows_total": AbsenceRecord.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    prep = commands.add_parser("prepare")
    prep.add_argument("--out", type=Path, required=True)
    prep.add_argument("--kill-rows", type=int, default=150_000)
    check = commands.add_parser("check-import")
    check.add_argument("--filename", required=True)
    check.add_argument("--file", type=Path, required=True)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schakelpunt.conf.prodlike")
    import django

    django.setup()
    if args.command == "prepare":
        print(json.dumps(prepare(args.out, args.kill_rows)))
    else:
        print(json.dumps(check_import(args.filename, args.file)))


if __name__ == "__main__":
    main()
