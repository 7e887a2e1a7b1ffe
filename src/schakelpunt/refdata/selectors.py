"""Reads of the reference data."""

import re

from .models import Municipality, PostcodeArea

_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s*([A-Za-z]{2})?\s*$")


def normalise_postcode(value: str) -> str | None:
    """'7511ab' -> '7511 AB'; '7511' -> '7511'; None when it is not a Dutch postcode."""
    match = _POSTCODE.match(value or "")
    if not match:
        return None
    digits, letters = match.groups()
    return f"{digits} {letters.upper()}" if letters else digits


def municipality_for_postcode(postcode: str) -> Municipality | None:
    """The municipality of a Dutch postcode (via its 4 digits), or None when unknown."""
    normalised = normalise_postcode(postcode)
    if normalised is None:
        return None
    area = (
        PostcodeArea.objects.select_related("municipality__rmc_region")
        .filter(pc4=normalised[:4])
        .first()
    )
    return area.municipality if area else None
