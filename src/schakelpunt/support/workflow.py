"""Allowed state changes of a support trajectory: one table, each with why it exists."""

from .models import TrajectoryState as S

ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.SIGNALLED, S.CLARIFYING): "someone takes up the signal and clarifies the question",
    (S.SIGNALLED, S.CLOSED): "on a closer look no support is needed",
    (S.CLARIFYING, S.ACTIVE): "the question is clear and a plan is agreed with the student",
    (S.CLARIFYING, S.CLOSED): "clarified: no trajectory needed, or the student declines",
    (S.ACTIVE, S.CLARIFYING): "the question changed and needs clarifying again",
    (S.ACTIVE, S.CLOSING): "goals reached or help handed over: wrapping up",
    (S.ACTIVE, S.CLOSED): "the student left school or declines further support",
    (S.CLOSING, S.ACTIVE): "closing turned out to be too early",
    (S.CLOSING, S.CLOSED): "wrapped up, with a reason",
}


def transition_allowed(old: str, new: str) -> bool:
    return (old, new) in ALLOWED_TRANSITIONS


def next_states(state: str) -> list[str]:
    """The states a trajectory in `state` may move to, in the order of the table."""
    return [new for (old, new) in ALLOWED_TRANSITIONS if old == state]
