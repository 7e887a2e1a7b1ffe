"""Import an institution's programmes with their locations and teams (CSV or XLSX).

One row per programme: locatie, gemeente, team, crebo, opleiding, niveau, leerweg and an
optional einddatum. A programme is known by its location, crebo and leerweg: a later file
updates its name, level, team and end date, never adds it twice. Locations and teams are
made when first named. All or nothing per file: every row is checked first; one bad row and
nothing is written, with a Dutch message per row and line number. The same file again
changes nothing. See docs/import-opleidingen.md.

The student information system delivers the same programmes over the API
(accounts/api_programmes.py): each becomes a file row by column name and goes through
`check_programme_rows` and the same write.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from schakelpunt.access.policy import may_configure_institution, may_write_programmes
from schakelpunt.core.csvfiles import (
    UnreadableExport,
    checked_rows,
    decode_export,
    parse_date,
)
from schakelpunt.core.spreadsheets import is_xlsx, xlsx_rows
from schakelpunt.refdata.models import Municipality

from .institution import (
    CREBO,
    MAX_NAME,
    enrolled_students,
    is_ended,
)
from .models import Level, Location, Organisation, Pathway, Programme, ProgrammeTeam, User

REQUIRED = ["locatie", "gemeente", "team", "crebo", "opleiding", "niveau", "leerweg"]
OPTIONAL = ["einddatum"]
LEVELS = {
    "entree": Level.ENTREE,
    "1": Level.ENTREE,
    "niveau 1": Level.ENTREE,
    "2": Level.LEVEL_2,
    "niveau 2": Level.LEVEL_2,
    "3": Level.LEVEL_3,
    "niveau 3": Level.LEVEL_3,
    "4": Level.LEVEL_4,
    "niveau 4": Level.LEVEL_4,
}
MAX_ROWS = 10_000


@dataclass
class InstitutionImportResult:
    """Counts of programmes; locations and teams made along the way are counted apart."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    locations_created: int = 0
    teams_created: int = 0
    errors: list[str] = field(default_factory=list)
    # The same errors by row and column, for the API (RowProblem.place: the row's index).
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        text = _("%(c)s nieuw, %(u)s gewijzigd, %(n)s ongewijzigd.") % {
            "c": self.created,
            "u": self.updated,
            "n": self.unchanged,
        }
        if self.locations_created or self.teams_created:
            text += " " + _("Nieuwe locaties: %(l)s, nieuwe teams: %(t)s.") % {
                "l": self.locations_created,
                "t": self.teams_created,
            }
        return text


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with the row at `place` (a file's line, a batch's index; 0 and no
    column: the file or the batch as a whole) in `column` (the file's column, or "")."""

    place: int
    column: str
    message: str


def _as_file_errors(problems: list[RowProblem]) -> list[str]:
    """A message about the whole file first, as is; then 'Regel 3: a; b.' per line, in line
    order (the checks run per kind of row, not per line)."""
    whole: list[str] = []
    by_line: dict[int, list[str]] = {}
    for problem in problems:
        if not problem.place:
            whole.append(problem.message)
        else:
            by_line.setdefault(problem.place, []).append(problem.message)
    return whole + [
        _("Regel %(line)s: %(problems)s.") % {"line": line, "problems": "; ".join(by_line[line])}
        for line in sorted(by_line)
    ]


@dataclass(frozen=True)
class _Row:
    line: int
    location: str
    municipality: Municipality | None
    team: str
    crebo: str
    name: str
    level: int
    pathway: str
    ended_on: date | None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.location.lower(), self.crebo, self.pathway)


# --- Reading the file -----------------------------------------------------------------------


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    _in_sheet, rows = xlsx_rows(data)
    yield from enumerate(rows, start=1)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = decode_export(data)
    # The header names the separator; csv.Sniffer would also guess a quote character, and
    # takes an apostrophe in a name ("'s-Hertogenbosch") for one.
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    start = 1
    for row in checked_rows(reader):
        yield start, row
        start = reader.line_num + 1


# --- Checking rows --------------------------------------------------------------------------


class _Lookups:
    """What the institution and the reference data hold, read once per file."""

    def __init__(self, institution: Organisation) -> None:
        self.locations = {
            loc.name.lower(): loc
            for loc in Location.objects.filter(institution=institution).select_related(
                "municipality"
            )
        }
        self.teams = {
            (team.location.name.lower(), team.name.lower()): team
            for team in ProgrammeTeam.objects.filter(
                location__institution=institution
            ).select_related("location")
        }
        self.programmes = {
            (p.team.location.name.lower(), p.crebo, p.pathway): p
            for p in Programme.objects.filter(team__location__institution=institution)
            .select_related("team__location")
            .order_by("pk")
        }
        self.municipality_by_code: dict[str, Municipality] = {}
        self.municipality_by_name: dict[str, Municipality] = {}
        short: dict[str, list[Municipality]] = {}
        for m in Municipality.objects.all():
            self.municipality_by_code[m.cbs_code.upper()] = m
            self.municipality_by_name[m.name.lower()] = m
            # "Hengelo" for "Hengelo (O.)", when no other municipality has that short name.
            short.setdefault(m.name.split(" (")[0].lower(), []).append(m)
        for name, found in short.items():
            if len(found) == 1:
                self.municipality_by_name.setdefault(name, found[0])

    def municipality(self, value: str) -> Municipality | None:
        code = value.strip().upper()
        if code.startswith("GM"):
            code = code[2:]
        if code.isdigit() and len(code) <= 4:
            return self.municipality_by_code.get(f"GM{int(code):04d}")
        return self.municipality_by_name.get(value.strip().lower())


def _level(raw: str) -> int | None:
    return LEVELS.get(" ".join(raw.lower().split()))


def _check_row(
    line: int, raw: dict[str, str], lookups: _Lookups
) -> tuple[_Row | None, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []

    def text(column: str, *, required: bool = True) -> str:
        value = " ".join(raw.get(column, "").split())
        if required and not value:
            problems.append((column, _("%(column)s ontbreekt") % {"column": column}))
        elif len(value) > MAX_NAME:
            problems.append(
                (
                    column,
                    _("%(column)s is te lang (hoogstens %(max)s tekens)")
                    % {"column": column, "max": MAX_NAME},
                )
            )
        return value

    location_name = text("locatie")
    location = lookups.locations.get(location_name.lower())
    municipality_raw = text("gemeente", required=False)
    municipality = lookups.municipality(municipality_raw) if municipality_raw else None
    if municipality_raw and municipality is None:
        problems.append(
            (
                "gemeente",
                _(
                    "gemeente '%(value)s' is geen gemeente (gebruik de CBS-code, zoals GM0153, "
                    "of de naam)"
                )
                % {"value": municipality_raw},
            )
        )
    team_name = text("team")
    team = lookups.teams.get((location_name.lower(), team_name.lower()))
    crebo = text("crebo")
    if crebo and not CREBO.match(crebo):
        problems.append(
            ("crebo", _("crebo '%(crebo)s' moet uit vijf cijfers bestaan") % {"crebo": crebo})
        )
    name = text("opleiding")
    level_raw = text("niveau")
    level = _level(level_raw) if level_raw else None
    if level_raw and level is None:
        problems.append(
            (
                "niveau",
                _("niveau '%(value)s' moet Entree, 1, 2, 3 of 4 zijn") % {"value": level_raw},
            )
        )
    pathway = text("leerweg").upper()
    if pathway and pathway not in Pathway.values:
        problems.append(
            ("leerweg", _("leerweg '%(value)s' moet BOL of BBL zijn") % {"value": pathway})
        )
    ended_raw = text("einddatum", required=False)
    ended_on = parse_date(ended_raw) if ended_raw else None
    if ended_raw and ended_on is None:
        problems.append(
            (
                "einddatum",
                _("einddatum '%(value)s' is geen geldige datum (gebruik JJJJ-MM-DD of DD-MM-JJJJ)")
                % {"value": ended_raw},
            )
        )
    # An ended location or team takes no programme that is still in use after today.
    in_use_after = not ended_raw or (ended_on is not None and not is_ended(ended_on))
    if location is not None and is_ended(location.ended_on) and (in_use_after or team is None):
        problems.append(("locatie", _("locatie '%(name)s' is beëindigd") % {"name": location.name}))
    elif team is not None and is_ended(team.ended_on) and in_use_after:
        problems.append(
            (
                "team",
                _("team '%(team)s' op locatie %(location)s is beëindigd")
                % {"team": team.name, "location": location_name},
            )
        )
    if problems or level is None:
        return None, problems
    return (
        _Row(
            line=line,
            location=location.name if location else location_name,
            municipality=municipality,
            team=team.name if team else team_name,
            crebo=crebo,
            name=name,
            level=level,
            pathway=pathway,
            ended_on=ended_on,
        ),
        [],
    )


def _file_line(line: int) -> str:
    return _("regel %(line)s") % {"line": line}


def _parse(data: bytes, lookups: _Lookups) -> tuple[list[_Row], list[RowProblem]]:
    if not data.strip():
        return [], [RowProblem(0, "", _("Het bestand is leeg."))]
    rows = _xlsx_rows(data) if is_xlsx(data) else _csv_rows(data)
    first = next(rows, None)
    header = [h.strip().lower() for h in first[1]] if first else []
    while header and not header[-1]:
        header.pop()  # Excel often adds empty columns to the right
    if not any(header):
        return [], [RowProblem(0, "", _("Het bestand is leeg."))]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [
            RowProblem(
                0,
                "",
                _(
                    "Regel 1: kolom ontbreekt: %(columns)s. De eerste regel noemt de kolommen: "
                    "%(all)s."
                )
                % {"columns": ", ".join(missing), "all": ", ".join(REQUIRED + OPTIONAL)},
            )
        ]

    def records() -> Iterator[tuple[int, dict[str, str] | None]]:
        for line, cells in rows:
            while len(cells) > len(header) and not cells[-1].strip():
                cells.pop()
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header):
                yield line, None
                continue
            yield line, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))

    return check_programme_rows(records(), lookups, _file_line)


def check_programme_rows(
    records: Iterable[tuple[int, dict[str, str] | None]],
    lookups: _Lookups,
    name: Callable[[int], str],
) -> tuple[list[_Row], list[RowProblem]]:
    """The rules for every row, the same for a file and for programmes the API received.

    `records`: (place, the row's text by column name), None for a row with more cells than
    the header; `name(place)` names an earlier row in a message. Returns the checked rows, or
    the problems (and no rows)."""
    checked: list[_Row] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str, str], int] = {}
    municipalities: dict[str, tuple[Municipality, int]] = {}
    count = 0
    for line, raw in records:
        count += 1
        if count > MAX_ROWS:
            return [], [
                RowProblem(
                    0, "", _("Het bestand heeft meer dan %(max)s regels.") % {"max": MAX_ROWS}
                )
            ]
        if raw is None:
            problems.append(RowProblem(line, "", _("deze regel heeft meer kolommen dan de kop")))
            continue
        row, found = _check_row(line, raw, lookups)
        if row is not None:
            if row.key in seen:
                found.append(
                    (
                        "crebo",
                        _("crebo %(crebo)s (%(pw)s) op locatie %(location)s staat ook op %(other)s")
                        % {
                            "crebo": row.crebo,
                            "pw": row.pathway,
                            "location": row.location,
                            "other": name(seen[row.key]),
                        },
                    )
                )
            seen.setdefault(row.key, line)
            if row.municipality is not None:
                earlier = municipalities.setdefault(row.location.lower(), (row.municipality, line))
                if earlier[0].pk != row.municipality.pk:
                    found.append(
                        (
                            "gemeente",
                            _("locatie %(location)s ligt volgens %(other)s in %(m)s")
                            % {
                                "location": row.location,
                                "other": name(earlier[1]),
                                "m": earlier[0].name,
                            },
                        )
                    )
        if found:
            problems.extend(RowProblem(line, column, message) for column, message in found)
        elif row is not None:
            checked.append(row)
    # A new location needs its municipality on at least one of its rows.
    reported: set[str] = set()
    for row in checked:
        location = row.location.lower()
        if location in lookups.locations or location in municipalities or location in reported:
            continue
        reported.add(location)
        problems.append(
            RowProblem(
                row.line,
                "gemeente",
                _("locatie '%(name)s' is nieuw: vul de gemeente in waar zij staat")
                % {"name": row.location},
            )
        )
    if not checked and not problems:
        problems.append(RowProblem(0, "", _("Het bestand bevat geen opleidingen.")))
    return ([] if problems else checked), problems


# --- Writing --------------------------------------------------------------------------------


def _end_refusal(row: _Row, programme: Programme) -> str | None:
    """A programme cannot end while students stay enrolled after its end date."""
    if row.ended_on is None or row.ended_on == programme.ended_on:
        return None
    count = enrolled_students(row.ended_on).filter(programme=programme).count()
    if not count:
        return None
    return _(
        "opleiding %(crebo)s (%(pw)s) kan niet eindigen op %(day)s: daarna staan er nog "
        "%(count)s student(en) ingeschreven"
    ) % {
        "crebo": row.crebo,
        "pw": row.pathway,
        "day": row.ended_on.strftime("%d-%m-%Y"),
        "count": count,
    }


def institution_import(
    *, actor: User, institution: Organisation, data: bytes
) -> InstitutionImportResult:
    """Import the file for the institution. A bad file: nothing changes, errors returned."""
    if not may_configure_institution(actor, institution):
        raise PermissionDenied
    result = _import(institution, lambda lookups: _parse(data, lookups))
    result.errors = _as_file_errors(result.problems)
    return result


def programme_batch_import(
    *,
    actor: User,
    institution: Organisation,
    records: Sequence[dict[str, str]],
    name: Callable[[int], str],
) -> InstitutionImportResult:
    """Programmes a system delivered over the API, each as a file row's text by column name:
    the same checks and the same write as the file, all or nothing. A RowProblem's `place`
    is the record's index (0 also for the batch as a whole: then its column is "")."""
    if not may_write_programmes(actor, institution):
        raise PermissionDenied
    result = _import(
        institution, lambda lookups: check_programme_rows(enumerate(records), lookups, name)
    )
    result.errors = [problem.message for problem in result.problems]
    return result


def _import(
    institution: Organisation,
    check: Callable[[_Lookups], tuple[list[_Row], list[RowProblem]]],
) -> InstitutionImportResult:
    result = InstitutionImportResult()
    with transaction.atomic():
        # One import or change of the structure at a time: the checks below then hold.
        Organisation.objects.select_for_update().filter(pk=institution.pk).first()
        lookups = _Lookups(institution)
        try:
            rows, problems = check(lookups)
        except UnreadableExport as error:
            rows, problems = [], [RowProblem(0, "", str(error))]
        if problems:
            result.problems = problems
            return result
        refusals = [
            RowProblem(row.line, "einddatum", refusal)
            for row in rows
            if (programme := lookups.programmes.get(row.key)) is not None
            and (refusal := _end_refusal(row, programme))
        ]
        if refusals:
            result.problems = refusals
            return result
        try:
            _write(institution, rows, lookups, result)
        except ValidationError as error:  # a database rule the checks missed
            transaction.set_rollback(True)
            return InstitutionImportResult(
                problems=[RowProblem(0, "", message) for message in error.messages]
            )
    return result


def _write(
    institution: Organisation,
    rows: list[_Row],
    lookups: _Lookups,
    result: InstitutionImportResult,
) -> None:
    for row in rows:
        location = lookups.locations.get(row.location.lower())
        if location is None:
            assert row.municipality is not None  # noqa: S101 - checked: a new location has one
            location = Location.objects.create(
                institution=institution, name=row.location, municipality=row.municipality
            )
            lookups.locations[row.location.lower()] = location
            result.locations_created += 1
        location_changed = False
        if row.municipality is not None and location.municipality_id != row.municipality.pk:
            location.municipality = row.municipality
            location.save(update_fields=["municipality"])
            location_changed = True
        team_key = (row.location.lower(), row.team.lower())
        team = lookups.teams.get(team_key)
        if team is None:
            team = ProgrammeTeam.objects.create(location=location, name=row.team)
            lookups.teams[team_key] = team
            result.teams_created += 1
        programme = lookups.programmes.get(row.key)
        if programme is None:
            Programme.objects.create(
                team=team,
                crebo=row.crebo,
                name=row.name,
                level=row.level,
                pathway=row.pathway,
                ended_on=row.ended_on,
            )
            result.created += 1
            continue
        new = {
            "team_id": team.pk,
            "name": row.name,
            "level": row.level,
            "ended_on": row.ended_on,
        }
        if any(getattr(programme, k) != v for k, v in new.items()):
            for k, v in new.items():
                setattr(programme, k, v)
            programme.save(update_fields=["team", "name", "level", "ended_on"])
            result.updated += 1
        elif location_changed:
            result.updated += 1
        else:
            result.unchanged += 1
