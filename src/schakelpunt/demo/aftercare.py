"""Demo leavers: departures with a destination, aftercare contacts, some done."""

import random
from datetime import date, timedelta

from schakelpunt.transitions.models import (
    AftercareContact,
    AftercareOutcome,
    Departure,
    Destination,
    LeavingReason,
)
from schakelpunt.transitions.services import aftercare_generate

from .schooldays import school_day_near

DESTINATIONS = {
    Destination.NONE: 30,
    Destination.WORK: 30,
    Destination.MBO: 15,
    Destination.UNKNOWN: 15,
    Destination.CARE: 5,
    Destination.WORK_AND_LEARN: 5,
}
OUTCOMES = {
    AftercareOutcome.IN_WORK: 30,
    AftercareOutcome.IN_EDUCATION: 20,
    AftercareOutcome.LOOKING: 20,
    AftercareOutcome.NEEDS_HELP: 10,
    AftercareOutcome.UNREACHABLE: 15,
    AftercareOutcome.DECLINED: 5,
}


def build_aftercare(rng: random.Random, today: date) -> int:
    """The daily job plans aftercare for the demo's early leavers; most contacts that were due
    more than a week ago are done."""
    created = aftercare_generate(today)
    for departure in Departure.objects.filter(destination=Destination.UNKNOWN):
        departure.destination = rng.choices(list(DESTINATIONS), list(DESTINATIONS.values()))[0]
        departure.reason = LeavingReason.DROPOUT if rng.random() < 0.8 else LeavingReason.MOVED
        departure.save(update_fields=["destination", "reason"])
    for contact in AftercareContact.objects.filter(due_on__lt=today - timedelta(days=7)):
        if rng.random() < 0.8:
            contact.done_on = school_day_near(
                contact.due_on + timedelta(days=rng.randrange(-3, 7)), latest=today
            )
            contact.outcome = rng.choices(list(OUTCOMES), list(OUTCOMES.values()))[0]
            contact.save(update_fields=["done_on", "outcome"])
    return created
