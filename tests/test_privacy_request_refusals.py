"""A care coordinator of another school who opens a student's correction request or objection
gets the same 404 as for an absent one, and the decision log keeps the attempt on the
student it is about, so the privacy officer sees the probing (issue 19)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from schakelpunt.access.models import AccessDecision
from schakelpunt.accounts.models import User
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.privacy.models import CorrectionRequest, Objection
from tests.world import World, client_for

pytestmark = pytest.mark.django_db


def _outsider(world: World) -> User:
    user = UserFactory(email="care_roc2@example.nl", first_name="Zorg")
    MembershipFactory(
        user=user, organisation=world.students["other"].institution, role=Role.CARE_COORDINATOR
    )
    return user


def test_opening_another_schools_request_is_kept_in_the_decision_log(world: World) -> None:
    anna, account = world.students["t1"], world.users["student"]
    deadline = timezone.localdate() + timedelta(days=30)
    correction = CorrectionRequest.objects.create(
        student=anna, part="contact", text="Oud nummer", requested_by=account, deadline=deadline
    )
    objection = Objection.objects.create(
        student=anna,
        activity="early_warning",
        reason="Liever niet",
        requested_by=account,
        deadline=deadline,
    )
    outsider = _outsider(world)
    client = client_for(outsider)
    correction_url = f"/privacy/verzoeken/correctie/{correction.pk}/"
    objection_url = f"/privacy/verzoeken/bezwaar/{objection.pk}/"
    assert client.get(correction_url).status_code == 404
    assert client.post(correction_url, {"version": 0, "status": "granted"}).status_code == 404
    assert client.get(objection_url).status_code == 404
    kept = set(
        AccessDecision.objects.filter(user=outsider).values_list("student_id", "action", "part")
    )
    assert kept == {
        (anna.pk, "view", "contact"),
        (anna.pk, "change", "contact"),
        (anna.pk, "view", "support"),
    }
    # The privacy officer of Anna's school sees who tried.
    page = client_for(world.users["privacy"]).get("/privacy/toegangslog/geweigerd/")
    assert "care_roc2@example.nl" in page.content.decode()
    # Nothing changed.
    correction.refresh_from_db()
    assert correction.status == "open"


def test_an_absent_request_writes_nothing(world: World) -> None:
    outsider = _outsider(world)
    client = client_for(outsider)
    absent = (
        max(
            CorrectionRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            Objection.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        )
        + 10_000
    )
    assert client.get(f"/privacy/verzoeken/correctie/{absent}/").status_code == 404
    assert client.get(f"/privacy/verzoeken/bezwaar/{absent}/").status_code == 404
    assert not AccessDecision.objects.filter(user=outsider).exists()
