"""No aggregate shows 1–4 students, not even through a total."""

from hypothesis import given
from hypothesis import strategies as st

from schakelpunt.monitor.suppression import protect, protect_total


def test_small_cells_are_hidden_and_a_second_one_when_the_total_would_tell() -> None:
    cells = protect([("ROC A", 40), ("ROC B", 3), ("ROC C", 12)])
    assert [c.shown for c in cells] == ["40", "<5", "<5"]  # 55 - 40 - 12 would give B away
    assert [c.shown for c in protect([("A", 40), ("B", 3)], total_shown=False)] == ["40", "<5"]
    assert [c.shown for c in protect([("A", 40), ("B", 3), ("C", 2)])] == ["40", "<5", "<5"]
    assert [c.shown for c in protect([("A", 40), ("B", 0)])] == ["40", "0"]
    assert protect_total(4).shown == "<5" and protect_total(0).shown == "0"


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=8))
def test_no_hidden_cell_can_be_worked_out_from_the_total(counts: list[int]) -> None:
    cells = protect([(str(i), n) for i, n in enumerate(counts)])
    hidden = [n for c, n in zip(cells, counts, strict=True) if c.count is None]
    # Never a count of 1–4 on show.
    assert all(c.count is None or c.count == 0 or c.count >= 5 for c in cells)
    # With the total shown (it is shown unless itself small), a lone hidden cell would
    # equal the total minus the rest.
    assert len(hidden) != 1 or protect_total(sum(counts)).count is None
