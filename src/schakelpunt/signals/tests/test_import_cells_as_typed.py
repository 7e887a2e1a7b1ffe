"""Cells as people type them (spaces, capitals) in a large file: the SQL path reads them as
the row checks do, and a changed day is updated in place while a new one is added."""

from datetime import timedelta
from decimal import Decimal

from schakelpunt.signals.models import AbsenceRecord

from .test_import_staging import HEADER, MONDAY, run


def test_spaces_and_capitals_read_as_the_row_checks_read_them(school, way):
    rows = [
        f" 200 ; {(MONDAY + timedelta(days=0)).isoformat()} ;6;2; JA ; Ziek \n",
        f"200;{(MONDAY + timedelta(days=1)).strftime('%d-%m-%Y')};6;0;Nee;ONGEOORLOOFD\n",
        f"200;{(MONDAY + timedelta(days=2)).isoformat()};6;6;ja;geschorst\n",
    ]
    result = run(school, HEADER + "".join(rows))
    assert (result.ok, result.created) == (True, 3), result.errors
    stored = dict(AbsenceRecord.objects.values_list("day", "reason"))
    assert stored == {
        MONDAY: "illness",
        MONDAY + timedelta(days=1): "unauthorised",
        MONDAY + timedelta(days=2): "suspension",
    }


def test_a_changed_day_keeps_its_row_and_a_new_day_is_added(school, way):
    first = [
        f"200;{(MONDAY + timedelta(days=i)).isoformat()};6;0;nee;ongeoorloofd\n" for i in range(3)
    ]
    assert run(school, HEADER + "".join(first)).created == 3
    kept = dict(AbsenceRecord.objects.values_list("day", "pk"))
    second = [*first[:2], f"200;{(MONDAY + timedelta(days=2)).isoformat()};6;4;ja;ziek\n"]
    second.append(f"200;{(MONDAY + timedelta(days=3)).isoformat()};6;0;nee;ongeoorloofd\n")
    result = run(school, HEADER + "".join(second))
    assert (result.created, result.replaced, result.unchanged) == (1, 1, 2)
    changed = AbsenceRecord.objects.get(day=MONDAY + timedelta(days=2))
    assert (changed.pk, changed.absent_hours, changed.reason) == (
        kept[MONDAY + timedelta(days=2)],
        Decimal(4),
        "illness",
    )
    assert AbsenceRecord.objects.count() == 4
