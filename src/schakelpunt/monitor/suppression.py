"""Small numbers never leave: cells of 1–4 are shown as "<5", and where a shown total would
give a hidden cell away, a second cell is hidden too (complementary suppression).

Every aggregate a municipal advisor or governance sees — screens, exports, reports — passes
through `protect`.
"""

from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 5


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: hidden

    @property
    def shown(self) -> str:
        return f"<{THRESHOLD}" if self.count is None else str(self.count)


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def protect(rows: Sequence[tuple[str, int]], *, total_shown: bool = True) -> list[Cell]:
    """Hide counts of 1–4; if the group's total is shown and exactly one cell is hidden,
    hide the smallest other non-zero cell as well, so that no subtraction reveals it."""
    hidden = {i for i, (_label, n) in enumerate(rows) if is_small(n)}
    if total_shown and len(hidden) == 1:
        others = sorted((n, i) for i, (_label, n) in enumerate(rows) if i not in hidden and n > 0)
        if others:
            hidden.add(others[0][1])
    return [Cell(label, None if i in hidden else n) for i, (label, n) in enumerate(rows)]


def protect_total(total: int) -> Cell:
    return Cell("", None if is_small(total) else total)
