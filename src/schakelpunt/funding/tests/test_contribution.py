"""The contribution model, worked out by hand, and its sums for any input."""

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from schakelpunt.funding.contribution import (
    ContributionError,
    per_student,
    share_out,
    split_budget,
)

RESIDENTS = {"Enschede": 60, "Hengelo": 30, "Almelo": 9, "Borne": 2, "Oldenzaal": 1}
THIRDS = {
    "Gemeenten": Decimal("33.33"),
    "Zorgverzekeraar": Decimal("33.33"),
    "School": Decimal("33.34"),
}


def test_a_budget_shared_by_thirds_and_by_resident_students() -> None:
    split = split_budget(
        Decimal(300000),
        THIRDS,
        RESIDENTS,
        municipalities_label="Gemeenten",
        others_label="Overige",
    )
    assert split.partners == [
        ("Gemeenten", Decimal("99990.00")),
        ("Zorgverzekeraar", Decimal("99990.00")),
        ("School", Decimal("100020.00")),
    ]
    # Borne and Oldenzaal (3 together) are too small to stand alone, so Almelo (9) joins them.
    # 99 990 over 60, 30 and 12 students: 58 817,647…, 29 408,823…, 11 763,529…; the two
    # cents left go to the largest remainders (Overige, then Enschede).
    assert [(line.label, line.students, line.amount) for line in split.municipalities] == [
        ("Enschede", "60", Decimal("58817.65")),
        ("Hengelo", "30", Decimal("29408.82")),
        ("Overige", "12", Decimal("11763.53")),
    ]
    assert split.per_student == Decimal("980.29")  # 99 990 / 102


def test_a_fixed_amount_per_resident_student() -> None:
    split = per_student(Decimal(150), RESIDENTS, others_label="Overige")
    assert [(line.label, line.amount) for line in split.municipalities] == [
        ("Enschede", Decimal(9000)),
        ("Hengelo", Decimal(4500)),
        ("Overige", Decimal(1800)),
    ]
    assert split.total == Decimal(15300)


def test_shares_must_make_a_whole() -> None:
    with pytest.raises(ContributionError):
        split_budget(
            Decimal(1000),
            {"Gemeenten": Decimal(50), "School": Decimal(40)},
            RESIDENTS,
            municipalities_label="Gemeenten",
            others_label="Overige",
        )


amounts = st.decimals(min_value=0, max_value=10**7, places=2)
counts = st.dictionaries(st.text(min_size=1, max_size=8), st.integers(0, 500), max_size=12)


@given(amounts, st.lists(st.integers(0, 1000), min_size=1, max_size=15))
def test_shared_out_cents_add_up(amount: Decimal, weights: list[int]) -> None:
    parts = share_out(amount, list(weights))
    if sum(weights):
        assert sum(parts) == amount
        assert all(p >= 0 for p in parts)
    else:
        assert sum(parts) == 0


@given(amounts, counts)
@example(Decimal(1000), {"Borne": 2})
@example(Decimal(1000), {"Borne": 2, "Enschede": 40, "Hengelo": 4})
def test_no_municipality_line_tells_a_small_number(
    amount: Decimal, residents: dict[str, int]
) -> None:
    split = split_budget(
        amount, THIRDS, residents, municipalities_label="Gemeenten", others_label="Overige"
    )
    assert sum(part for _name, part in split.partners) == amount
    lines = split.municipalities
    assert all(line.students == "<5" or int(line.students) >= 5 for line in lines)
    if any(line.students == "<5" for line in lines):
        # Only when the whole population is small, and then nothing divides it per student.
        assert len(lines) == 1 and split.per_student is None
    if sum(residents.values()):
        assert sum(line.amount for line in lines) == split.partners[0][1]
    fixed = per_student(Decimal(150), residents, others_label="Overige")
    for line in fixed.municipalities:
        assert (line.students == "<5" and line.amount == 0) or int(line.students) >= 5
