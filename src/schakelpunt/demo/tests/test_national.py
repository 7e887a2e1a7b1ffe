"""The national demo: several RMC regions in one install (issue 20, item 5)."""

import io

import pytest
from django.core.management import CommandError, call_command

from schakelpunt.access.policy import students_for_user
from schakelpunt.accounts.models import Membership, Organisation
from schakelpunt.accounts.roles import OrganisationKind, Role
from schakelpunt.accounts.tests.factories import OrganisationFactory
from schakelpunt.demo.national import NATIONAL, parse_regions
from schakelpunt.refdata.models import Municipality
from schakelpunt.signals.models import AbsenceReport
from schakelpunt.students.models import Student


@pytest.fixture
def national(refdata):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("demo", regions="MC10,MC11", students=400, seed=5, stdout=out)
    return out.getvalue()


def test_each_region_gets_its_school_partners_and_officers(national):
    for code, name in (("MC10", "IJssel-Vecht"), ("MC11", "Stedendriehoek")):
        roc = Organisation.objects.get(name=f"ROC {name} (fictief)")
        assert {loc.municipality.rmc_region.code for loc in roc.locations.all()} == {code}
        munis = Municipality.objects.filter(rmc_region__code=code)
        officers = Membership.objects.filter(
            role=Role.ATTENDANCE_OFFICER, organisation__municipality__in=munis
        ).exclude(organisation__kind=OrganisationKind.RMC_OFFICE)
        # A leerplicht officer for every municipality of the region, and the RMC office.
        assert officers.count() == munis.count()
        assert Membership.objects.filter(
            role=Role.ATTENDANCE_OFFICER, organisation__rmc_region__code=code
        ).exists()
        assert Membership.objects.filter(organisation=roc, role=Role.COACH).count() >= 39
        students = Student.objects.filter(institution=roc)
        away = students.exclude(residence_municipality__rmc_region__code=code).count()
        assert 0.04 <= away / students.count() <= 0.15  # some live in a neighbouring region
    assert Student.objects.count() == 400
    assert AbsenceReport.objects.exists()


def test_the_logins_of_each_region_are_printed(national):
    for slug in ("ijssel-vecht", "stedendriehoek"):
        for name in ("coach", "zorgcoordinator", "verzuim", "rmc", "leerplicht", "hulpverlener"):
            assert f"{name}@{slug}.demo.schakelpunt.nl" in national
    assert "coach@demo.schakelpunt.nl" not in national  # Twente was not asked for


def test_the_rmc_officer_sees_residents_of_the_region_wherever_they_study(national):
    officer = Membership.objects.get(
        role=Role.ATTENDANCE_OFFICER, organisation__rmc_region__code="MC10"
    ).user
    seen = students_for_user(officer).select_related("residence_municipality__rmc_region")
    assert seen.exists()
    assert {s.residence_municipality.rmc_region.code for s in seen} == {"MC10"}
    schools = {s.institution.name for s in seen.select_related("institution")}
    assert schools == {"ROC IJssel-Vecht (fictief)", "ROC Stedendriehoek (fictief)"}


def test_regions_are_checked(refdata):
    assert parse_regions("national") == NATIONAL
    assert parse_regions("mc10, MC11") == ["MC10", "MC11"]
    with pytest.raises(CommandError):
        call_command("demo", regions="MC99", students=100, stdout=io.StringIO())
    OrganisationFactory(name="Een bestaande school")
    with pytest.raises(CommandError):
        call_command("demo", regions="MC10", students=100, stdout=io.StringIO())
