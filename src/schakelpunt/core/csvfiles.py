"""Reading CSV exports as schools make them."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


def decode_export(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which Excel on Windows writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


class SemicolonDialect(csv.excel):
    """What Dutch spreadsheet programs write."""

    delimiter = ";"


def export_reader(text: str) -> csv.DictReader[str]:
    """Rows of a school's export: `;`, `,` or tab, as the first lines show; `;` when unsure."""
    dialect: type[csv.Dialect] | csv.Dialect
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = SemicolonDialect
    return csv.DictReader(io.StringIO(text), dialect=dialect)


def parse_date(value: str) -> date | None:
    """`JJJJ-MM-DD`, `DD-MM-JJJJ` or `DD/MM/JJJJ`; None when it is none of these."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None
