"""The cell-key method (decision 0020): what a reader can rely on, whatever the secret."""

from hypothesis import given
from hypothesis import strategies as st

from schakelpunt.accounts.tests.factories import ProgrammeFactory
from schakelpunt.monitor import suppression
from schakelpunt.monitor.suppression import (
    MAX_NOISE,
    Records,
    cell_key,
    forget_atoms,
    perturbed,
    publish,
    shown,
)
from schakelpunt.students.tests.factories import StudentFactory


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=2**32 - 1))
def test_a_published_count_is_near_the_truth_never_negative_and_zero_stays_zero(
    count: int, key: int
) -> None:
    value = perturbed(count, key)
    assert value >= 0 and abs(value - count) <= MAX_NOISE
    assert count or value == 0


def test_the_table_is_fair_and_uses_every_value() -> None:
    for count, row in enumerate(suppression._TABLE[1:], start=1):
        assert abs(sum(row) / len(row)) < 0.05  # no count is pushed up or down on average
        # every perturbation that keeps the count at one or more: a count is never hidden as 0
        assert set(row) == {e for e in range(-MAX_NOISE, MAX_NOISE + 1) if count + e >= 1}


@given(st.sets(st.integers(min_value=1, max_value=10**6), max_size=30))
def test_the_same_records_give_the_same_key_in_any_order(pks: set[int]) -> None:
    assert cell_key("student", pks) == cell_key("student", sorted(pks, reverse=True))


def test_small_published_counts_read_as_less_than_five() -> None:
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]


def test_published_counts_add_up_and_do_not_change_between_requests(refdata: None) -> None:
    one, other = ProgrammeFactory(), ProgrammeFactory()
    a = [StudentFactory(programme=one).pk for _ in range(7)]
    b = [StudentFactory(programme=other).pk for _ in range(2)]
    forget_atoms()
    first, second = Records.of_students(a), Records.of_students(b)
    both = Records.of_students(a + b)
    # A total is the sum of its finest groups: subtracting gives a published count, not the truth.
    assert publish(both) == publish(first) + publish(second)
    assert publish(both) == publish(Records.of_students(list(reversed(a + b))))
    assert abs(publish(second) - 2) <= MAX_NOISE


def test_another_secret_gives_other_keys(settings) -> None:  # type: ignore[no-untyped-def]
    pks = range(1, 40)
    settings.MONITOR_CELL_KEY_SECRET = "een"
    first = cell_key("student", pks)
    settings.MONITOR_CELL_KEY_SECRET = "twee"
    assert cell_key("student", pks) != first
