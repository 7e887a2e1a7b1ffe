"""Counts for roles that see aggregates only. Small numbers never leave this module."""

from dataclasses import dataclass

from django.db.models import Count

from schakelpunt.accounts.models import Level, Membership, User
from schakelpunt.accounts.roles import OrganisationKind, Role
from schakelpunt.students.models import Student

# Cells counting fewer students than this are shown as "<5".
SUPPRESSION_THRESHOLD = 5


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: suppressed

    @property
    def shown(self) -> str:
        return f"<{SUPPRESSION_THRESHOLD}" if self.count is None else str(self.count)


def suppress(count: int) -> int | None:
    """Counts of 1–4 are hidden; 0 and 5+ are shown."""
    return None if 0 < count < SUPPRESSION_THRESHOLD else count


def resident_students_by_level(*, user: User) -> dict[str, list[Cell]]:
    """Enrolled students per level, for each municipality the user advises or governs."""
    result: dict[str, list[Cell]] = {}
    memberships = (
        Membership.objects.active()
        .filter(user=user, role__in=[Role.MUNICIPAL_ADVISOR, Role.GOVERNANCE])
        .select_related("organisation__municipality")
    )
    for m in memberships:
        org = m.organisation
        students = Student.objects.filter(left_on__isnull=True)
        if org.kind == OrganisationKind.MUNICIPALITY and org.municipality_id:
            students = students.filter(residence_municipality_id=org.municipality_id)
            title = str(org.municipality)
        elif org.kind == OrganisationKind.MBO_INSTITUTION:
            students = students.filter(institution=org)
            title = str(org)
        else:
            continue
        counts = dict(students.values_list("programme__level").annotate(n=Count("pk")).order_by())
        cells = [Cell(str(level.label), suppress(counts.get(level.value, 0))) for level in Level]
        result[title] = cells
    return result
