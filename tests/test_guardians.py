"""Parents and carers: involved while the student is a minor; from 18 only with consent.

Source: Burgerlijk Wetboek 1:233/1:245 (parental authority ends at 18) and the AVG: from
18 the student decides who else sees their data.
"""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from schakelpunt.access.policy import guardian_may_be_involved
from schakelpunt.students.models import Guardian
from tests.world import client_for


@pytest.mark.parametrize(
    ("born", "today", "consents", "involved"),
    [
        (date(2008, 6, 15), date(2026, 6, 14), False, True),  # the day before turning 18
        (date(2008, 6, 15), date(2026, 6, 15), False, False),  # 18 today, no consent
        (date(2008, 6, 15), date(2026, 6, 15), True, True),  # 18, with consent
        (date(2004, 2, 29), date(2022, 2, 28), False, True),  # leap-day birth: not yet 18
        (date(2004, 2, 29), date(2022, 3, 1), False, False),  # now 18
    ],
)
def test_who_may_involve_parents(world, born, today, consents, involved):
    student = world.students["t1"]
    student.date_of_birth = born
    assert guardian_may_be_involved(student, consents, today) is involved


def add_mother(world):  # type: ignore[no-untyped-def]
    anna = world.students["t1"]
    client_for(world.users["care_l1"]).post(
        f"/studenten/{anna.pk}/ouders/",
        {"name": "Mirjam Vos", "relation": "parent", "phone": "0612345678"},
    )
    return anna


def test_care_team_sees_a_minors_parents(world):
    anna = add_mother(world)
    page = client_for(world.users["care_l1"]).get(f"/studenten/{anna.pk}/").content.decode()
    assert "Mirjam Vos" in page and "0612345678" in page


def test_from_18_the_student_decides(world):
    anna = add_mother(world)
    anna.date_of_birth = timezone.localdate() - timedelta(days=19 * 366)
    anna.save()
    care = client_for(world.users["care_l1"])
    page = care.get(f"/studenten/{anna.pk}/").content.decode()
    assert "Mirjam Vos" in page
    assert "0612345678" not in page
    assert "gaf geen toestemming" in page
    guardian = Guardian.objects.get()
    student = client_for(world.users["student"])
    own = student.get(f"/studenten/{anna.pk}/").content.decode()
    assert "Jij beslist of school je ouders of verzorgers betrekt" in own
    student.post(f"/studenten/{anna.pk}/ouders/{guardian.pk}/toestemming/", {"consents": "ja"})
    assert "0612345678" in care.get(f"/studenten/{anna.pk}/").content.decode()
    student.post(f"/studenten/{anna.pk}/ouders/{guardian.pk}/toestemming/", {"consents": "nee"})
    assert "0612345678" not in care.get(f"/studenten/{anna.pk}/").content.decode()


def test_only_the_student_gives_that_consent(world):
    anna = add_mother(world)
    guardian = Guardian.objects.get()
    for who in ("care_l1", "coach", "worker_p1"):
        response = client_for(world.users[who]).post(
            f"/studenten/{anna.pk}/ouders/{guardian.pk}/toestemming/", {"consents": "ja"}
        )
        assert response.status_code == 404
    guardian.refresh_from_db()
    assert guardian.student_consents is False


def test_who_cannot_change_contact_details_cannot_add_parents(world):
    anna = world.students["t1"]
    for who in ("coach", "rmc", "student"):
        client_for(world.users[who]).post(
            f"/studenten/{anna.pk}/ouders/", {"name": "X", "relation": "parent"}
        )
    assert not Guardian.objects.exists()


def test_turning_18_switches_the_contact_off_without_anyone_doing_anything(world):
    anna = add_mother(world)
    anna.date_of_birth = date(2008, 12, 1)
    anna.save()
    for day, shown in (("2026-11-30", True), ("2026-12-01", False)):
        with time_machine.travel(f"{day} 12:00 +0100"):
            care = client_for(world.users["care_l1"])  # a fresh session on that day
            page = care.get(f"/studenten/{anna.pk}/").content.decode()
            assert ("0612345678" in page) is shown, day


def test_a_minor_decides_whether_a_provider_sees_a_parents_phone(world):
    """Under 18 school involves the parents anyway; passing their number on to a provider
    is the student's own choice, offered at every age (issue 15)."""
    from schakelpunt.accounts.roles import Role
    from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
    from schakelpunt.referrals.models import Consent

    chris = world.students["t3"]
    chris.date_of_birth = timezone.localdate() - timedelta(days=16 * 366)
    chris.user = UserFactory(email="chris@example.nl")
    chris.save()
    # A student account opens its own file only with an active Student role (issue 17).
    MembershipFactory(user=chris.user, organisation=chris.institution, role=Role.STUDENT)
    Consent.objects.filter(student=chris).update(parts=["contact", "support"])
    advisor = client_for(world.users["advisor_l2"])
    advisor.post(
        f"/studenten/{chris.pk}/ouders/",
        {"name": "Mirjam Vos", "relation": "parent", "phone": "0612345678"},
    )
    guardian = Guardian.objects.get()
    provider = client_for(world.users["worker_p1"])
    assert "0612345678" not in provider.get(f"/studenten/{chris.pk}/").content.decode()
    student = client_for(chris.user)
    own = student.get(f"/studenten/{chris.pk}/").content.decode()
    assert "Delen met hulpverleners" in own
    student.post(f"/studenten/{chris.pk}/ouders/{guardian.pk}/toestemming/", {"consents": "ja"})
    assert "0612345678" in provider.get(f"/studenten/{chris.pk}/").content.decode()
    # School involved the parent all along, with or without this choice.
    assert "0612345678" in advisor.get(f"/studenten/{chris.pk}/").content.decode()
