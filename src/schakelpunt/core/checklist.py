"""The functional administrator's set-up checklist on the start page: counts only, never a
student's data, in one query for all their institutions."""

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from schakelpunt.accounts.models import (
    Location,
    Membership,
    Organisation,
    OrganisationKind,
    Programme,
    ProgrammeTeam,
    User,
)
from schakelpunt.accounts.roles import Role
from schakelpunt.signals.models import AbsenceImportJob, ImportStatus, SignalSettings
from schakelpunt.students.models import Student


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    done: bool
    text: str
    link: str
    link_text: str


@dataclass(frozen=True)
class Checklist:
    institution: str
    steps: list[Step]

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.done)


def _not_ended(prefix: str = "") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": today})


def setup_checklists(*, user: User) -> list[Checklist]:
    """Per MBO institution where `user` is functional administrator: the five steps from an
    empty install to a working school, each done or not."""
    today = timezone.localdate()
    admin_of = (
        Membership.objects.active()
        .filter(user=user, role=Role.FUNCTIONAL_ADMIN)
        .values("organisation_id")
    )

    def counted(queryset, group: str, field: str = "pk") -> Coalesce:  # type: ignore[no-untyped-def]
        return Coalesce(
            Subquery(
                queryset.order_by()
                .values(group)
                .annotate(n=Count(field, distinct=True))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        )

    institutions = (
        Organisation.objects.filter(pk__in=admin_of, kind=OrganisationKind.MBO_INSTITUTION)
        .annotate(
            has_location=Exists(Location.objects.filter(_not_ended(), institution=OuterRef("pk"))),
            has_team=Exists(
                ProgrammeTeam.objects.filter(_not_ended(), location__institution=OuterRef("pk"))
            ),
            has_programme=Exists(
                Programme.objects.filter(_not_ended(), team__location__institution=OuterRef("pk"))
            ),
            region=Subquery(
                SignalSettings.objects.filter(institution=OuterRef("pk")).values("holiday_region")[
                    :1
                ]
            ),
            student_count=counted(
                Student.objects.filter(institution=OuterRef("pk")), "institution"
            ),
            absence_imported=Exists(
                AbsenceImportJob.objects.filter(
                    institution=OuterRef("pk"), status=ImportStatus.DONE
                )
            ),
            people_count=counted(
                Membership.objects.filter(organisation=OuterRef("pk"))
                .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
                .exclude(user=user),
                "organisation",
                "user",
            ),
        )
        .order_by("name")
    )
    return [_checklist(i) for i in institutions]


def _checklist(i: Organisation) -> Checklist:
    structure = bool(i.has_location and i.has_team and i.has_programme)  # type: ignore[attr-defined]
    students: int = i.student_count  # type: ignore[attr-defined]
    people: int = i.people_count  # type: ignore[attr-defined]
    region = i.region or ""  # type: ignore[attr-defined]
    steps = [
        Step(
            1,
            _("Opbouw"),
            structure,
            _("Er zijn locaties, opleidingsteams en opleidingen.")
            if structure
            else _(
                "Maak locaties, opleidingsteams en opleidingen, op het scherm of met een bestand."
            ),
            reverse("institution:overview"),
            _("Naar de opbouw van de instelling"),
        ),
        Step(
            2,
            _("Schoolkalender"),
            bool(region),
            _("De vakantieregio is gekozen.")
            if region
            else _("Kies de vakantieregio, zodat schoolvakanties niet als schoolweken tellen."),
            reverse("calendar:overview"),
            _("Naar de schoolkalender"),
        ),
        Step(
            3,
            _("Studenten ingelezen"),
            students > 0,
            _("%(n)s studenten ingelezen.") % {"n": students}
            if students
            else _("Lees de studenten in uit het studentinformatiesysteem."),
            reverse("students:import"),
            _("Studenten inlezen"),
        ),
        Step(
            4,
            _("Verzuim ingelezen"),
            bool(i.absence_imported),  # type: ignore[attr-defined]
            _("Er is een verzuimbestand ingelezen.")
            if i.absence_imported  # type: ignore[attr-defined]
            else _("Lees het verzuim in uit het studentinformatiesysteem."),
            reverse("signals:import"),
            _("Verzuim inlezen"),
        ),
        Step(
            5,
            _("Mensen uitgenodigd"),
            people > 0,
            _("%(n)s mensen hebben een rol (naast u).") % {"n": people}
            if people
            else _("Nodig studieloopbaanbegeleiders, zorgcoördinatoren en anderen uit."),
            reverse("people:list"),
            _("Naar mensen"),
        ),
    ]
    return Checklist(institution=i.name, steps=steps)
