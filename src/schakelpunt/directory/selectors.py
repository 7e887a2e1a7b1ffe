"""Reads of the sociale kaart: search with filters, stale entries, an entry point per municipality.

Search works the same on PostgreSQL and SQLite: every service keeps one lowercase text
without accents (`search_text`) with its words and its filter tokens (`#domein:…`, `#wet:…`,
`#gebied:…`). A query is a few `LIKE` conditions on one table; a region's directory (a few
thousand services) is searched in milliseconds (bench/directory_search.py).
"""

import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from schakelpunt.core.dates import months_before
from schakelpunt.refdata.models import Municipality, RmcRegion
from schakelpunt.students.models import Student

from .models import OpeningHours, Service, ServiceAtLocation, ServiceStatus

# Entries not checked for this long are listed for the administrator and the provider.
STALE_AFTER_MONTHS = 6
# "Available now": active, places free (or not kept) and at most this many days' wait.
AVAILABLE_NOW_MAX_WAIT_DAYS = 7
ALL_AREAS_MARK = "#gebied:alle"


def normalise(text: str) -> str:
    """'Verslavingszorg Tactus, Enschedé' -> 'verslavingszorg tactus, enschede'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def domain_token(code: str) -> str:
    return f"#domein:{code}"


def law_token(code: str) -> str:
    return f"#wet:{code}"


def area_token(cbs_code: str) -> str:
    return f"#gebied:{cbs_code.lower()}"


def search_text_for(service: Service) -> str:
    """Everything a search may hit, for one saved service (with its organisation and areas)."""
    areas = list(service.areas.all()) if service.pk else []
    locations = [sal.location for sal in service.at_locations.select_related("location")]
    words = [
        service.name,
        service.organisation.name,
        service.description,
        service.eligibility,
        *service.life_domain_labels,
        *service.law_labels,
        *(m.name for m in areas),
        *(f"{loc.name} {loc.city}" for loc in locations),
    ]
    tokens = [
        *(domain_token(d) for d in service.life_domains),
        *(law_token(code) for code in service.laws),
        *(area_token(m.cbs_code) for m in areas),
    ]
    if not areas:
        tokens.append(ALL_AREAS_MARK)
    return normalise(" ".join([*words, *tokens]))


@dataclass(frozen=True)
class DirectoryQuery:
    text: str = ""
    life_domain: str = ""
    law: str = ""
    municipality: Municipality | None = None
    age: int | None = None
    available_now: bool = False
    include_inactive: bool = False


def services_search(query: DirectoryQuery) -> QuerySet[Service]:
    services = Service.objects.select_related("organisation")
    if not query.include_inactive:
        services = services.filter(status=ServiceStatus.ACTIVE)
    for word in normalise(query.text).split():
        services = services.filter(search_text__contains=word.lstrip("#"))
    if query.life_domain:
        services = services.filter(search_text__contains=domain_token(query.life_domain))
    if query.law:
        services = services.filter(search_text__contains=law_token(query.law))
    if query.municipality is not None:
        services = services.filter(
            Q(search_text__contains=area_token(query.municipality.cbs_code))
            | Q(search_text__contains=ALL_AREAS_MARK)
        )
    if query.age is not None:
        services = services.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=query.age),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=query.age),
        )
    if query.available_now:
        services = services.filter(
            Q(capacity_available__isnull=True) | Q(capacity_available__gt=0),
            Q(wait_days__isnull=True) | Q(wait_days__lte=AVAILABLE_NOW_MAX_WAIT_DAYS),
            status=ServiceStatus.ACTIVE,
        )
    # The municipalities' entry points after the providers' offers: they are the fallback.
    return services.order_by("is_entry_point", "name", "pk")


def services_with_hours(services: QuerySet[Service]) -> QuerySet[Service]:
    """With the locations and hours prefetched, for a list or a detail page."""
    return services.prefetch_related(
        Prefetch(
            "at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens_at"))
            ),
        ),
        "areas",
    )


def stale_before(today: date | None = None) -> date:
    return months_before(today or timezone.localdate(), STALE_AFTER_MONTHS)


def services_stale(today: date | None = None) -> QuerySet[Service]:
    """Entries not checked for six months: the oldest first."""
    return (
        Service.objects.select_related("organisation")
        .filter(last_checked_on__lt=stale_before(today))
        .exclude(status=ServiceStatus.DEFUNCT)
        .order_by("last_checked_on", "name")
    )


def entry_points_for(municipality: Municipality, law: str | None = None) -> list[Service]:
    """The neighbourhood or youth teams that are the entry point (toegang) of a municipality;
    those for `law` first (only them, when there are such)."""
    teams = list(
        Service.objects.select_related("organisation")
        .filter(
            is_entry_point=True,
            status=ServiceStatus.ACTIVE,
            search_text__contains=area_token(municipality.cbs_code),
        )
        .order_by("name")
    )
    if law:
        preferred = [t for t in teams if law_token(law) in t.search_text]
        if preferred:
            return preferred
    return teams


def search_url_for_student(student: Student, today: date) -> str:
    """The sociale kaart pre-filtered for this student: their age and residence municipality
    (and the student, so a referral can be started from a result)."""
    params: dict[str, object] = {"student": student.pk, "leeftijd": student.age_on(today)}
    if student.residence_municipality_id is not None:
        params["gemeente"] = student.residence_municipality_id
    return f"{reverse('directory:search')}?{urlencode(params)}"


@dataclass(frozen=True)
class ReferralChoices:
    """The active services to refer a student to: those serving the student's region first."""

    region_name: str
    in_region: list[Service]
    elsewhere: list[Service]


def student_region_id(student: Student) -> int | None:
    """The RMC region the student lives in; the school's when the residence is unknown."""
    if student.residence_municipality_id is not None:
        return student.residence_municipality.rmc_region_id  # type: ignore[union-attr]
    return student.location.municipality.rmc_region_id


def services_for_referral(student: Student) -> ReferralChoices:
    services = list(
        Service.objects.filter(status=ServiceStatus.ACTIVE)
        .select_related("organisation")
        .order_by("organisation__name", "name", "pk")
    )
    region_id = student_region_id(student)
    serving = set(
        Service.objects.filter(
            Q(areas__rmc_region_id=region_id) | Q(search_text__contains=ALL_AREAS_MARK),
            status=ServiceStatus.ACTIVE,
        ).values_list("pk", flat=True)
    )
    region = RmcRegion.objects.filter(pk=region_id).first() if region_id else None
    return ReferralChoices(
        region_name=region.name if region else "",
        in_region=[s for s in services if s.pk in serving],
        elsewhere=[s for s in services if s.pk not in serving],
    )
