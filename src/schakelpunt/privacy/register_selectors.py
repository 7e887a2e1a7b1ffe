"""The register of processing activities as the privacy officer reads it (AVG art. 30), built
from `register.py`; and the checks that keep that module complete.

The page, `schakelpunt privacy register --format md|csv` and the tests all read from here, so the
three cannot differ.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.apps.registry import Apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _

from schakelpunt.core.exports import csv_writer

from .register import (
    ACTIVITIES,
    BASIS_ARTICLES,
    CATEGORY_SUBJECTS,
    MODEL_CATEGORIES,
    MODEL_HOLDS,
    NO_PERSONAL_DATA,
    RETENTION,
    DataCategory,
    RetentionRule,
)

# --- The checks -------------------------------------------------------------------------------

# Models that point at a person: a table referring to one of these holds personal data.
PERSON_MODELS = ("students.Student", "students.Guardian", settings.AUTH_USER_MODEL)
# Field names that say "a person's name, address, number or contact": such a field may not sit
# in a table declared to hold no personal data. A bare `name` is an organisation's or a place's
# name in the tables that may hold one (NAMES_OF_THINGS); anywhere else it is a person's.
PERSONAL_FIELD = re.compile(
    r"(^|_)(first_name|last_name|name_prefix|preferred_name|full_name|initials|email|e_mail|"
    r"bsn|phone|telephone|mobile|postcode|postal_code|zip|address|date_of_birth|birth|"
    r"username|ip_address|user_agent|student|user|guardian|parent)($|_|s$)"
)
NAMES_OF_THINGS = frozenset(
    {
        "auth.Permission",
        "auth.Group",
        "refdata.RmcRegion",
        "refdata.Municipality",
        "refdata.RegionalHoliday",
        "accounts.Organisation",
        "accounts.Location",
        "accounts.ProgrammeTeam",
        "accounts.Programme",
        "accounts.IdentityProvider",
        "funding.FundingStream",
    }
)


def installed_models(registry: Apps = apps) -> dict[str, type[models.Model]]:
    """Every table Django manages, by "app_label.ModelName", many-to-many tables included."""
    return {
        model._meta.label: model
        for model in registry.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def unregistered_models(registry: Apps = apps) -> list[str]:
    """The models that are in neither MODEL_CATEGORIES nor NO_PERSONAL_DATA: each is a table
    whose personal data the register does not account for."""
    return sorted(
        label
        for label in installed_models(registry)
        if label not in MODEL_CATEGORIES and label not in NO_PERSONAL_DATA
    )


def doubly_registered() -> list[str]:
    """Models in both MODEL_CATEGORIES and NO_PERSONAL_DATA: one of the two is wrong."""
    return sorted(set(MODEL_CATEGORIES) & set(NO_PERSONAL_DATA))


def stale_entries() -> list[str]:
    """Entries for models that no longer exist (a renamed or removed model)."""
    installed = installed_models()
    return sorted(
        label for label in [*MODEL_CATEGORIES, *NO_PERSONAL_DATA] if label not in installed
    )


def _person_reasons(model: type[models.Model]) -> list[str]:
    reasons = []
    label = model._meta.label
    for field in model._meta.get_fields():
        if not field.concrete:
            continue
        related = field.related_model
        if field.is_relation and related is not None:
            target = related if isinstance(related, str) else related._meta.label
            if target in PERSON_MODELS:
                reasons.append(f"{field.name} -> {target}")
                continue
        person_name = field.name == "name" and label not in NAMES_OF_THINGS
        column = getattr(field, "column", None) or ""
        if person_name or PERSONAL_FIELD.search(field.name) or PERSONAL_FIELD.search(column):
            reasons.append(field.name)
    return reasons


def hidden_personal_data(
    registry: Apps = apps, no_personal_data: Iterable[str] | None = None
) -> dict[str, list[str]]:
    """Tables declared to hold no personal data that refer to a student, guardian or user, or have a field named like a person's name, address or number: label -> the fields."""
    models_by_label = installed_models(registry)
    labels = NO_PERSONAL_DATA if no_personal_data is None else no_personal_data
    found = {}
    for label in labels:
        model = models_by_label.get(label)
        if model is not None and (reasons := _person_reasons(model)):
            found[label] = reasons
    return found


# --- The register -----------------------------------------------------------------------------


def period_text(rule: RetentionRule) -> str:
    """ "2 jaar", "30 dagen", "1 jaar en 30 dagen"; "" when the data go at the moment itself."""
    parts = []
    if rule.years:
        parts.append(_("%(n)s jaar") % {"n": rule.years})
    if rule.days:
        parts.append(_("%(n)s dagen") % {"n": rule.days} if rule.days != 1 else _("1 dag"))
    return _(" en ").join(parts)


def retention_text(rule: RetentionRule) -> str:
    """The period with its start, as a sentence part: "2 jaar na uitschrijving"."""
    return " ".join(part for part in (period_text(rule), str(rule.starts)) if part)


@dataclass(frozen=True)
class CategoryLine:
    code: str
    label: str
    tables: list[str]  # "studenten: naam, … (students.Student)"
    retention: str
    retention_source: str


@dataclass(frozen=True)
class RegisterEntry:
    code: str
    name: str
    purpose: str
    legal_basis: str
    basis_article: str
    legal_source: str
    subjects: list[str]  # about whom: the people its categories are about
    categories: list[CategoryLine]
    receivers: str
    source: str
    objectable: bool


def tables_holding(category: DataCategory) -> list[str]:
    """What each table with this category holds, those whose main category it is first, in the
    order of the register (students before the log)."""
    holding = [label for label, held in MODEL_CATEGORIES.items() if category in held]
    holding.sort(key=lambda label: MODEL_CATEGORIES[label][0] != category)
    return [f"{MODEL_HOLDS[label]} ({label})" for label in holding]


def category_line(category: DataCategory) -> CategoryLine:
    rule = RETENTION[category]
    return CategoryLine(
        code=category.value,
        label=str(category.label),
        tables=tables_holding(category),
        retention=retention_text(rule),
        retention_source=rule.legal_source,
    )


def subjects_of(categories: Iterable[DataCategory]) -> list[str]:
    """The people the categories are about, each once, in the order they first appear."""
    subjects = [str(s) for category in categories for s in CATEGORY_SUBJECTS[category]]
    return list(dict.fromkeys(subjects))


def processing_register() -> list[RegisterEntry]:
    """One entry per processing activity, in the order of the register in code."""
    return [
        RegisterEntry(
            code=p.activity.value,
            name=str(p.activity.label),
            purpose=str(p.purpose),
            legal_basis=str(p.legal_basis.label),
            basis_article=BASIS_ARTICLES[p.legal_basis],
            legal_source=p.legal_source,
            subjects=subjects_of(p.categories),
            categories=[category_line(c) for c in p.categories],
            receivers=str(p.receivers),
            source=str(p.source),
            objectable=p.objectable,
        )
        for p in ACTIVITIES.values()
    ]


def tables_without_personal_data() -> list[tuple[str, str]]:
    return [(label, str(reason)) for label, reason in sorted(NO_PERSONAL_DATA.items())]


def _yes_no(value: bool) -> str:
    return _("ja") if value else _("nee")


def csv_header() -> list[str]:
    return [
        _("Verwerking"),
        _("Code"),
        _("Doel"),
        _("Grondslag"),
        _("Artikel grondslag"),
        _("Wettelijke bron"),
        _("Betrokkenen"),
        _("Categorieën van gegevens"),
        _("Tabellen"),
        _("Bewaartermijnen"),
        _("Bron bewaartermijnen"),
        _("Ontvangers"),
        _("Herkomst"),
        _("Bezwaar mogelijk (AVG art. 21)"),
    ]


def register_csv() -> str:
    """The register as CSV, one row per activity: `;`, UTF-8 with a BOM as every export."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(csv_header())
    for entry in processing_register():
        writer.writerow(
            [
                entry.name,
                entry.code,
                entry.purpose,
                entry.legal_basis,
                entry.basis_article,
                entry.legal_source,
                ", ".join(entry.subjects),
                " | ".join(c.label for c in entry.categories),
                " | ".join(f"{c.label}: {', '.join(c.tables) or '—'}" for c in entry.categories),
                " | ".join(f"{c.label}: {c.retention}" for c in entry.categories),
                " | ".join(f"{c.label}: {c.retention_source}" for c in entry.categories),
                entry.receivers,
                entry.source,
                _yes_no(entry.objectable),
            ]
        )
    return "\ufeff" + out.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def register_markdown() -> str:
    """The register as Markdown: a section per activity, then the tables without personal
    data, each with its reason."""
    lines = [
        "# " + _("Register van verwerkingen"),
        "",
        _(
            "Gemaakt door Schakelpunt uit het register in de code "
            "(schakelpunt/privacy/register.py). Bewaartermijnen per categorie van gegevens. "
            "Verwerkingsverantwoordelijke is de school van de student; de beveiliging staat "
            "beschreven in docs/privacy.md."
        ),
        "",
    ]
    for entry in processing_register():
        lines += [
            f"## {entry.name} (`{entry.code}`)",
            "",
            f"- **{_('Doel')}:** {entry.purpose}",
            f"- **{_('Grondslag')}:** {entry.legal_basis} ({entry.basis_article})",
            f"- **{_('Wettelijke bron')}:** {entry.legal_source}",
            f"- **{_('Betrokkenen')}:** {', '.join(entry.subjects)}",
            f"- **{_('Ontvangers')}:** {entry.receivers}",
            f"- **{_('Herkomst')}:** {entry.source}",
            f"- **{_('Bezwaar mogelijk (AVG art. 21)')}:** {_yes_no(entry.objectable)}",
            "",
            "| "
            + " | ".join(
                [_("Gegevens"), _("Tabellen"), _("Bewaartermijn"), _("Bron bewaartermijn")]
            )
            + " |",
            "|---|---|---|---|",
        ]
        for c in entry.categories:
            cells = [c.label, "; ".join(c.tables) or "—", c.retention, c.retention_source]
            lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
        lines.append("")
    lines += [
        "## " + _("Tabellen zonder persoonsgegevens"),
        "",
        "| " + _("Tabel") + " | " + _("Waarom geen persoonsgegevens") + " |",
        "|---|---|",
    ]
    lines += [f"| {label} | {_cell(reason)} |" for label, reason in tables_without_personal_data()]
    return "\n".join(lines) + "\n"
