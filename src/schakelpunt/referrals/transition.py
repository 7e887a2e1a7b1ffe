"""The 18-/18+ transition: what stops on the 18th birthday and what must be arranged.

Three months before a student with youth help (an active referral to a Jeugdwet service)
turns 18, the coordinator is alerted and gets this checklist. Youth help under the Jeugdwet
stops on the birthday unless the municipality extends it (verlengde jeugdhulp, up to 23);
support from 18 is requested under the Wmo, income under the Participatiewet.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import student_access
from schakelpunt.accounts.models import Membership, User
from schakelpunt.accounts.roles import Role
from schakelpunt.core.dates import in_words, months_after
from schakelpunt.directory.models import Law
from schakelpunt.directory.responsibility import ADULT_AGE, birthday_at
from schakelpunt.directory.selectors import law_token
from schakelpunt.notifications.services import notify
from schakelpunt.students.models import Student
from schakelpunt.support.selectors import open_trajectory_for

from .models import REFERRAL_ACTIVE_STATUSES, AdulthoodTransition, Referral

ALERT_MONTHS_AHEAD = 3

CHECKLIST: list[tuple[str, object]] = [
    ("talk", gettext_lazy("Met de student besproken wat er op de 18e verjaardag verandert")),
    (
        "continue",
        gettext_lazy(
            "Met de jeugdhulpaanbieder besproken of verlengde jeugdhulp nodig is "
            "(beschikking van de gemeente, kan tot 23 jaar)"
        ),
    ),
    ("wmo", gettext_lazy("Wmo-ondersteuning aangevraagd bij de toegang van de woongemeente")),
    (
        "insurance",
        gettext_lazy("Zorgverzekering: de student betaalt vanaf 18 zelf premie en eigen risico"),
    ),
    ("allowance", gettext_lazy("Zorgtoeslag aangevraagd (Belastingdienst)")),
    (
        "income",
        gettext_lazy("Inkomen geregeld: studiefinanciering of, waar nodig, de Participatiewet"),
    ),
    (
        "parents",
        gettext_lazy(
            "Met de student afgesproken of ouders betrokken blijven (vanaf 18 alleen met "
            "toestemming)"
        ),
    ),
    ("guardianship", gettext_lazy("Nagegaan of bewindvoering of mentorschap nodig is")),
]
CHECKLIST_CODES = [code for code, _label in CHECKLIST]


def _with_youth_help() -> Q:
    return Q(
        referrals__status__in=REFERRAL_ACTIVE_STATUSES,
        referrals__service__search_text__contains=law_token(Law.JEUGDWET),
    )


def _coordinators(student: Student) -> set[int]:
    """The trajectory's coordinator, whoever referred, and the care coordinators of the
    student's location."""
    people: set[int] = set()
    trajectory = open_trajectory_for(student)
    if trajectory is not None and trajectory.coordinator_id:
        people.add(trajectory.coordinator_id)
    people |= set(
        Referral.objects.filter(student=student, status__in=REFERRAL_ACTIVE_STATUSES)
        .exclude(created_by=None)
        .values_list("created_by_id", flat=True)
    )
    people |= set(
        Membership.objects.active()
        .filter(role=Role.CARE_COORDINATOR, organisation_id=student.institution_id)
        .filter(Q(location__isnull=True) | Q(location_id=student.location_id))
        .values_list("user_id", flat=True)
    )
    return people


def adulthood_alerts(today: date) -> int:
    """Alert about every student with youth help who turns 18 within three months. Safe to
    re-run: each 18th birthday is alerted once."""
    horizon = months_after(today, ALERT_MONTHS_AHEAD)
    # Born between (horizon - 18 years) and (today - 18 years]: turns 18 in (today, horizon].
    candidates = (
        Student.objects.filter(_with_youth_help(), left_on__isnull=True)
        .filter(date_of_birth__gt=date(today.year - ADULT_AGE - 1, 1, 1))
        .select_related("programme")
        .distinct()
    )
    count = 0
    for student in candidates:
        birthday = birthday_at(student.date_of_birth, ADULT_AGE)
        if not today < birthday <= horizon:
            continue
        with transaction.atomic():
            _transition, created = AdulthoodTransition.objects.get_or_create(
                student=student, turns_18_on=birthday
            )
            if not created:
                continue
            notify(
                actor=None,
                student=student,
                recipients=_coordinators(student),
                staff_message=_(
                    "%(name)s wordt 18 op %(day)s en krijgt jeugdhulp. Regel op tijd wat er "
                    "na 18 nodig is (Wmo, verlengde jeugdhulp)."
                ),
                values={"day": in_words(birthday)},
                student_message="",
                url=f"/verwijzingen/18/{student.pk}/",
            )
        count += 1
    return count


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    done: bool


def checklist_for(transition: AdulthoodTransition) -> list[ChecklistItem]:
    return [ChecklistItem(code, str(label), code in transition.done) for code, label in CHECKLIST]


class TransitionError(Exception):
    pass


def checklist_tick(
    *, actor: User, transition_id: int, code: str, done: bool, expected_version: int
) -> AdulthoodTransition:
    """Tick an item on or off; refused when someone else ticked in between."""
    if code not in CHECKLIST_CODES:
        raise TransitionError(_("Onbekend onderdeel van de checklist."))
    with transaction.atomic():
        transition = (
            AdulthoodTransition.objects.select_for_update(of=("self",))
            .select_related("student")
            .filter(pk=transition_id)
            .first()
        )
        if transition is None or not student_access(actor, transition.student).allows(
            Action.CHANGE, Part.REFERRALS
        ):
            raise TransitionError(_("U mag deze checklist niet bijwerken."))
        if transition.version != expected_version:
            raise TransitionError(
                _("Iemand anders heeft de checklist intussen bijgewerkt. Bekijk de nieuwe stand.")
            )
        items = set(transition.done)
        items = items | {code} if done else items - {code}
        transition.done = [c for c in CHECKLIST_CODES if c in items]
        transition.version += 1
        transition.save(update_fields=["done", "version"])
    return transition
