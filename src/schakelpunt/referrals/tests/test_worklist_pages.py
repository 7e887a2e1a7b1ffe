"""The referral worklist is paged: most urgent first, each group counted in full, and a page
renders and logs only the students it shows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.referrals import views
from schakelpunt.referrals.models import Referral, ReferralStatus


def test_the_provider_worklist_shows_and_logs_one_page_overdue_first(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2, raising=False)
    provider = Referral.objects.get(student=world.students["t3"]).to_organisation
    # Anna's accepted referral is past its first contact: it goes before the waiting Bram
    # (t2) and the running Chris (t3).
    Referral.objects.create(
        student=world.students["t1"],
        to_organisation=provider,
        status=ReferralStatus.ACCEPTED,
        first_contact_due=timezone.localdate() - timedelta(days=3),
    )
    order = [world.students[k].pk for k in ("t1", "t2", "t3")]
    client = client_for(world.users["worker_p1"])

    def page(number: int) -> tuple[list[int], set[int], str]:
        before = AccessLogEntry.objects.count()
        response = client.get(reverse("referrals:worklist"), {"pagina": number})
        work = response.context["work"]
        shown = [r.student_id for r in (*work.overdue, *work.waiting, *work.running)]
        logged = AccessLogEntry.objects.order_by("pk")[before:].values_list("student_id", flat=True)
        return shown, set(logged), response.content.decode()

    shown, logged, html = page(1)
    assert (shown, logged) == (order[:2], set(order[:2]))
    assert "Pagina 1 van 2" in html and "Lopend" not in html

    shown, logged, html = page(2)
    assert (shown, logged) == (order[2:], set(order[2:]))
    # The running group is counted in full, the other groups are on page 1.
    assert 'Lopend <span class="badge">1</span>' in html
    assert "Eerste contact te laat" not in html
