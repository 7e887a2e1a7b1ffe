"""The monitor's tables as files: CSV (one table) and XLSX (every table, a sheet each).

Only what the dashboard holds goes out: counts already protected, so an export never holds
more than the screen.
"""

import re

from django.http import HttpResponse
from openpyxl.styles import Font

from schakelpunt.core.exports import csv_text, new_workbook, workbook_bytes

from .dashboard import Dashboard, Table

_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def table_csv(table: Table) -> str:
    return csv_text([table.headings, *table.all_rows()])


def _cell(value: str) -> str | int:
    """Whole counts as numbers, so that a spreadsheet can add them; "<5" and rates as text."""
    return int(value) if value.isdigit() else value


def workbook(dashboard: Dashboard, tables: list[tuple[str, Table]]) -> bytes:
    book = new_workbook()
    first = book.active
    assert first is not None  # noqa: S101 - a new workbook has a sheet
    first.title = "Kerncijfers"
    first.append([dashboard.title, dashboard.period_label])
    first["A1"].font = Font(bold=True)
    first.append([])
    for tile in dashboard.tiles:
        first.append([tile.label, _cell(tile.value), tile.note])
    named = [(f.title, f.table) for f in dashboard.figures] + tables
    used: set[str] = {first.title}
    for title, table in named:
        name = _SHEET_UNSAFE.sub(" ", title.split(":")[0])[:28].strip()
        while name in used:
            name = name[:26] + f" {len(used)}"
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append([title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.headings)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.all_rows():
            sheet.append([_cell(v) for v in row])
        sheet.column_dimensions["A"].width = 40
    return workbook_bytes(book)


def download(body: str | bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def csv_download(table: Table, name: str) -> HttpResponse:
    """With a byte-order mark, so that Excel reads the accents right."""
    return download("\ufeff" + table_csv(table), "text/csv; charset=utf-8", name)
