"""Example import files, downloadable from the import screens (`/voorbeelden/<name>.csv`).

The files in `examples/` belong together: the programmes example makes the locations, teams
and crebos the students example enrols in, the absence example names those students, and the
invitations example names their teams and student numbers. A test runs each one through its
importer on a fresh institution (core/tests/test_examples.py).
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "examples"
# Excel on Windows reads a CSV as Windows-1252 unless it starts with this mark.
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Example:
    name: str  # the file name without extension, e.g. "studenten"
    xlsx: bool  # the importer also reads Excel, so there is an .xlsx example too
    doc: str  # where the columns are described

    @property
    def path(self) -> Path:
        return FOLDER / f"{self.name}.csv"


EXAMPLES: dict[str, Example] = {
    e.name: e
    for e in (
        Example("opleidingen", xlsx=True, doc="import-opleidingen.md"),
        Example("studenten", xlsx=True, doc="import-studenten.md"),
        Example("verzuim", xlsx=True, doc="import-verzuim.md"),
        Example("vakanties", xlsx=True, doc="import-vakanties.md"),
        Example("uitnodigingen", xlsx=False, doc="import-uitnodigingen.md"),
    )
}


def example_get(name: str) -> Example | None:
    """The example of that name, when its file is there."""
    example = EXAMPLES.get(name)
    return example if example is not None and example.path.is_file() else None


def example_csv(example: Example) -> bytes:
    """The CSV as downloaded: UTF-8 with the mark Excel needs to show é and ë."""
    return UTF8_BOM + example.path.read_bytes().removeprefix(UTF8_BOM)


def example_rows(example: Example) -> list[list[str]]:
    text = example.path.read_text(encoding="utf-8-sig")
    return [row for row in csv.reader(io.StringIO(text), delimiter=";") if any(row)]


def example_xlsx(example: Example) -> bytes:
    """The same rows as an Excel workbook, every cell text (leading zeros and dates stay as
    written), the header in bold and frozen."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from .exports import new_workbook, workbook_bytes

    book = new_workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = example.name
    rows = example_rows(example)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_cells in sheet.iter_rows():
        for cell in row_cells:
            cell.number_format = "@"
    for index, column in enumerate(zip(*rows, strict=False), start=1):
        width = max(len(value) for value in column)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 50)
    sheet.freeze_panes = "A2"
    return workbook_bytes(book)
