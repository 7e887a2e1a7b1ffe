"""The sociale kaart as Open Referral HSDS 3 JSON: export, validation and import.

`directory_export()` writes every organisation and service; `directory_import()` reads such a
document all-or-nothing: a document that does not validate against `hsds_schema.DOCUMENT`, or
that refers to things it does not contain, is refused with every error and changes nothing.
Identifiers are kept, and the identifiers of derived objects (funding, areas, attributes,
capacity) are derived from their service's, so export → import → export gives the same
document, and importing the same file twice changes nothing the second time.

Dutch specifics travel as HSDS attributes with Schakelpunt taxonomies: the life domains, the
entry-point flag (toegang), "needs a municipal decision" (beschikking) and the agreed days to
first contact. The law or budget is the funding `source`; the municipalities a team serves are
service areas whose `extent` is the CBS code.
"""

import codecs
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from schakelpunt.accounts.models import Location, Organisation
from schakelpunt.refdata.models import Municipality
from schakelpunt.support.models import LifeDomain

from . import hsds_schema
from .models import (
    Contact,
    DirectoryLocation,
    DirectoryOrganisation,
    Law,
    OpeningHours,
    Service,
    ServiceAtLocation,
    Weekday,
)
from .selectors import search_text_for

TAXONOMY_DOMAIN = "schakelpunt-leefgebied"
TAXONOMY_FEATURE = "schakelpunt-kenmerk"
FEATURE_ENTRY_POINT = "toegang"
FEATURE_DECISION = "beschikking"
FEATURE_FIRST_CONTACT = "eerste-contact-dagen"
FEATURES = {
    FEATURE_ENTRY_POINT: "Toegang: wijkteam of jeugdteam van de gemeente",
    FEATURE_DECISION: "Beschikking van de gemeente nodig",
    FEATURE_FIRST_CONTACT: "Eerste contact binnen zoveel kalenderdagen na acceptatie",
}
AREA_EXTENT_TYPE = "cbs_gemeentecode"
SCHOOL_LOCATION_ID_TYPE = "schakelpunt_schoollocatie"
CAPACITY_UNIT = {"id": "3f0c2b5e-8f7a-5b8e-9c41-6a1d2e7f0b11", "name": "plek"}
_NAMESPACE = uuid.UUID("6c1f6f0e-52a4-4c9a-8f1e-2b5c9a1e7d30")
_WAIT = re.compile(r"^\s*(\d+)\s*(dag|dagen|week|weken)\s*$", re.IGNORECASE)


def _derived(owner: uuid.UUID, what: str) -> str:
    return str(uuid.uuid5(owner, what))


def _term(taxonomy: str, code: str, name: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(_NAMESPACE, f"{taxonomy}:{code}")),
        "code": code,
        "name": name,
        "description": name,
        "taxonomy": taxonomy,
    }


def _attribute(service: Service, taxonomy: str, code: str, name: str, value: str = "") -> dict:
    term = _term(taxonomy, code, name)
    attribute: dict[str, Any] = {
        "id": _derived(service.uuid, f"attribute:{taxonomy}:{code}"),
        "link_id": str(service.uuid),
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }
    if value:
        attribute["value"] = value
    return attribute


def _some(**values: Any) -> dict[str, Any]:
    """Only the fields that have a value: HSDS leaves out what is unknown."""
    return {k: v for k, v in values.items() if v not in ("", None, [])}


def _phones(owner: uuid.UUID, number: str) -> list[dict[str, Any]]:
    return [{"id": _derived(owner, "phone"), "number": number}] if number else []


def _hours(hours: list[OpeningHours]) -> list[dict[str, Any]]:
    return [
        {
            "id": str(h.uuid),
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": h.weekday,
            "opens_at": h.opens_at.strftime("%H:%M"),
            "closes_at": h.closes_at.strftime("%H:%M"),
        }
        for h in sorted(hours, key=lambda h: (Weekday.values.index(h.weekday), h.opens_at))
    ]


def _contact(c: Contact) -> dict[str, Any]:
    return _some(
        id=str(c.uuid),
        name=c.name,
        title=c.title,
        email=c.email,
        phones=_phones(c.uuid, c.phone),
    )


def _location(loc: DirectoryLocation) -> dict[str, Any]:
    address = []
    if loc.address or loc.city or loc.postal_code or loc.municipality:
        address.append(
            {
                "id": _derived(loc.uuid, "address"),
                "address_1": loc.address,
                "city": loc.city,
                **({"region": loc.municipality.name} if loc.municipality else {}),
                "state_province": loc.municipality.province if loc.municipality else "",
                "postal_code": loc.postal_code,
                "country": "NL",
                "address_type": "physical",
            }
        )
    school = loc.school_location
    return _some(
        id=str(loc.uuid),
        location_type="physical",
        organization_id=str(loc.organisation.uuid),
        name=loc.name,
        description=loc.description,
        external_identifier=(
            f"{school.institution.brin or school.institution.name}/{school.name}" if school else ""
        ),
        external_identifier_type=SCHOOL_LOCATION_ID_TYPE if school else "",
        addresses=address,
        schedules=_hours(list(loc.hours.all())),
    )


def _service(s: Service) -> dict[str, Any]:
    attributes = [
        _attribute(s, TAXONOMY_DOMAIN, code, str(LifeDomain(code).label))
        for code in LifeDomain.values
        if code in s.life_domains
    ]
    if s.is_entry_point:
        attributes.append(
            _attribute(s, TAXONOMY_FEATURE, FEATURE_ENTRY_POINT, FEATURES[FEATURE_ENTRY_POINT])
        )
    if s.needs_decision:
        attributes.append(
            _attribute(s, TAXONOMY_FEATURE, FEATURE_DECISION, FEATURES[FEATURE_DECISION])
        )
    attributes.append(
        _attribute(
            s,
            TAXONOMY_FEATURE,
            FEATURE_FIRST_CONTACT,
            FEATURES[FEATURE_FIRST_CONTACT],
            str(s.first_contact_days),
        )
    )
    capacities = []
    if s.capacity_available is not None:
        updated = s.capacity_updated_at or s.updated_at
        capacities.append(
            _some(
                id=_derived(s.uuid, "capacity"),
                unit=CAPACITY_UNIT,
                available=s.capacity_available,
                maximum=s.capacity_maximum,
                updated=updated.isoformat(),
            )
        )
    return _some(
        id=str(s.uuid),
        organization_id=str(s.organisation.uuid),
        name=s.name,
        description=s.description,
        status=s.status,
        email=s.email,
        url=s.url,
        phones=_phones(s.uuid, s.phone),
        eligibility_description=s.eligibility,
        application_process=s.application_process,
        minimum_age=s.minimum_age,
        maximum_age=s.maximum_age,
        wait_time=f"{s.wait_days} dagen" if s.wait_days is not None else "",
        assured_date=s.last_checked_on.isoformat(),
        last_modified=s.updated_at.isoformat(),
        funding=[
            {"id": _derived(s.uuid, f"funding:{code}"), "source": str(Law(code).label)}
            for code in Law.values
            if code in s.laws
        ],
        service_areas=[
            {
                "id": _derived(s.uuid, f"area:{m.cbs_code}"),
                "name": m.name,
                "extent": m.cbs_code,
                "extent_type": AREA_EXTENT_TYPE,
            }
            for m in sorted(s.areas.all(), key=lambda m: m.cbs_code)
        ],
        service_at_locations=[
            _some(
                id=str(sal.uuid),
                service_id=str(s.uuid),
                location_id=str(sal.location.uuid),
                description=sal.description,
                schedules=_hours(list(sal.hours.all())),
            )
            for sal in sorted(s.at_locations.all(), key=lambda sal: str(sal.uuid))
        ],
        contacts=[_contact(c) for c in sorted(s.contacts.all(), key=lambda c: str(c.uuid))],
        capacities=capacities,
        attributes=attributes,
    )


def directory_export() -> dict[str, Any]:
    """Every organisation and service of the sociale kaart as one HSDS 3 document."""
    organisations = DirectoryOrganisation.objects.order_by("uuid").prefetch_related(
        "locations__hours",
        "locations__municipality",
        "locations__school_location__institution",
        "contacts",
    )
    services = (
        Service.objects.order_by("uuid")
        .select_related("organisation")
        .prefetch_related("areas", "at_locations__location", "at_locations__hours", "contacts")
    )
    return {
        "organizations": [
            _some(
                id=str(o.uuid),
                name=o.name,
                description=o.description,
                email=o.email,
                website=o.website,
                phones=_phones(o.uuid, o.phone),
                contacts=[
                    _contact(c)
                    for c in sorted(o.contacts.all(), key=lambda c: str(c.uuid))
                    if c.service_id is None
                ],
                locations=[
                    _location(loc) for loc in sorted(o.locations.all(), key=lambda x: str(x.uuid))
                ],
            )
            for o in organisations
        ],
        "services": [_service(s) for s in services],
    }


def directory_export_json() -> str:
    return json.dumps(directory_export(), ensure_ascii=False, indent=2) + "\n"


# --- validation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=["uuid", "email", "date"])

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parsed = datetime.fromisoformat(value)
        return parsed.tzinfo is not None and "T" in value.upper()

    @checker.checks("uri", raises=ValueError)
    def _uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme and (parts.netloc or parts.path))

    return checker


_VALIDATOR = Draft202012Validator(hsds_schema.DOCUMENT, format_checker=_format_checker())
_FORMAT_NAMES = {
    "uuid": "UUID",
    "email": "e-mailadres",
    "uri": "webadres (URI)",
    "date": "datum (JJJJ-MM-DD)",
    "date-time": "datum en tijd met tijdzone",
}


def _path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _dutch(error: ValidationError) -> str:
    kind = error.validator
    if kind == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return _("verplicht veld ontbreekt: %(field)s") % {
            "field": missing[0] if missing else error.message
        }
    if kind == "type":
        names = {"string": "tekst", "number": "getal", "array": "lijst", "object": "object"}
        wanted: Any = error.validator_value
        wanted_list = [str(w) for w in (wanted if isinstance(wanted, list) else [wanted])]
        return _("moet een %(type)s zijn") % {
            "type": " of ".join(names.get(w, w) for w in wanted_list)
        }
    if kind == "format":
        return _("is geen geldige %(format)s: %(value)s") % {
            "format": _FORMAT_NAMES.get(str(error.validator_value), error.validator_value),
            "value": json.dumps(error.instance, ensure_ascii=False),
        }
    if kind == "enum":
        return _("ongeldige waarde %(value)s; toegestaan: %(allowed)s") % {
            "value": json.dumps(error.instance, ensure_ascii=False),
            "allowed": ", ".join(str(v) for v in _listed(error.validator_value)),
        }
    if kind == "pattern":
        return _("ongeldige waarde %(value)s") % {
            "value": json.dumps(error.instance, ensure_ascii=False)
        }
    if kind == "minimum":
        return _("mag niet kleiner zijn dan %(min)s") % {"min": error.validator_value}
    if kind == "minLength":
        return _("mag niet leeg zijn")
    return error.message


def document_errors(document: Any) -> list[DocumentError]:
    """Schema errors first (by place in the document), then references that do not resolve."""
    schema_errors = sorted(
        _VALIDATOR.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]
    )
    errors = [DocumentError(_path(e.absolute_path), _dutch(e)) for e in schema_errors]
    if errors:
        return errors
    return _reference_errors(document)


def _reference_errors(document: dict[str, Any]) -> list[DocumentError]:
    errors: list[DocumentError] = []
    seen: dict[str, str] = {}

    def unique(value: str, where: str) -> None:
        if value in seen:
            errors.append(
                DocumentError(
                    where,
                    _("id %(id)s komt al voor bij %(other)s") % {"id": value, "other": seen[value]},
                )
            )
        seen[value] = where

    organisation_ids: set[str] = set()
    location_ids: set[str] = set()
    municipalities = _municipality_lookup()
    for i, org in enumerate(document["organizations"]):
        where = f"organizations[{i}]"
        unique(org["id"], where)
        organisation_ids.add(org["id"])
        for j, loc in enumerate(org.get("locations", [])):
            unique(loc["id"], f"{where}.locations[{j}]")
            location_ids.add(loc["id"])
            for k, address in enumerate(loc.get("addresses", [])):
                region = address.get("region", "")
                if region and region.casefold() not in municipalities:
                    errors.append(
                        DocumentError(
                            f"{where}.locations[{j}].addresses[{k}].region",
                            _("onbekende gemeente: %(name)s") % {"name": region},
                        )
                    )
            errors += _schedule_errors(loc.get("schedules", []), f"{where}.locations[{j}]")
    laws = _law_lookup()
    domains = set(LifeDomain.values)
    for i, svc in enumerate(document["services"]):
        where = f"services[{i}]"
        unique(svc["id"], where)
        if svc["organization_id"] not in organisation_ids:
            errors.append(
                DocumentError(
                    f"{where}.organization_id",
                    _("organisatie %(id)s staat niet in het bestand")
                    % {"id": svc["organization_id"]},
                )
            )
        low, high = svc.get("minimum_age"), svc.get("maximum_age")
        if low is not None and high is not None and low > high:
            errors.append(DocumentError(f"{where}.maximum_age", _("ligt onder de minimumleeftijd")))
        if "wait_time" in svc and not _WAIT.match(svc["wait_time"]):
            errors.append(
                DocumentError(
                    f"{where}.wait_time",
                    _("schrijf de wachttijd als '21 dagen' of '3 weken', niet %(value)s")
                    % {"value": json.dumps(svc["wait_time"], ensure_ascii=False)},
                )
            )
        for j, funding in enumerate(svc.get("funding", [])):
            if funding.get("source", "").casefold() not in laws:
                errors.append(
                    DocumentError(
                        f"{where}.funding[{j}].source",
                        _("onbekende wet of financiering: %(value)s; toegestaan: %(allowed)s")
                        % {
                            "value": json.dumps(funding.get("source", ""), ensure_ascii=False),
                            "allowed": ", ".join(str(label) for label in Law.labels),
                        },
                    )
                )
        for j, area in enumerate(svc.get("service_areas", [])):
            if _area_municipality(area, municipalities) is None:
                errors.append(
                    DocumentError(
                        f"{where}.service_areas[{j}]",
                        _("onbekende gemeente: %(name)s")
                        % {"name": area.get("extent") or area.get("name", "")},
                    )
                )
        for j, sal in enumerate(svc.get("service_at_locations", [])):
            unique(sal["id"], f"{where}.service_at_locations[{j}]")
            if sal["location_id"] not in location_ids:
                errors.append(
                    DocumentError(
                        f"{where}.service_at_locations[{j}].location_id",
                        _("locatie %(id)s staat niet in het bestand") % {"id": sal["location_id"]},
                    )
                )
            errors += _schedule_errors(
                sal.get("schedules", []), f"{where}.service_at_locations[{j}]"
            )
        for j, attribute in enumerate(svc.get("attributes", [])):
            term = attribute.get("taxonomy_term") or {}
            code, taxonomy = term.get("code", ""), term.get("taxonomy", "")
            if taxonomy == TAXONOMY_DOMAIN and code not in domains:
                errors.append(
                    DocumentError(
                        f"{where}.attributes[{j}]",
                        _("onbekend leefgebied: %(code)s") % {"code": code},
                    )
                )
            if taxonomy == TAXONOMY_FEATURE and code == FEATURE_FIRST_CONTACT:
                value = attribute.get("value", "")
                if not value.isdigit() or not 1 <= int(value) <= 90:
                    errors.append(
                        DocumentError(
                            f"{where}.attributes[{j}].value",
                            _("eerste contact: een aantal dagen van 1 tot en met 90"),
                        )
                    )
        for j, contact in enumerate(svc.get("contacts", [])):
            unique(contact["id"], f"{where}.contacts[{j}]")
    return errors


def _schedule_errors(schedules: list[dict[str, Any]], where: str) -> list[DocumentError]:
    errors = []
    for k, schedule in enumerate(schedules):
        if not schedule.get("byday") or "," in schedule["byday"]:
            errors.append(
                DocumentError(f"{where}.schedules[{k}].byday", _("één weekdag per openingstijd"))
            )
        opens, closes = schedule.get("opens_at"), schedule.get("closes_at")
        if not opens or not closes:
            errors.append(
                DocumentError(
                    f"{where}.schedules[{k}]", _("openingstijd zonder opens_at en closes_at")
                )
            )
        elif time.fromisoformat(opens) >= time.fromisoformat(closes):
            errors.append(
                DocumentError(f"{where}.schedules[{k}].closes_at", _("ligt niet na opens_at"))
            )
    return errors


def _municipality_lookup() -> dict[str, Municipality]:
    lookup: dict[str, Municipality] = {}
    for m in Municipality.objects.all():
        lookup[m.name.casefold()] = m
        lookup[m.cbs_code.casefold()] = m
    return lookup


def _law_lookup() -> dict[str, str]:
    lookup = {str(label).casefold(): code for code, label in Law.choices}
    lookup.update({code: code for code in Law.values})
    return lookup


def _area_municipality(
    area: dict[str, Any], municipalities: dict[str, Municipality]
) -> Municipality | None:
    for key in (area.get("extent", ""), area.get("name", "")):
        if key and key.casefold() in municipalities:
            return municipalities[key.casefold()]
    return None


# --- import -------------------------------------------------------------------------------


@dataclass
class ImportResult:
    errors: list[DocumentError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def directory_import(data: bytes) -> ImportResult:
    """Read an HSDS document into the sociale kaart: all of it, or (with errors) nothing."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _refused(
            _("Het bestand is UTF-16; een HSDS-bestand is UTF-8. Sla het op als UTF-8.")
        )
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        return _refused(
            _("Het bestand is geen UTF-8-tekst (regel %(line)s).")
            % {"line": data.count(b"\n", 0, error.start) + 1}
        )
    except RecursionError:
        return _refused(_too_deep())
    except json.JSONDecodeError as error:
        return ImportResult(
            [
                DocumentError(
                    "",
                    _("Het bestand is geen geldige JSON (regel %(line)s, kolom %(col)s).")
                    % {"line": error.lineno, "col": error.colno},
                )
            ]
        )
    if _depth(document) > MAX_DEPTH:
        return _refused(_too_deep())
    errors = document_errors(document)
    if errors:
        return ImportResult(errors)
    result = ImportResult()
    try:
        with transaction.atomic():
            _Importer(result).run(document)
    except _TooLong as error:  # the whole import is rolled back
        return _refused(str(error))
    return result


class _TooLong(ValueError):
    pass


def _check_lengths(model: Any, uid: str, values: dict[str, Any]) -> None:
    """Text longer than its column: refused by name (PostgreSQL would refuse it with a 500)."""
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        column = model._meta.get_field(name)
        limit = getattr(column, "max_length", None)
        if limit and len(value) > limit:
            raise _TooLong(
                _("%(record)s %(id)s: %(field)s is langer dan %(limit)s tekens (%(length)s).")
                % {
                    "record": model._meta.verbose_name,
                    "id": uid,
                    "field": column.verbose_name,
                    "limit": limit,
                    "length": f"{len(value):,}".replace(",", "."),
                }
            )


# An HSDS 3 document nests about six levels deep; far deeper is no sociale kaart.
MAX_DEPTH = 32


def _refused(message: str) -> ImportResult:
    return ImportResult([DocumentError("", message)])


def _too_deep() -> str:
    return _("Het bestand is dieper genest dan %(depth)s niveaus; dat is geen HSDS-bestand.") % {
        "depth": MAX_DEPTH
    }


def _depth(document: Any) -> int:
    """How deep lists and objects nest (without recursion, whatever the input)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:  # one level past the limit is enough to refuse
            stack.extend((child, depth + 1) for child in value)
    return deepest


def _snapshot(obj: Any, fields: list[str]) -> tuple[Any, ...]:
    """The values to compare; a foreign key by its id (no query for the related row)."""
    return tuple(getattr(obj, obj._meta.get_field(f).attname) for f in fields)


class _Importer:
    def __init__(self, result: ImportResult) -> None:
        self.result = result
        self.municipalities = _municipality_lookup()
        self.laws = _law_lookup()
        self.locations: dict[str, DirectoryLocation] = {}
        self.organisations: dict[str, DirectoryOrganisation] = {}

    def _count(self, created: bool, changed: bool) -> None:
        if created:
            self.result.created += 1
        elif changed:
            self.result.updated += 1
        else:
            self.result.unchanged += 1

    def _upsert(self, model: Any, uid: str, values: dict[str, Any]) -> tuple[Any, bool]:
        """Create or update one row by HSDS id; counts it. Returns (row, changed)."""
        _check_lengths(model, uid, values)
        obj = model.objects.filter(uuid=uid).first()
        if obj is None:
            obj = model.objects.create(uuid=uid, **values)
            self._count(True, True)
            return obj, True
        fields = list(values)
        before = _snapshot(obj, fields)
        for name, value in values.items():
            setattr(obj, name, value)
        changed = before != _snapshot(obj, fields)
        if changed:
            if hasattr(obj, "version"):
                # An editor who opened the entry before the import must not overwrite it.
                obj.version += 1
                fields.append("version")
            obj.save(update_fields=fields)
        self._count(False, changed)
        return obj, changed

    def run(self, document: dict[str, Any]) -> None:
        for org in document["organizations"]:
            self._organisation(org)
        for svc in document["services"]:
            self._service(svc)

    def _organisation(self, org: dict[str, Any]) -> None:
        values = {
            "name": org["name"],
            "description": org["description"],
            "email": org.get("email", ""),
            "website": org.get("website", ""),
            "phone": _first_phone(org),
        }
        obj, _changed = self._upsert(DirectoryOrganisation, org["id"], values)
        if obj.account_id is None:
            account = Organisation.objects.filter(name=obj.name).first()
            if account is not None and not hasattr(account, "directory_entry"):
                obj.account = account
                obj.save(update_fields=["account"])
        self.organisations[org["id"]] = obj
        for contact in org.get("contacts", []):
            self._contact(contact, obj, None)
        for loc in org.get("locations", []):
            self._location(loc, obj)

    def _location(self, loc: dict[str, Any], organisation: DirectoryOrganisation) -> None:
        address = (loc.get("addresses") or [{}])[0]
        region = address.get("region", "")
        values = {
            "organisation": organisation,
            "name": loc.get("name", ""),
            "description": loc.get("description", ""),
            "address": address.get("address_1", ""),
            "postal_code": address.get("postal_code", ""),
            "city": address.get("city", ""),
            "municipality": self.municipalities.get(region.casefold()) if region else None,
            "school_location": _school_location(loc),
        }
        obj, _changed = self._upsert(DirectoryLocation, loc["id"], values)
        self.locations[loc["id"]] = obj
        self._hours(loc.get("schedules", []), location=obj)

    def _hours(
        self,
        schedules: list[dict[str, Any]],
        *,
        location: DirectoryLocation | None = None,
        service_at_location: ServiceAtLocation | None = None,
    ) -> None:
        owner: dict[str, Any] = (
            {"location": location} if location else {"service_at_location": service_at_location}
        )
        keep = {s["id"] for s in schedules}
        OpeningHours.objects.filter(**owner).exclude(uuid__in=keep).delete()
        for schedule in schedules:
            self._upsert(
                OpeningHours,
                schedule["id"],
                {
                    **owner,
                    "weekday": schedule["byday"],
                    "opens_at": time.fromisoformat(schedule["opens_at"]),
                    "closes_at": time.fromisoformat(schedule["closes_at"]),
                },
            )

    def _contact(
        self, contact: dict[str, Any], organisation: DirectoryOrganisation, service: Service | None
    ) -> None:
        self._upsert(
            Contact,
            contact["id"],
            {
                "organisation": organisation,
                "service": service,
                "name": contact.get("name", ""),
                "title": contact.get("title", ""),
                "email": contact.get("email", ""),
                "phone": _first_phone(contact),
            },
        )

    def _service(self, svc: dict[str, Any]) -> None:
        organisation = self.organisations[svc["organization_id"]]
        features = {
            (a["taxonomy_term"].get("taxonomy"), a["taxonomy_term"].get("code")): a.get("value", "")
            for a in svc.get("attributes", [])
            if a.get("taxonomy_term")
        }
        capacity = (svc.get("capacities") or [None])[0]
        wait = _WAIT.match(svc["wait_time"]) if "wait_time" in svc else None
        values = {
            "organisation": organisation,
            "name": svc["name"],
            "description": svc.get("description", ""),
            "status": svc["status"],
            "email": svc.get("email", ""),
            "url": svc.get("url", ""),
            "phone": _first_phone(svc),
            "life_domains": [
                code for code in LifeDomain.values if (TAXONOMY_DOMAIN, code) in features
            ],
            "laws": sorted(
                {self.laws[f["source"].casefold()] for f in svc.get("funding", [])},
                key=Law.values.index,
            ),
            "minimum_age": _int_or_none(svc.get("minimum_age")),
            "maximum_age": _int_or_none(svc.get("maximum_age")),
            "eligibility": svc.get("eligibility_description", ""),
            "application_process": svc.get("application_process", ""),
            "needs_decision": (TAXONOMY_FEATURE, FEATURE_DECISION) in features,
            "is_entry_point": (TAXONOMY_FEATURE, FEATURE_ENTRY_POINT) in features,
            "first_contact_days": int(features.get((TAXONOMY_FEATURE, FEATURE_FIRST_CONTACT)) or 8),
            "wait_days": (
                int(wait.group(1)) * (7 if wait.group(2).lower().startswith("we") else 1)
                if wait
                else None
            ),
            "capacity_available": _int_or_none(capacity["available"]) if capacity else None,
            "capacity_maximum": _int_or_none(capacity.get("maximum")) if capacity else None,
            "capacity_updated_at": (
                datetime.fromisoformat(capacity["updated"]) if capacity else None
            ),
            "last_checked_on": (
                date.fromisoformat(svc["assured_date"])
                if "assured_date" in svc
                else timezone.localdate()
            ),
            "updated_at": (
                datetime.fromisoformat(svc["last_modified"])
                if "last_modified" in svc
                else timezone.now()
            ),
        }
        service, _changed = self._upsert(Service, svc["id"], values)
        areas = {
            m.pk
            for m in (
                _area_municipality(a, self.municipalities) for a in svc.get("service_areas", [])
            )
            if m is not None
        }
        if set(service.areas.values_list("pk", flat=True)) != areas:
            service.areas.set(areas)
        keep = {sal["id"] for sal in svc.get("service_at_locations", [])}
        service.at_locations.exclude(uuid__in=keep).delete()
        for sal in svc.get("service_at_locations", []):
            obj, _changed = self._upsert(
                ServiceAtLocation,
                sal["id"],
                {
                    "service": service,
                    "location": self.locations[sal["location_id"]],
                    "description": sal.get("description", ""),
                },
            )
            self._hours(sal.get("schedules", []), service_at_location=obj)
        keep = {c["id"] for c in svc.get("contacts", [])}
        service.contacts.exclude(uuid__in=keep).delete()
        for contact in svc.get("contacts", []):
            self._contact(contact, organisation, service)
        text = search_text_for(service)
        if text != service.search_text:
            Service.objects.filter(pk=service.pk).update(search_text=text)


def _first_phone(obj: dict[str, Any]) -> str:
    phones = obj.get("phones") or []
    return str(phones[0]["number"]) if phones else ""


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _school_location(loc: dict[str, Any]) -> Location | None:
    if loc.get("external_identifier_type") != SCHOOL_LOCATION_ID_TYPE:
        return None
    institution, _sep, name = loc.get("external_identifier", "").partition("/")
    return (
        Location.objects.filter(name=name).filter(institution__brin=institution).first()
        or Location.objects.filter(name=name, institution__name=institution).first()
    )
