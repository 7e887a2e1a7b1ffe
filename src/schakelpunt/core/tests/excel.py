"""Excel workbooks for the importer tests, made as a person typing the rows into Excel would.

Excel turns what is typed into a cell into a number (`2025001`), a date (`14-03-2009`) or a
truth value (`WAAR`); a column formatted as text keeps what was typed (`0012345`). A column
formatted `000000000` shows a number with its leading zeros. These are the cells the
importers have to read back as the text a CSV export would have.
"""

import io
import re

from openpyxl import Workbook

from schakelpunt.core.csvfiles import parse_date

WHOLE_NUMBER = re.compile(r"[1-9][0-9]{0,14}|0")
ZERO_PADDED = re.compile(r"0[0-9]{1,14}")
TRUTH = {"waar": True, "onwaar": False}

# How a typed text goes into its cell.
TEXT = "text"  # a column formatted as text: as typed
# Excel's own reading: numbers, dates and truth values. Digits with leading zeros stay text
# here: Excel would drop the zeros, and then no CSV or importer has them back.
TYPED = "typed"
PADDED = "padded"  # as TYPED, and digits with leading zeros a number shown as `000…`


def cell_value(text: str, how: str = TYPED) -> tuple[object, str]:
    """The value Excel stores for the typed text, and the cell's number format."""
    if how == TEXT or not text:
        return (text or None), "@"
    if WHOLE_NUMBER.fullmatch(text):
        return int(text), "General"
    if how == PADDED and ZERO_PADDED.fullmatch(text):
        return int(text), "0" * len(text)
    if text.lower() in TRUTH:
        return TRUTH[text.lower()], "General"
    day = parse_date(text) if text == text.strip() else None
    if day is not None:
        return day, "dd-mm-yyyy"
    return text, "@"


def workbook(rows: list[list[str]], how: str | list[list[str]] = TYPED) -> bytes:
    """An .xlsx whose first sheet holds the rows (the header first). `how` per cell, or one way
    for every cell but the header, which is always text."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row, start=1):
            way = TEXT if r == 1 else (how if isinstance(how, str) else how[r - 1][c - 1])
            value, number_format = cell_value(text, way)
            if value is None:
                continue
            cell = sheet.cell(row=r, column=c, value=value)
            cell.number_format = number_format
    # An extra sheet after the first, which the importers leave alone.
    book.create_sheet("Toelichting").append(["Alleen het eerste werkblad telt."])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_file(rows: list[list[str]], separator: str = ";") -> bytes:
    """The same rows as the CSV the student information system would export."""
    return "".join(separator.join(row) + "\n" for row in rows).encode()
