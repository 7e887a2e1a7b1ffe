import factory

from schakelpunt.students.tests.factories import StudentFactory
from schakelpunt.support.models import Tier, Trajectory, TrajectoryState


class TrajectoryFactory(factory.django.DjangoModelFactory):
    """Test set-up only: real changes go through support.services."""

    class Meta:
        model = Trajectory

    student = factory.SubFactory(StudentFactory)
    state = TrajectoryState.SIGNALLED
    tier = Tier.BASIS

    class Params:
        active = factory.Trait(state=TrajectoryState.ACTIVE)
        closed = factory.Trait(state=TrajectoryState.CLOSED, close_reason="goal_reached")
