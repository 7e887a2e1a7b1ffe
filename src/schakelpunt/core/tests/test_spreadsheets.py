"""An Excel cell reads as the text a CSV export of the sheet would have had."""

from datetime import date, datetime

import pytest

from schakelpunt.core.csvfiles import UnreadableExport
from schakelpunt.core.spreadsheets import cell_text, is_xlsx, read_table
from schakelpunt.core.tests.excel import PADDED, csv_file, workbook


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (None, None, ""),
        (2025001, "General", "2025001"),
        (2025001.0, "General", "2025001"),  # a whole number Excel stored as a float
        (8.5, "General", "8.5"),
        (12345672, "000000000", "012345672"),  # a BSN shown with its leading zero
        (7511, "0", "7511"),
        (-3, "000", "-3"),
        (12.5, "000", "12.5"),
        (True, "General", "ja"),
        (False, "General", "nee"),
        (datetime(2025, 9, 1), "dd-mm-yyyy", "2025-09-01"),  # noqa: DTZ001 - as Excel has it
        (date(2009, 3, 14), "yyyy-mm-dd", "2009-03-14"),
        ("0012345", "@", "0012345"),  # text keeps its zeros
        (" Enschede ", "@", " Enschede "),
    ],
)
def test_a_cell_as_csv_text(value, number_format, text):
    assert cell_text(value, number_format) == text


def test_csv_and_excel_read_as_the_same_table():
    rows = [
        ["Studentnummer ", "Datum", "BSN"],
        ["2025001", "14-03-2009", "012345672"],
        ["", "", ""],
        ["0102", "x", ""],
    ]
    excel = workbook(rows, PADDED)
    assert is_xlsx(excel) and not is_xlsx(csv_file(rows))
    header, records = read_table(excel)
    assert header == ["studentnummer", "datum", "bsn"]
    assert list(records) == [
        (2, {"studentnummer": "2025001", "datum": "2009-03-14", "bsn": "012345672"}),
        (4, {"studentnummer": "0102", "datum": "x", "bsn": ""}),
    ]
    header, records = read_table(csv_file(rows))
    assert header == ["studentnummer", "datum", "bsn"]
    assert [line for line, _values in records] == [2, 4]


def test_a_damaged_workbook_is_an_unreadable_export():
    with pytest.raises(UnreadableExport, match="Het Excel-bestand kan niet worden gelezen"):
        _header, records = read_table(workbook([["a"], ["b"]])[:1500])
        list(records)
