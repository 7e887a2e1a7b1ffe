"""What a student reads about themselves, in plain Dutch (language level B1, "je").

The staff's words for the same records ("Zwaarte", "Vraagverheldering", "crebo", "grondslag")
are professional shorthand; a student of 16 should understand their own file without them.
The access decisions are the same as for the staff page: the caller passes the parts the
policy grants.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schakelpunt.access.parts import Part
from schakelpunt.access.policy import concern_visible_to_student
from schakelpunt.referrals.models import ReferralStatus
from schakelpunt.signals.models import AbsenceReportKind
from schakelpunt.support.models import (
    TIER_ORDER,
    SupportPlan,
    TrajectoryEvent,
    TrajectoryEventKind,
    TrajectoryState,
)
from schakelpunt.support.selectors import open_trajectory_for

from .models import Student

# The parts of the file as the student would name them.
PART_WORDS = {
    Part.IDENTITY: gettext_lazy("je naam en geboortedatum"),
    Part.CONTACT: gettext_lazy("hoe ze je kunnen bereiken"),
    Part.ENROLMENT: gettext_lazy("je opleiding"),
    Part.ABSENCE: gettext_lazy("wanneer je afwezig was"),
    Part.SUPPORT: gettext_lazy("je hulp op school en je team"),
    Part.REFERRALS: gettext_lazy("je hulp buiten school"),
}

STATE_WORDS = {
    TrajectoryState.SIGNALLED: gettext_lazy("School wil je extra helpen."),
    TrajectoryState.CLARIFYING: gettext_lazy("We zoeken samen uit wat je nodig hebt."),
    TrajectoryState.ACTIVE: gettext_lazy("We werken aan je plan."),
    TrajectoryState.CLOSING: gettext_lazy("We ronden je hulp af."),
    TrajectoryState.CLOSED: gettext_lazy("Je hulp is klaar."),
}

ABSENCE_WORDS = {
    AbsenceReportKind.SIXTEEN_IN_FOUR: gettext_lazy("16 uur in 4 weken afwezig"),
    AbsenceReportKind.LONG_TERM_RELATIVE: gettext_lazy("lange tijd vaak afwezig"),
    AbsenceReportKind.RMC: gettext_lazy("vaak afwezig (18 tot 23 jaar)"),
}

REFERRAL_WORDS = {
    ReferralStatus.DRAFT: gettext_lazy("wordt klaargezet"),
    ReferralStatus.SENT: gettext_lazy("gevraagd"),
    ReferralStatus.RECEIVED: gettext_lazy("ontvangen"),
    ReferralStatus.ACCEPTED: gettext_lazy("gaat je helpen"),
    ReferralStatus.DECLINED: gettext_lazy("kan je niet helpen"),
    ReferralStatus.FIRST_CONTACT: gettext_lazy("heeft je gesproken"),
    ReferralStatus.HELP_STARTED: gettext_lazy("helpt je nu"),
    ReferralStatus.ENDED: gettext_lazy("klaar"),
    ReferralStatus.WITHDRAWN: gettext_lazy("gestopt"),
}


@dataclass(frozen=True)
class OwnEvent:
    at: datetime
    title: str
    detail: str
    # Breaks ties between entries of the same moment: the later record is the newer.
    pk: int = 0


def _moment(day: date | datetime) -> datetime:
    if isinstance(day, datetime):
        return day
    return timezone.make_aware(datetime.combine(day, time(12)))


def part_words(parts: list[str]) -> str:
    return ", ".join(str(PART_WORDS[Part(p)]) for p in Part.values if p in parts)


def referral_words(status: str) -> str:
    return str(REFERRAL_WORDS.get(status, status))  # type: ignore[call-overload]


def absence_words(kind: str) -> str:
    return str(ABSENCE_WORDS.get(kind, kind))  # type: ignore[call-overload]


def _trajectory_event(event: TrajectoryEvent) -> tuple[str, str] | None:
    """The student's words for a change of their help; None: nothing for the student."""
    kind = event.kind
    if kind == TrajectoryEventKind.OPENED:
        return _("Je extra hulp is begonnen"), ""
    if kind == TrajectoryEventKind.STATE:
        words = STATE_WORDS.get(event.new_value or "")  # type: ignore[call-overload]
        return _("Nieuwe stap"), str(words or "")
    if kind == TrajectoryEventKind.TIER:
        old = TIER_ORDER.get(event.old_value or "", 0)  # type: ignore[call-overload]
        new = TIER_ORDER.get(event.new_value or "", 0)  # type: ignore[call-overload]
        if new > old:
            return _("Je krijgt meer hulp"), ""
        return _("Je krijgt minder hulp"), ""
    if kind == TrajectoryEventKind.COORDINATOR:
        return _("Je hebt een vast aanspreekpunt"), str(event.new_value or "")
    if kind == TrajectoryEventKind.PLAN:
        return _("Je plan is bijgewerkt"), ""
    return None


def own_timeline(student: Student, parts: frozenset[Part]) -> list[OwnEvent]:
    """What happened in the student's file, newest first, in their words; what someone held
    back from them stays out."""
    items: list[OwnEvent] = []
    if Part.SUPPORT in parts:
        today = timezone.localdate()
        for note in student.contacts.filter(shared_with_student=True, happened_on__lte=today):
            detail = ", ".join(p for p in (note.participants, note.summary) if p)
            items.append(
                OwnEvent(_moment(note.happened_on), str(note.get_kind_display()), detail, note.pk)
            )
        for words in student.contributions.all():
            items.append(OwnEvent(words.created_at, _("Jij schreef"), words.text, words.pk))
        for concern in student.concerns.select_related("raised_by"):
            if not concern_visible_to_student(concern):
                continue
            if concern.raised_by is None:
                title = _("School ziet dat het misschien minder goed gaat")
            else:
                title = _("%(name)s maakt zich zorgen over je") % {"name": concern.raised_by}
            items.append(OwnEvent(concern.created_at, title, concern.text, concern.pk))
        for question in student.help_requests.all():
            items.append(
                OwnEvent(question.created_at, _("Je vroeg om hulp"), question.text, question.pk)
            )
        for event in TrajectoryEvent.objects.filter(trajectory__student=student).order_by(
            "-at", "-pk"
        )[:200]:
            said = _trajectory_event(event)
            if said is not None:
                items.append(OwnEvent(event.at, said[0], said[1], event.pk))
        for member in student.support_team.select_related("user"):
            items.append(
                OwnEvent(
                    _moment(member.added_on),
                    _("%(name)s helpt je") % {"name": member.user},
                    member.role_description,
                    member.pk,
                )
            )
            if member.ended_on:
                items.append(
                    OwnEvent(
                        _moment(member.ended_on),
                        _("%(name)s helpt je niet meer") % {"name": member.user},
                        "",
                        member.pk,
                    )
                )
    if Part.ABSENCE in parts:
        for report in student.absence_reports.all():
            items.append(
                OwnEvent(
                    _moment(report.threshold_on),
                    _("School gaf door dat je vaak afwezig was"),
                    absence_words(report.kind),
                    report.pk,
                )
            )
    if Part.REFERRALS in parts:
        for referral in student.referrals.select_related("to_organisation"):
            items.append(
                OwnEvent(
                    referral.created_at,
                    _("Hulp gevraagd bij %(org)s") % {"org": referral.to_organisation},
                    referral_words(referral.status),
                    referral.pk,
                )
            )
        for consent in student.consents.select_related("organisation"):
            org = {"org": consent.organisation}
            if consent.basis == "emergency":
                title = _("%(org)s mocht je gegevens zien, omdat het dringend was") % org
            else:
                title = _("Je gaf %(org)s toestemming") % org
            items.append(
                OwnEvent(
                    _moment(consent.recorded_at),
                    title,
                    _("Ze mogen zien: %(parts)s.") % {"parts": part_words(consent.parts)},
                    consent.pk,
                )
            )
            if consent.withdrawn_at is not None:
                items.append(
                    OwnEvent(
                        consent.withdrawn_at,
                        _("Je toestemming voor %(org)s is ingetrokken") % org,
                        _("Ze kunnen je gegevens niet meer zien."),
                        consent.pk,
                    )
                )
    items.sort(key=lambda item: (item.at, item.pk), reverse=True)
    return items


def own_file_context(student: Student, parts: frozenset[Part]) -> dict[str, object]:
    """The student's words for the records on their own page (the view adds the rest)."""
    context: dict[str, object] = {"own_timeline": own_timeline(student, parts)}
    if Part.SUPPORT in parts:
        today = timezone.localdate()
        trajectory = open_trajectory_for(student)
        plan = SupportPlan.objects.filter(trajectory=trajectory).first() if trajectory else None
        shared = student.contacts.filter(shared_with_student=True)
        context.update(
            own_trajectory=trajectory,
            own_plan=plan,
            own_goals=list(plan.goals.all()) if plan else [],
            own_actions=list(plan.actions.select_related("owner")) if plan else [],
            own_contributions=list(student.contributions.all()[:20]),
            own_appointments=list(
                shared.filter(happened_on__gt=today).order_by("happened_on")[:10]
            ),
            own_help_requests=list(student.help_requests.select_related("picked_up_by")[:20]),
        )
    if Part.ABSENCE in parts:
        context["own_absence"] = [
            {"report": r, "words": absence_words(r.kind)} for r in student.absence_reports.all()
        ]
    if Part.REFERRALS in parts:
        context["own_referrals"] = [
            {"referral": r, "words": referral_words(r.status)}
            for r in student.referrals.select_related("to_organisation")
        ]
        context["own_consents"] = [
            {"consent": c, "words": part_words(c.parts)}
            for c in student.consents.select_related("organisation")
        ]
    return context
