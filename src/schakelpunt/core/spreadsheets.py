"""Reading Excel workbooks (.xlsx) the way the importers read a CSV export.

The first sheet is the table; its first row is the header. Every cell becomes the text a CSV
export of the sheet would have had: an Excel date becomes `2025-09-01`, a whole number stays a
whole number (2025001, not 2025001.0), a number shown with leading zeros (format `000000000`,
often used for a BSN) keeps them, text stays as typed (so a student number entered as text
`0012345` keeps its zeros), TRUE/FALSE become ja/nee. A file that is no readable workbook
raises `UnreadableExport` with a Dutch message, as an unreadable CSV does.

`read_table` gives a CSV or an Excel file as one kind of table, for importers that look cells
up by column name.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _

from .csvfiles import UnreadableExport, checked_rows, decode_export, export_header, export_reader

# The file picker of an import that reads CSV and Excel (a hint; the importer checks the file).
UPLOAD_ACCEPT = ".csv,.txt,.xlsx"
# What a damaged or foreign zip file makes openpyxl raise.
_BROKEN = (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, ParseError)
_ZEROS = re.compile(r"0+")

# A row of a table: its line number (the sheet's row number, or the CSV record counting the
# header as 1) and the cells by column name; None when the row has more cells than the header.
Record = tuple[int, dict[str, str] | None]


def is_xlsx(data: bytes) -> bool:
    """An .xlsx file is a zip archive; a CSV never starts like one."""
    return data[:4] == b"PK\x03\x04"


def _unreadable() -> UnreadableExport:
    return UnreadableExport(
        _("Het Excel-bestand kan niet worden gelezen. Sla het opnieuw op als .xlsx.")
    )


def cell_text(value: object, number_format: str | None = None) -> str:
    """An Excel cell as the text a CSV export would have had."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        if value >= 0 and number_format and _ZEROS.fullmatch(number_format):
            return text.zfill(len(number_format))
        return text
    return str(value)


def xlsx_rows(data: bytes, *, number_formats: bool = True) -> tuple[int, Iterator[list[str]]]:
    """The first sheet's row count and its rows from the first, each a list of texts (empty
    rows too, so a row's place in the list is its row number). `number_formats=False` reads
    faster but loses the leading zeros a number format shows."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        total = sheet.max_row or 0
    except _BROKEN as error:
        raise _unreadable() from error

    def rows() -> Iterator[list[str]]:
        try:
            if number_formats:
                for cells in sheet.iter_rows():
                    yield [cell_text(c.value, getattr(c, "number_format", None)) for c in cells]
            else:
                for values in sheet.iter_rows(values_only=True):
                    yield [cell_text(v) for v in values]
        except _BROKEN as error:
            raise _unreadable() from error
        finally:
            book.close()

    return total, rows()


def _xlsx_table(data: bytes, name: Callable[[str], str]) -> tuple[list[str], Iterator[Record]]:
    _total, rows = xlsx_rows(data)
    header = [name(cell.strip().lower()) for cell in next(rows, [])]
    while header and not header[-1]:
        header.pop()  # Excel often adds empty columns to the right

    def records() -> Iterator[Record]:
        for line, cells in enumerate(rows, start=2):
            while cells and not cells[-1].strip():
                cells.pop()
            if not cells:
                continue
            if len(cells) > len(header):
                yield line, None
                continue
            yield line, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))

    return header, records()


def _csv_table(data: bytes, name: Callable[[str], str]) -> tuple[list[str], Iterator[Record]]:
    reader = export_reader(decode_export(data))
    header = [name(h) for h in export_header(reader)]
    reader.fieldnames = header

    def records() -> Iterator[Record]:
        for line, raw in enumerate(checked_rows(reader), start=2):
            if None in raw:
                yield line, None
                continue
            values = {k: v or "" for k, v in raw.items()}
            if any(v.strip() for v in values.values()):
                yield line, values

    return header, records()


def read_table(
    data: bytes, name: Callable[[str], str] = lambda header: header
) -> tuple[list[str], Iterator[Record]]:
    """A CSV export or an Excel workbook as its header (lower case, without surrounding spaces,
    then through `name`) and its rows with their line numbers. Rows without any text are left
    out (Excel writes them); a row with more cells than the header comes as None, for the
    importer to report. Raises `UnreadableExport` (also while the rows are read)."""
    return _xlsx_table(data, name) if is_xlsx(data) else _csv_table(data, name)
