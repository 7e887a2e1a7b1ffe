"""What Schakelpunt accepts as an HSDS 3 directory document, as a JSON Schema (draft 2020-12).

Written here from the Open Referral HSDS 3.0 specification (and the 3.1 draft for
service_capacity): the objects we read, their required fields, types, formats and code lists.
Unknown fields are allowed, as in HSDS itself. The document is
`{"organizations": [...], "services": [...]}` with locations, contacts and phones nested in
their organization, and schedules, funding, areas, capacities and attributes in their service.
"""

from typing import Any

UUID = {"type": "string", "format": "uuid"}
TEXT = {"type": "string"}
EMAIL = {"type": "string", "format": "email"}
URI = {"type": "string", "format": "uri"}
NUMBER = {"type": "number"}
TIME = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"}


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


def _array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


PHONE = _object(["id", "number"], id=UUID, number=TEXT, extension=NUMBER, type=TEXT)
SCHEDULE = _object(
    ["id"],
    id=UUID,
    freq={"enum": ["WEEKLY", "MONTHLY"]},
    wkst={"enum": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]},
    byday={"type": "string", "pattern": r"^(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*$"},
    opens_at=TIME,
    closes_at=TIME,
    description=TEXT,
)
ADDRESS = _object(
    ["id", "address_1", "city", "state_province", "postal_code", "country", "address_type"],
    id=UUID,
    address_1=TEXT,
    city=TEXT,
    region=TEXT,
    state_province=TEXT,
    postal_code=TEXT,
    country={"type": "string", "pattern": "^[A-Z]{2}$"},
    address_type={"enum": ["physical", "postal", "virtual"]},
)
CONTACT = _object(["id"], id=UUID, name=TEXT, title=TEXT, email=EMAIL, phones=_array(PHONE))
LOCATION = _object(
    ["id", "location_type"],
    id=UUID,
    location_type={"enum": ["physical", "postal", "virtual"]},
    organization_id=UUID,
    name=TEXT,
    description=TEXT,
    external_identifier=TEXT,
    external_identifier_type=TEXT,
    addresses=_array(ADDRESS),
    schedules=_array(SCHEDULE),
    phones=_array(PHONE),
)
ORGANIZATION = _object(
    ["id", "name", "description"],
    id=UUID,
    name={"type": "string", "minLength": 1},
    description=TEXT,
    email=EMAIL,
    website=URI,
    phones=_array(PHONE),
    contacts=_array(CONTACT),
    locations=_array(LOCATION),
)
TAXONOMY_TERM = _object(
    ["id", "name", "description"],
    id=UUID,
    code=TEXT,
    name=TEXT,
    description=TEXT,
    taxonomy=TEXT,
)
ATTRIBUTE = _object(
    ["id"],
    id=UUID,
    taxonomy_term_id=UUID,
    link_id=UUID,
    link_type=TEXT,
    link_entity=TEXT,
    value=TEXT,
    taxonomy_term=TAXONOMY_TERM,
)
FUNDING = _object(["id"], id=UUID, source=TEXT)
SERVICE_AREA = _object(["id"], id=UUID, name=TEXT, description=TEXT, extent=TEXT, extent_type=TEXT)
SERVICE_AT_LOCATION = _object(
    ["id", "location_id"],
    id=UUID,
    service_id=UUID,
    location_id=UUID,
    description=TEXT,
    schedules=_array(SCHEDULE),
)
UNIT = _object(["id", "name"], id=UUID, name=TEXT, scheme=TEXT, identifier=TEXT)
CAPACITY = _object(
    ["id", "unit", "available", "updated"],
    id=UUID,
    unit=UNIT,
    available={"type": "number", "minimum": 0},
    maximum={"type": "number", "minimum": 0},
    description=TEXT,
    updated={"type": "string", "format": "date-time"},
)
SERVICE = _object(
    ["id", "name", "status", "organization_id"],
    id=UUID,
    organization_id=UUID,
    name={"type": "string", "minLength": 1},
    description=TEXT,
    url=URI,
    email=EMAIL,
    status={"enum": ["active", "inactive", "defunct", "temporarily closed"]},
    application_process=TEXT,
    wait_time=TEXT,
    eligibility_description=TEXT,
    minimum_age={"type": "number", "minimum": 0},
    maximum_age={"type": "number", "minimum": 0},
    assured_date={"type": "string", "format": "date"},
    last_modified={"type": "string", "format": "date-time"},
    phones=_array(PHONE),
    schedules=_array(SCHEDULE),
    service_areas=_array(SERVICE_AREA),
    service_at_locations=_array(SERVICE_AT_LOCATION),
    funding=_array(FUNDING),
    contacts=_array(CONTACT),
    capacities=_array(CAPACITY),
    attributes=_array(ATTRIBUTE),
)
DOCUMENT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["organizations", "services"],
    "properties": {
        "organizations": _array(ORGANIZATION),
        "services": _array(SERVICE),
    },
}
