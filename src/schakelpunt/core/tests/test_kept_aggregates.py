"""Issue 16: the aggregate start page and the municipal overview read the figures the monitor
keeps (night run, demo build) instead of reading the whole population on every view; the same
published counts as computed afresh and as the monitor's, and a view stores nothing."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from tests.world import World, client_for

from schakelpunt.accounts.models import Location, Programme
from schakelpunt.accounts.tests.factories import municipality
from schakelpunt.monitor.models import MonitorSnapshot
from schakelpunt.monitor.periods import school_year_of
from schakelpunt.monitor.snapshots import scope_by_code, table_for, warm_monitor
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory

ROW = re.compile(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>')


def _residents(count: int, location: str = "L1") -> None:
    enschede = municipality("GM0153")
    programme = Programme.objects.filter(team__location=Location.objects.get(name=location)).first()
    start = timezone.localdate() - timedelta(days=30)
    for _i in range(count):
        StudentFactory(programme=programme, residence_municipality=enschede, enrolled_on=start)


def _figures(html: str) -> list[tuple[str, str]]:
    return ROW.findall(html)


def test_the_start_page_shows_the_kept_counts_the_same_as_computed_and_as_the_monitor(
    world: World,
) -> None:
    Student.objects.update(residence_municipality=municipality("GM0141"))
    _residents(20, "L1")
    _residents(7, "L2")
    advisor = client_for(world.users["municipal"])

    fresh = advisor.get("/").content.decode()
    assert "zojuist berekend, niet bewaard" in fresh
    assert not MonitorSnapshot.objects.exists()  # a view computes, it does not store

    warm_monitor()  # the demo build and the night run keep what the start page shows
    kept = advisor.get("/").content.decode()
    assert "zojuist berekend" not in kept and "berekend op" in kept
    assert _figures(kept) == _figures(fresh)

    # The monitor's kept level table counts the same students: the same published counts.
    period = school_year_of(timezone.localdate())
    table = table_for(scope_by_code(municipality="GM0153"), period, "niveau")
    enrolled = {row[0]: row[1] for row in table.rows}
    on_page = dict(_figures(kept))
    assert enrolled and all(on_page[level] == count for level, count in enrolled.items())

    # Read, not computed: students added after the night run count from the next one on.
    _residents(15, "L1")
    assert _figures(advisor.get("/").content.decode()) == _figures(kept)


def test_the_municipal_overview_shows_the_kept_counts_the_same_as_computed(world: World) -> None:
    Student.objects.update(residence_municipality=municipality("GM0141"))
    _residents(20, "L1")
    _residents(7, "L2")
    advisor = client_for(world.users["municipal"])

    fresh = advisor.get(reverse("core:municipality")).content.decode()
    assert "zojuist berekend, niet bewaard" in fresh
    assert not MonitorSnapshot.objects.exists()

    warm_monitor()
    kept = advisor.get(reverse("core:municipality")).content.decode()
    assert "zojuist berekend" not in kept and "berekend op" in kept
    total = re.search(r"Enschede: (\S+) studenten", kept)
    assert total and total.group(1) == re.search(r"Enschede: (\S+) studenten", fresh).group(1)  # type: ignore[union-attr]
    assert _figures(kept) == _figures(fresh)
    assert "jonger dan 18 (Jeugdwet)" in kept and "waarvan onder Jeugdwet" in kept

    # The monitor's kept dashboard counts the same students.
    monitor = advisor.get(reverse("monitor:monitor")).content.decode()
    tile = re.search(
        r'Ingeschreven studenten</span> <strong class="tile-value">(\d+)</strong>', monitor
    )
    assert tile and tile.group(1) == total.group(1)

    _residents(15, "L1")
    later = advisor.get(reverse("core:municipality")).content.decode()
    assert _figures(later) == _figures(kept)
