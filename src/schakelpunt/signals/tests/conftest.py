"""Shared fixtures of the signals tests."""

from datetime import date

import pytest
from django.db import connection

from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    LocationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProgrammeTeamFactory,
    UserFactory,
)
from schakelpunt.signals.models import HolidayRegion, SignalSettings
from schakelpunt.students.tests.factories import StudentFactory


@pytest.fixture
def school(refdata):  # type: ignore[no-untyped-def]  # (reloaded after a transactional test)
    roc = OrganisationFactory(name="ROC Verzuim")
    programme = ProgrammeFactory(
        team=ProgrammeTeamFactory(location=LocationFactory(institution=roc))
    )
    minor = StudentFactory(
        programme=programme,
        student_number="200",
        date_of_birth=date(2009, 3, 1),
        enrolled_on=date(2024, 9, 1),
    )
    adult = StudentFactory(
        programme=programme,
        student_number="201",
        date_of_birth=date(2006, 3, 1),
        enrolled_on=date(2024, 9, 1),
    )
    admin = UserFactory(email="beheer@verzuim.nl")
    MembershipFactory(user=admin, organisation=roc, role=Role.FUNCTIONAL_ADMIN)
    # The school chose holiday region Noord (nothing else changed: versions 0).
    SignalSettings.objects.create(
        institution=roc, holiday_region=HolidayRegion.NORTH, version=0, calendar_version=0
    )
    return roc, admin, minor, adult


@pytest.fixture
def officer(school):  # type: ignore[no-untyped-def]
    """The school's attendance coordinator."""
    roc, *_ = school
    user = UserFactory(email="verzuim@verzuim.nl")
    MembershipFactory(user=user, organisation=roc, role=Role.ABSENCE_OFFICER)
    return user


@pytest.fixture(params=["copy", "rows"])
def way(request, monkeypatch):  # type: ignore[no-untyped-def]
    """Every absence file by COPY (PostgreSQL), or every file checked row by row."""
    if request.param == "copy":
        if connection.vendor != "postgresql":
            pytest.skip("COPY needs PostgreSQL")
        monkeypatch.setattr("schakelpunt.signals.importer.COPY_FROM_BYTES", 0)
    else:
        monkeypatch.setattr("schakelpunt.signals.importer.COPY_FROM_BYTES", 1 << 62)
    return request.param
