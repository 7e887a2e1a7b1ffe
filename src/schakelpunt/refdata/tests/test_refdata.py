import re

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from schakelpunt.refdata.models import Municipality, PostcodeArea, RmcRegion
from schakelpunt.refdata.selectors import municipality_for_postcode, normalise_postcode

TWENTE = {
    "GM0141": "Almelo",
    "GM0147": "Borne",
    "GM1774": "Dinkelland",
    "GM0153": "Enschede",
    "GM0158": "Haaksbergen",
    "GM0163": "Hellendoorn",
    "GM0164": "Hengelo (O.)",
    "GM1735": "Hof van Twente",
    "GM0168": "Losser",
    "GM0173": "Oldenzaal",
    "GM1742": "Rijssen-Holten",
    "GM0183": "Tubbergen",
    "GM1700": "Twenterand",
    "GM0189": "Wierden",
}


def test_the_country_is_loaded_by_the_migration(db):
    assert Municipality.objects.count() == 342
    assert RmcRegion.objects.count() == 40
    assert not RmcRegion.objects.filter(code="MC14").exists()
    assert PostcodeArea.objects.count() == 4074


def test_twente_is_rmc_region_mc12_with_its_14_municipalities(db):
    twente = Municipality.objects.filter(rmc_region__code="MC12")
    assert dict(twente.values_list("cbs_code", "name")) == TWENTE


@pytest.mark.parametrize(
    ("postcode", "cbs_code", "rmc"),
    [
        ("7511 AB", "GM0153", "MC12"),  # Enschede
        ("7553ab", "GM0164", "MC12"),  # Hengelo
        ("1011", "GM0363", "MC21"),  # Amsterdam
        (" 9711 aa ", "GM0014", "MC03"),  # Groningen
    ],
)
def test_postcode_resolves_to_municipality_and_rmc_region(db, postcode, cbs_code, rmc):
    municipality = municipality_for_postcode(postcode)
    assert municipality is not None
    assert municipality.cbs_code == cbs_code
    assert municipality.rmc_region.code == rmc


@pytest.mark.parametrize("postcode", ["", "0123 AB", "75111", "ABCD", "7511 A"])
def test_invalid_postcodes_resolve_to_nothing(db, postcode):
    assert normalise_postcode(postcode) is None
    assert municipality_for_postcode(postcode) is None


def test_postcode_without_municipality_resolves_to_nothing(db):
    # 5076 Haaren was split over several municipalities: left empty on purpose.
    assert PostcodeArea.objects.get(pc4="5076").municipality is None
    assert municipality_for_postcode("5076 AA") is None


def test_loading_again_changes_nothing(db, capsys):
    before = list(PostcodeArea.objects.order_by("pc4").values_list("pk", "municipality_id"))
    call_command("refdata", "load")
    assert "342 gemeenten" in capsys.readouterr().out
    after = list(PostcodeArea.objects.order_by("pc4").values_list("pk", "municipality_id"))
    assert before == after
    assert Municipality.objects.count() == 342


@given(st.text(max_size=12))
@settings(max_examples=300, deadline=None)
def test_any_text_is_either_a_clean_postcode_or_refused(value):
    normalised = normalise_postcode(value)
    if normalised is not None:
        assert re.fullmatch(r"[1-9][0-9]{3}( [A-Z]{2})?", normalised)
        assert normalise_postcode(normalised) == normalised  # stable when given again


@given(
    digits=st.integers(min_value=1000, max_value=9999),
    letters=st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2
    ),
    space=st.sampled_from(["", " ", "  "]),
)
def test_every_written_form_of_a_postcode_means_the_same(digits, letters, space):
    assert normalise_postcode(f"{digits}{space}{letters}") == f"{digits} {letters.upper()}"
