"""Who the monitor counts, for every page that shows counts of a population: one definition,
so that the municipal overview, the start page and the monitor give the same number."""

from datetime import date

from django.db.models import QuerySet

from schakelpunt.access.policy import Scope
from schakelpunt.students.models import Student

from .indicators import enrolled_students
from .periods import Period, school_year_of


def running_school_year(today: date) -> Period:
    """The period a count "now" is about: the school year that runs today."""
    return school_year_of(today)


def population(scope: Scope, period: Period) -> QuerySet[Student]:
    """The students of this population in this period: those of the scope (a municipality's
    residents, an RMC region's, an institution's) enrolled on at least one day of the period,
    including who left during it: the monitor's "Ingeschreven studenten"."""
    return enrolled_students(scope.students, period)
