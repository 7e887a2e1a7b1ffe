"""The sociale kaart over the API (`directory:read`): the services, searched with the same
selector as the screen, in fields named as Open Referral HSDS 3 names them. The map holds no
student data, so reading it is not in the access log."""

from datetime import time
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from schakelpunt.refdata.models import Municipality
from schakelpunt.support.models import LifeDomain

from .hsds import AREA_EXTENT_TYPE
from .models import Contact, Law, OpeningHours, Service, ServiceAtLocation
from .selectors import DirectoryQuery, services_search, services_with_hours

# --- Answers ---


class OrganizationSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="uuid")
    name = serializers.CharField()
    website = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


@extend_schema_field(
    {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "09:00"}
)
class ClockField(serializers.Field):
    """A time of day as HH:MM: a wall-clock hour in the Netherlands, no date, no zone."""

    def to_representation(self, value: time) -> str:
        return value.strftime("%H:%M")


class ScheduleSerializer(serializers.ModelSerializer[OpeningHours]):
    byday = serializers.CharField(source="weekday", help_text="iCalendar-dag: MO, TU, …")
    opens_at = ClockField(read_only=True)
    closes_at = ClockField(read_only=True)

    class Meta:
        model = OpeningHours
        fields = ["byday", "opens_at", "closes_at"]


class ServiceAtLocationSerializer(serializers.ModelSerializer[ServiceAtLocation]):
    id = serializers.UUIDField(source="uuid")
    location_id = serializers.UUIDField(source="location.uuid")
    name = serializers.CharField(source="location.name")
    address = serializers.CharField(source="location.address")
    postal_code = serializers.CharField(source="location.postal_code")
    city = serializers.CharField(source="location.city")
    schedules = ScheduleSerializer(source="hours", many=True)

    class Meta:
        model = ServiceAtLocation
        fields = [
            "id",
            "location_id",
            "name",
            "description",
            "address",
            "postal_code",
            "city",
            "schedules",
        ]


class ServiceAreaSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    extent = serializers.CharField(source="cbs_code", help_text="CBS-gemeentecode, bv. GM0153.")
    extent_type = serializers.SerializerMethodField()

    def get_extent_type(self, municipality: Municipality) -> str:
        return AREA_EXTENT_TYPE


class ContactSerializer(serializers.ModelSerializer[Contact]):
    id = serializers.UUIDField(source="uuid")

    class Meta:
        model = Contact
        fields = ["id", "name", "title", "email", "phone"]


class CapacitySerializer(serializers.Serializer[Any]):
    available = serializers.IntegerField(source="capacity_available")
    maximum = serializers.IntegerField(source="capacity_maximum", allow_null=True)
    updated = serializers.DateTimeField(source="capacity_updated_at", allow_null=True)


class DirectoryServiceSerializer(serializers.ModelSerializer[Service]):
    """One service of the sociale kaart, its fields named as in HSDS 3."""

    id = serializers.UUIDField(source="uuid", help_text="Het HSDS-id van het aanbod.")
    organization = OrganizationSerializer(source="organisation")
    eligibility_description = serializers.CharField(source="eligibility")
    life_domains = serializers.ListField(child=serializers.ChoiceField(LifeDomain.choices))
    funding = serializers.ListField(
        source="laws",
        child=serializers.ChoiceField(Law.choices),
        help_text="De wet of het budget waaruit het aanbod betaald wordt.",
    )
    service_areas = ServiceAreaSerializer(
        source="areas", many=True, help_text="Leeg: het aanbod is er voor elke gemeente."
    )
    service_at_locations = ServiceAtLocationSerializer(source="at_locations", many=True)
    contacts = ContactSerializer(many=True)
    capacity = serializers.SerializerMethodField()
    assured_date = serializers.DateField(source="last_checked_on")
    last_modified = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Service
        fields = [
            "id",
            "organization",
            "name",
            "description",
            "status",
            "email",
            "url",
            "phone",
            "eligibility_description",
            "application_process",
            "minimum_age",
            "maximum_age",
            "life_domains",
            "funding",
            "is_entry_point",
            "needs_decision",
            "wait_days",
            "first_contact_days",
            "capacity",
            "service_areas",
            "service_at_locations",
            "contacts",
            "assured_date",
            "last_modified",
        ]

    @extend_schema_field(CapacitySerializer(allow_null=True))
    def get_capacity(self, service: Service) -> dict[str, Any] | None:
        if service.capacity_available is None:
            return None
        return dict(CapacitySerializer(service).data)


# --- Questions ---


class ServiceQuerySerializer(serializers.Serializer[Any]):
    """The search of the sociale kaart screen, as query keys."""

    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Zoekwoorden."
    )
    lifeDomain = serializers.ChoiceField(
        LifeDomain.choices, required=False, help_text="Alleen aanbod voor dit leefgebied."
    )
    law = serializers.ChoiceField(
        Law.choices, required=False, help_text="Alleen aanbod uit deze wet of dit budget."
    )
    municipality = serializers.RegexField(
        r"^GM\d{4}$",
        required=False,
        help_text="CBS-gemeentecode: alleen aanbod dat deze gemeente bedient.",
    )
    age = serializers.IntegerField(
        required=False, min_value=0, max_value=120, help_text="Alleen aanbod voor deze leeftijd."
    )
    availableNow = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Alleen aanbod met een plek vrij en hoogstens een week wachten.",
    )

    def validate_municipality(self, code: str) -> Municipality:
        found = Municipality.objects.filter(cbs_code=code).first()
        if found is None:
            raise serializers.ValidationError(_("Deze gemeentecode kennen we niet."))
        return found


def _query(request: Request) -> DirectoryQuery:
    parsed = ServiceQuerySerializer(data=request.query_params)
    if not parsed.is_valid():
        error = exceptions.ValidationError(parsed.errors)
        error.location = "query"  # type: ignore[attr-defined]
        raise error
    data = parsed.validated_data
    return DirectoryQuery(
        text=data.get("q", ""),
        life_domain=data.get("lifeDomain", ""),
        law=data.get("law", ""),
        municipality=data.get("municipality"),
        age=data.get("age"),
        available_now=data["availableNow"],
    )


# --- Views ---


class DirectoryServiceListView(generics.ListAPIView[Service]):
    serializer_class = DirectoryServiceSerializer
    required_scopes = "directory:read"

    def get_queryset(self) -> QuerySet[Service]:
        query = _query(self.request)
        return services_with_hours(services_search(query)).prefetch_related("contacts")

    @extend_schema(
        operation_id="services_list",
        summary=gettext_lazy("Aanbod op de sociale kaart zoeken"),
        description=gettext_lazy(
            "Het actieve aanbod, gezocht zoals op het scherm van de sociale kaart; de "
            "toegangen van gemeenten (wijkteams, jeugdteams) na het aanbod van aanbieders. "
            "Velden zoals Open Referral HSDS 3 ze noemt. Scope: directory:read."
        ),
        parameters=[ServiceQuerySerializer],
        tags=["directory"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class DirectoryServiceDetailView(generics.RetrieveAPIView[Service]):
    serializer_class = DirectoryServiceSerializer
    required_scopes = "directory:read"
    lookup_field = "uuid"
    lookup_url_kwarg = "id"

    def get_queryset(self) -> QuerySet[Service]:
        return services_with_hours(Service.objects.select_related("organisation")).prefetch_related(
            "contacts"
        )

    @extend_schema(
        operation_id="services_retrieve",
        summary=gettext_lazy("Eén aanbod op de sociale kaart"),
        description=gettext_lazy(
            "Ook aanbod dat niet (meer) actief is: `status` zegt het. Scope: directory:read."
        ),
        parameters=[
            OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="HSDS-id.")
        ],
        tags=["directory"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
