from datetime import date

import pytest

from schakelpunt.core.dates import years_before


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2026, 11, 23), 23, date(2003, 11, 23)),
        (date(2028, 2, 29), 23, date(2005, 2, 28)),  # no 29 February in 2005
        (date(2028, 2, 29), 4, date(2024, 2, 29)),
        (date(2026, 3, 1), 18, date(2008, 3, 1)),
    ],
)
def test_years_before_holds_on_leap_days(day, years, expected):
    assert years_before(day, years) == expected
