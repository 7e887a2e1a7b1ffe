"""Leerplicht/RMC follow up reports and early leavers in their area; the school sees how."""

import pytest
from django.urls import reverse

from schakelpunt.signals.models import AbsenceReport, LeaverFollowUp

from .world import client_for

pytestmark = pytest.mark.django_db


def test_rmc_records_follow_up_on_a_report_and_a_stale_form_is_refused(world):
    report = AbsenceReport.objects.get(student=world.students["t1"])
    rmc = client_for(world.users["rmc"])
    page = rmc.get(reverse("signals:worklist"), {"status": "alle"}).content.decode()
    assert f'action="/verzuim/{report.pk}/opvolging/"' in page
    url = reverse("signals:report_follow_up", args=[report.pk])
    rmc.post(url, {"status": "contacted", "note": "Huisbezoek gepland", "version": 0})
    report.refresh_from_db()
    assert (report.follow_up_status, report.follow_up_note, report.follow_up_version) == (
        "contacted",
        "Huisbezoek gepland",
        1,
    )
    stale = rmc.post(url, {"status": "closed", "note": "", "version": 0}, follow=True)
    assert "Iemand anders heeft de opvolging intussen bijgewerkt" in stale.content.decode()
    report.refresh_from_db()
    assert report.follow_up_status == "contacted"
    # The school sees the follow-up, but cannot change it.
    care = client_for(world.users["care_l1"])
    text = care.get(reverse("signals:worklist"), {"status": "alle"}).content.decode()
    assert "Contact gelegd: Huisbezoek gepland" in text
    assert care.post(url, {"status": "closed", "version": 1}).status_code == 404


def test_rmc_list_holds_early_leavers_under_23_and_takes_follow_up(world):
    rmc = client_for(world.users["rmc"])
    text = rmc.get(reverse("signals:rmc_list")).content.decode()
    assert "Dewi" in text and "Anna" not in text  # Anna is still at school
    early = world.students["early"]
    rmc.post(
        reverse("signals:leaver_follow_up", args=[early.pk]),
        {"status": "work", "note": "Werkt bij een bakkerij", "version": 0},
    )
    follow_up = LeaverFollowUp.objects.get(student=early)
    assert (follow_up.follow_up_status, follow_up.left_on) == ("work", early.left_on)
    # The school's care team at her location sees the list and the outcome.
    school = client_for(world.users["advisor_l2"]).get(reverse("signals:rmc_list"))
    assert "Aan het werk: Werkt bij een bakkerij" in school.content.decode()
    # Nobody outside the area or school sees her.
    assert (
        "Dewi"
        not in client_for(world.users["worker_p1"])
        .get(reverse("signals:rmc_list"))
        .content.decode()
    )
