"""Pieces the benchmark scripts share (run inside Django, after django.setup())."""

from dataclasses import dataclass
from typing import Any


@dataclass
class School:
    institution: Any
    location: Any
    place: Any  # the municipality students live in
    programmes: dict[int, Any]  # per level, BOL


def make_school(name: str) -> School:
    """One MBO institution in Enschede with one location, one team and a programme per level."""
    from schakelpunt.accounts.models import Location, Organisation, Programme, ProgrammeTeam
    from schakelpunt.refdata.models import Municipality

    place = Municipality.objects.get(cbs_code="GM0153")
    institution = Organisation.objects.create(name=name, kind="mbo")
    location = Location.objects.create(institution=institution, name=name, municipality=place)
    team = ProgrammeTeam.objects.create(location=location, name="Team")
    programmes = {
        level: Programme.objects.create(
            team=team, crebo=f"2500{level}", name=f"Niveau {level}", level=level, pathway="BOL"
        )
        for level in (1, 2, 3, 4)
    }
    return School(institution, location, place, programmes)
