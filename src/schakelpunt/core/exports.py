"""Every CSV and Excel file Schakelpunt writes goes through here.

A spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or
carriage return) as a formula: a student imported as `=HYPERLINK("http://…","klik")` would
become a link, or a command, in the hands of whoever opens the export. Such text cells get a
leading `'` (OWASP, "CSV Injection"), which spreadsheet programs show as text. Numbers stay
numbers: an int, a Decimal or a string that is only a number (`-2`, `-1.234,5`, `-3 %`) is no
formula and goes out as it is. The data on screen and in the database is never changed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number (digits, `.` and `,` as separators, an optional percent sign): a value that
# no spreadsheet runs as a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,]*(?:\s?%)?")


def spreadsheet_safe(value: Any) -> Any:
    """`value` as a spreadsheet may hold it: formula-leading text gets a `'` in front."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def spreadsheet_row(values: Iterable[Any]) -> list[Any]:
    return [spreadsheet_safe(value) for value in values]


class SafeCsvWriter:
    """`csv.writer` whose every cell has passed `spreadsheet_safe`."""

    def __init__(self, out: Any, **options: Any) -> None:
        options.setdefault("delimiter", ";")
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(spreadsheet_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: Any, **options: Any) -> SafeCsvWriter:
    """The only CSV writer for exports; `;` as Dutch spreadsheet programs expect."""
    return SafeCsvWriter(out, **options)


def csv_text(rows: Iterable[Iterable[Any]], **options: Any) -> str:
    out = io.StringIO()
    csv_writer(out, **options).writerows(rows)
    return out.getvalue()


def new_workbook() -> Workbook:
    """An empty Excel workbook; save it with `workbook_bytes`, never `save` directly."""
    return Workbook()


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as .xlsx, every text cell made safe on the way out.

    openpyxl stores a string starting with `=` as a formula; we never write formulas, so
    every such cell, and every other formula-leading text, becomes text again.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    safe = spreadsheet_safe(cell.value)
                    if safe != cell.value:
                        cell.value = safe
                        cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
