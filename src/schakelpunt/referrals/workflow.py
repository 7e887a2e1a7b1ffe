"""Allowed steps of a referral: one table, each with who takes it and why it exists.

`school`: the care team of the student's school (they refer and stay in the loop).
`provider`: a worker of the receiving organisation.
"""

from typing import Literal

from .models import ReferralStatus as S

Side = Literal["school", "provider"]

TRANSITIONS: dict[tuple[str, str], tuple[Side, str]] = {
    (S.DRAFT, S.SENT): ("school", "the question and the consent are complete: send it"),
    (S.DRAFT, S.WITHDRAWN): ("school", "the draft is not needed after all"),
    (S.SENT, S.RECEIVED): ("provider", "the provider has read the referral"),
    (S.SENT, S.ACCEPTED): ("provider", "accepted straight away"),
    (S.SENT, S.DECLINED): ("provider", "declined straight away, with a reason"),
    (S.SENT, S.WITHDRAWN): ("school", "the school takes the question back"),
    (S.RECEIVED, S.ACCEPTED): ("provider", "the provider takes the question on"),
    (S.RECEIVED, S.DECLINED): ("provider", "not the right help, or no place: with a reason"),
    (S.RECEIVED, S.WITHDRAWN): ("school", "the school takes the question back"),
    (S.ACCEPTED, S.FIRST_CONTACT): ("provider", "the provider spoke with the student"),
    (S.ACCEPTED, S.ENDED): ("provider", "no contact came about (unreachable, declined)"),
    (S.ACCEPTED, S.WITHDRAWN): ("school", "the school takes the question back"),
    (S.FIRST_CONTACT, S.HELP_STARTED): ("provider", "the help itself has started"),
    (S.FIRST_CONTACT, S.ENDED): ("provider", "after first contact no help is needed or wanted"),
    (S.FIRST_CONTACT, S.WITHDRAWN): ("school", "the school takes the question back"),
    (S.HELP_STARTED, S.ENDED): ("provider", "the help ended, successful or not"),
}


def transition_allowed(old: str, new: str, side: Side) -> bool:
    return TRANSITIONS.get((old, new), (None, ""))[0] == side


def next_statuses(status: str, side: Side) -> list[str]:
    return [new for (old, new), (who, _why) in TRANSITIONS.items() if old == status and who == side]
