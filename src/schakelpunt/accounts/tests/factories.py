from datetime import date

import factory

from schakelpunt.accounts.models import (
    Location,
    Membership,
    Organisation,
    Programme,
    ProgrammeTeam,
    User,
)
from schakelpunt.accounts.roles import OrganisationKind
from schakelpunt.refdata.models import Municipality

PASSWORD = "een-lang-test-wachtwoord"


def municipality(cbs_code: str) -> Municipality:
    return Municipality.objects.get(cbs_code=cbs_code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.nl")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = OrganisationKind.MBO_INSTITUTION

    class Params:
        provider = factory.Trait(kind=OrganisationKind.CARE_PROVIDER)
        rmc = factory.Trait(kind=OrganisationKind.RMC_OFFICE)
        gemeente = factory.Trait(kind=OrganisationKind.MUNICIPALITY)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    institution = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Locatie {n}")
    municipality = factory.LazyFunction(lambda: municipality("GM0153"))


class ProgrammeTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeTeam

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    team = factory.SubFactory(ProgrammeTeamFactory)
    crebo = factory.Sequence(lambda n: f"{25000 + n}")
    name = factory.Sequence(lambda n: f"Opleiding {n}")
    level = 2
    pathway = "BOL"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    valid_from = factory.LazyFunction(lambda: date(2020, 1, 1))
