from datetime import date, timedelta

import factory
from django.utils import timezone

from schakelpunt.accounts.tests.factories import ProgrammeFactory, municipality
from schakelpunt.core.dates import years_before
from schakelpunt.students.models import PriorEducation, Student


def born_years_ago(years: int) -> date:
    return years_before(timezone.localdate(), years) - timedelta(days=30)


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    programme = factory.SubFactory(ProgrammeFactory)
    location = factory.LazyAttribute(lambda o: o.programme.team.location)
    institution = factory.LazyAttribute(lambda o: o.location.institution)
    student_number = factory.Sequence(lambda n: f"{500000 + n}")
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Sequence(lambda n: f"Achternaam{n}")
    date_of_birth = factory.LazyFunction(lambda: born_years_ago(17))
    postcode = "7511 AB"
    residence_municipality = factory.LazyFunction(lambda: municipality("GM0153"))
    prior_education = PriorEducation.VMBO
    enrolled_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))
