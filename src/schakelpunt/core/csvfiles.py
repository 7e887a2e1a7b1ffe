"""Reading CSV exports as schools make them.

A file that is no readable table (another encoding, binary, a field of a million characters)
raises `UnreadableExport` with a Dutch message that says what to do; importers turn it into
their own error and change nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import TypeVar

from django.utils.translation import gettext as _

DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
NUL = b"\x00"
Row = TypeVar("Row")


def _save_as() -> str:
    return _(
        "Sla het in Excel op als 'CSV UTF-8 (door komma's gescheiden)' en probeer het opnieuw."
    )


class UnreadableExport(ValueError):
    """The file cannot be read as a table; `str()` is the Dutch message for the user."""


def _line_of(data: bytes, position: int) -> int:
    return data.count(b"\n", 0, position) + 1


def decode_export(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, which Excel on Windows writes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableExport(
            _(
                "Het bestand is opgeslagen als UTF-16 ('Unicode-tekst'); dat kan niet worden ingelezen."
            )
            + " "
            + _save_as()
        )
    if NUL in data:
        raise UnreadableExport(
            _("Regel %(line)s bevat een NUL-teken: dit is geen CSV-tekstbestand.")
            % {"line": _line_of(data, data.index(NUL))}
            + " "
            + _save_as()
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise UnreadableExport(
            _("Regel %(line)s bevat tekens die geen UTF-8 en geen Windows-1252 zijn.")
            % {"line": _line_of(data, error.start)}
            + " "
            + _save_as()
        ) from error


def csv_error(error: csv.Error, line: int) -> UnreadableExport:
    """The csv module's error on a line, as a Dutch message."""
    if "field larger than field limit" in str(error):
        return UnreadableExport(
            _("Regel %(line)s: een veld is langer dan %(limit)s tekens. Is dit het goede bestand?")
            % {"line": line, "limit": f"{csv.field_size_limit():,}".replace(",", ".")}
        )
    return UnreadableExport(
        _(
            "Regel %(line)s kan niet als CSV worden gelezen (een aanhalingsteken of regeleinde "
            "staat verkeerd)."
        )
        % {"line": line}
    )


def checked_rows(reader: Iterable[Row]) -> Iterator[Row]:
    """The reader's rows; a row the csv module cannot read becomes `UnreadableExport`."""
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            raise csv_error(error, getattr(reader, "line_num", 0)) from error
        yield row


def export_header(reader: csv.DictReader[str]) -> list[str]:
    """The column names of a DictReader, lower case; a header the csv module cannot read
    becomes `UnreadableExport`."""
    try:
        names = reader.fieldnames or []
    except csv.Error as error:
        raise csv_error(error, 1) from error
    return [(name or "").strip().lower() for name in names]


class SemicolonDialect(csv.excel):
    """What Dutch spreadsheet programs write."""

    delimiter = ";"


def export_reader(text: str) -> csv.DictReader[str]:
    """Rows of a school's export: `;`, `,` or tab, as the first lines show; `;` when unsure."""
    # Only the separator is sniffed: the sniffer can take an apostrophe in a name for a quote
    # character and merge lines; exports quote with '"' as Excel does.
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = SemicolonDialect.delimiter
    return csv.DictReader(io.StringIO(text), dialect=csv.excel, delimiter=delimiter)


def parse_date(value: str) -> date | None:
    """`JJJJ-MM-DD`, `DD-MM-JJJJ` or `DD/MM/JJJJ`; None when it is none of these."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None
