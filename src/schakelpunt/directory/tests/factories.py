from datetime import time
from typing import Any

import factory

from schakelpunt.accounts.tests.factories import municipality
from schakelpunt.directory.models import (
    Contact,
    DirectoryLocation,
    DirectoryOrganisation,
    Law,
    OpeningHours,
    Service,
    ServiceAtLocation,
)
from schakelpunt.directory.selectors import search_text_for


class DirectoryOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DirectoryOrganisation

    name = factory.Sequence(lambda n: f"Zorgaanbieder {n}")
    description = "Hulp voor jongeren en gezinnen."


class DirectoryLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DirectoryLocation

    organisation = factory.SubFactory(DirectoryOrganisationFactory)
    name = factory.Sequence(lambda n: f"Vestiging {n}")
    address = "Hengelosestraat 1"
    postal_code = "7514 AA"
    city = "Enschede"
    municipality = factory.LazyFunction(lambda: municipality("GM0153"))


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    organisation = factory.SubFactory(DirectoryOrganisationFactory)
    name = factory.Sequence(lambda n: f"Aanbod {n}")
    description = "Gesprekken met een hulpverlener."
    life_domains = factory.LazyFunction(lambda: ["mental_health"])
    laws = factory.LazyFunction(lambda: [Law.JEUGDWET])

    @factory.post_generation
    def area_codes(self, create: bool, codes: list[str] | None, **kwargs: Any) -> None:
        if create and codes:
            self.areas.set([municipality(code) for code in codes])

    @factory.post_generation
    def index(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            Service.objects.filter(pk=self.pk).update(search_text=search_text_for(self))
            self.refresh_from_db(fields=["search_text"])


def reindex(service: Service) -> Service:
    Service.objects.filter(pk=service.pk).update(search_text=search_text_for(service))
    service.refresh_from_db()
    return service


def full_directory() -> Service:
    """An organisation with every kind of record HSDS carries, and two services."""
    org = DirectoryOrganisationFactory(
        name="Tactus Verslavingszorg (fictief)",
        email="info@tactus.example",
        website="https://tactus.example",
        phone="053 123 45 67",
    )
    Contact.objects.create(organisation=org, name="Receptie", phone="053 123 45 00")
    office = DirectoryLocationFactory(organisation=org, name="Kantoor Enschede")
    OpeningHours.objects.create(location=office, weekday="MO", opens_at=time(9), closes_at=time(17))
    OpeningHours.objects.create(location=office, weekday="TU", opens_at=time(9), closes_at=time(17))
    school = DirectoryLocationFactory(
        organisation=org,
        name="Spreekuur ROC locatie Hengelo",
        address="",
        city="",
        municipality=municipality("GM0164"),
    )
    service = ServiceFactory(
        organisation=org,
        name="Verslavingszorg jongeren",
        description="Gesprekken over alcohol, drugs en gamen.",
        life_domains=["substance_use", "mental_health"],
        laws=[Law.JEUGDWET, Law.ZVW],
        minimum_age=12,
        maximum_age=23,
        eligibility="Jongeren met zorgen over middelengebruik.",
        wait_days=14,
        capacity_available=3,
        capacity_maximum=20,
        first_contact_days=5,
        needs_decision=True,
        phone="053 123 45 68",
        email="jongeren@tactus.example",
        url="https://tactus.example/jongeren",
        area_codes=["GM0153", "GM0164"],
    )
    at_school = ServiceAtLocation.objects.create(
        service=service, location=school, description="Inloop, zonder afspraak"
    )
    OpeningHours.objects.create(
        service_at_location=at_school, weekday="TU", opens_at=time(9), closes_at=time(12)
    )
    Contact.objects.create(
        organisation=org, service=service, name="Sanne de Vries", title="Jongerenwerker"
    )
    team = ServiceFactory(
        organisation=DirectoryOrganisationFactory(name="Wijkteam Enschede (fictief)"),
        name="Wijkteam Enschede",
        is_entry_point=True,
        laws=[Law.JEUGDWET, Law.WMO],
        life_domains=["home", "finances"],
        area_codes=["GM0153"],
    )
    reindex(team)
    return reindex(service)
