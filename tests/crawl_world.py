"""The hand-made world of the need-to-know crawler: `tests.world` with a marked file per student.

Every student carries distinctive markers, one set per part of the file (`access.parts`):
a surname for the identity, phone numbers and e-mail addresses (also of the parents) for the
contact details, a programme name and crebo (enrolment), a DUO reference and a follow-up note
(absence), plan goals, contact notes, concerns, meeting passages and help requests (support),
and the question and advice of each referral (referrals). The crawler looks for these strings
in every response and asks the access policy whether that user may see that part.

Students (nn is the two-digit number in every marker of that student):
  01 t1    T1 (L1), 17, Enschede, statutory absence report, own login, help request, and a
           concern the coach held back from her
  02 t2    T2 (L1), referral to Zorg Een only received, consent withdrawn afterwards
  03 t3    T3 (L2), referral accepted by Zorg Een (consent: contact, support; no enrolment)
           and by Zorg Twee (consent: contact), each with advice; an earlier closed trajectory
  04 early T3 (L2), left without startkwalificatie (RMC list), departure and aftercare
  05 other ROC Twee
  06 finn  T2 (L1), 19, accepted referral to Zorg Twee with consent for contact only,
           an earlier closed trajectory, parents (he did not agree to involve them)
  07 gijs  T1 (L1), referral to Zorg Twee sent but not opened yet; handed over by his VO
           school (with consent); never came in the first weeks (a non-arrival)
  08 commuter  T1 (L1, Twente), lives in Zwolle (IJssel-Vecht), statutory absence report
           followed up by the RMC of IJssel-Vecht (`tests.world.add_second_region`)
  09 incomer   ROC Twee at L5 in Zwolle (IJssel-Vecht), lives in Hengelo (Twente), left
           without startkwalificatie (on the RMC list of Twente, not of IJssel-Vecht)
The parent (role Parent at ROC) is the guardian of gijs (made 15: sees his plan, appointments
and team), t1 (shares only her team), finn (19, does not involve his parents) and other (ROC
Twee, where the parent has no role).
Meetings: one at L1 about t1 and t2 (the T1 coach takes part, sees only t1, and owns an
action in t2's plan), one at L2 about t3 and early (Zorg Een's worker takes part, and sees
only t3). Early's contact details were shared with Zorg Een in an emergency (no referral).
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.utils import timezone

from schakelpunt.access.parts import Part
from schakelpunt.accounts.models import Organisation, User
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    MembershipFactory,
    ProgrammeFactory,
    UserFactory,
)
from schakelpunt.meetings import services as meeting_services
from schakelpunt.meetings.models import Meeting, MeetingKind
from schakelpunt.referrals import services as referral_services
from schakelpunt.referrals.models import Consent, ConsentBasis, Referral, ReferralStatus
from schakelpunt.signals.models import AbsenceReport
from schakelpunt.signals.triage import concern_raise
from schakelpunt.students.models import Student
from schakelpunt.students.services import guardian_add
from schakelpunt.students.tests.factories import StudentFactory, born_years_ago
from schakelpunt.support.models import (
    ContactKind,
    PlanGoal,
    SupportPlan,
    Trajectory,
    TrajectoryEvent,
    TrajectoryEventKind,
)
from schakelpunt.support.plans import GoalInput, plan_save
from schakelpunt.support.services import trajectory_open
from schakelpunt.support.student_services import contact_add, help_request_create
from schakelpunt.support.tests.factories import TrajectoryFactory
from schakelpunt.transitions.models import (
    AftercareContact,
    AftercareOutcome,
    Departure,
    Destination,
    DiplomaExpected,
    HandoverRecord,
    LeavingReason,
    MatchStatus,
    NonArrival,
    SchoolType,
)
from tests.world import add_second_region, build_world, statutory_report

# The two-digit number of each student in the world; every marker of the student carries it.
NUMBERS = {
    "t1": 1,
    "t2": 2,
    "t3": 3,
    "early": 4,
    "other": 5,
    "finn": 6,
    "gijs": 7,
    "commuter": 8,
    "incomer": 9,
}


@dataclass(frozen=True)
class Marker:
    """A string that shows one part of one student's file (or of one referral)."""

    text: str
    student: str
    part: Part
    # For the content of a referral or a handover record: shown to whoever may open that
    # record (the access policy decides that too), e.g. ("referral", 3).
    record: tuple[str, int] | None = None
    # What the policy decides beyond the part: ("guardian", id) for a parent's phone and
    # e-mail, ("concern", id) for a concern (the school's own; some held back from the student).
    about: tuple[str, int] | None = None
    # The day it happened, for who sees only a period (a provider: from its referral on).
    on: date | None = None
    # Name and programme may appear in lists without a log event; everything else needs one.
    needs_log: bool = True
    # What a parent may see of it, if anything: the `access.policy.ParentPart` it belongs to.
    parent_part: str | None = None


@dataclass
class CrawlWorld:
    students: dict[str, Student] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    markers: list[Marker] = field(default_factory=list)

    def mark(self, text: str, student: str, part: Part, **extra: object) -> str:
        self.markers.append(Marker(text, student, part, **extra))  # type: ignore[arg-type]
        return text


def _nn(key: str) -> str:
    return f"{NUMBERS[key]:02d}"


def _identity_and_contact(w: CrawlWorld, key: str) -> None:
    """Surname, e-mail, phone, programme and crebo: unique strings for this student."""
    nn = _nn(key)
    student = w.students[key]
    student.last_name = w.mark(f"Zqx{nn}", key, Part.IDENTITY, needs_log=False)
    student.email = w.mark(f"ctq{nn}mail@example.nl", key, Part.CONTACT)
    student.phone = w.mark(f"06-31{nn}47{nn}", key, Part.CONTACT)
    student.save(update_fields=["last_name", "email", "phone"])
    programme = student.programme
    # Also the institution's structure, which its functional administrator keeps.
    structure = ("programme", programme.pk)
    programme.name = w.mark(
        f"Opleiding Prq{nn}", key, Part.ENROLMENT, needs_log=False, record=structure
    )
    programme.crebo = w.mark(f"9{nn}77", key, Part.ENROLMENT, record=structure)
    programme.save(update_fields=["name", "crebo"])


def _guardian(w: CrawlWorld, key: str, actor: User) -> None:
    nn = _nn(key)
    guardian = guardian_add(
        actor=actor,
        student=w.students[key],
        name=w.mark(f"Ouder Gdq{nn}", key, Part.CONTACT),
        relation="parent",
        phone=f"06-52{nn}83{nn}",
        email=f"gdq{nn}home@example.nl",
    )
    for detail in (guardian.phone, guardian.email):
        w.mark(detail, key, Part.CONTACT, about=("guardian", guardian.pk))


def _concern(w: CrawlWorld, key: str, raiser: User, text: str, held_back: str = "") -> None:
    concern = concern_raise(
        actor=raiser, student=w.students[key], text=text, withheld_reason=held_back
    )
    w.mark(text, key, Part.SUPPORT, about=("concern", concern.pk))


def _support(w: CrawlWorld, key: str, care: User, raiser: User) -> Trajectory:
    """An open trajectory with a plan goal, a contact note and a concern."""
    nn = _nn(key)
    student = w.students[key]
    trajectory = trajectory_open(actor=care, student=student, life_domains=["home"])
    plan_save(
        actor=care,
        trajectory_id=trajectory.pk,
        expected_version=0,
        goals=[
            GoalInput("home", w.mark(f"Doel Spq{nn}goal", key, Part.SUPPORT, parent_part="plan"))
        ],
        actions=[],
        wishes=w.mark(f"Wens Spq{nn}wish", key, Part.SUPPORT),
    )
    contact_add(
        actor=care,
        student=student,
        kind=ContactKind.CONVERSATION,
        happened_on=timezone.localdate() - timedelta(days=5),
        summary=w.mark(f"Gesprek Spq{nn}note", key, Part.SUPPORT),
    )
    _concern(w, key, raiser, f"Zorg Spq{nn}concern")
    return trajectory


def _earlier_trajectory(w: CrawlWorld, key: str, actor: User) -> None:
    """A trajectory that closed ten months ago: its plan goal and its closing reason."""
    nn = _nn(key)
    opened = timezone.now() - timedelta(days=400)
    closed = timezone.now() - timedelta(days=300)
    earlier = TrajectoryFactory(
        student=w.students[key], closed=True, opened_at=opened, closed_at=closed
    )
    plan = SupportPlan.objects.create(trajectory=earlier, version=1)
    PlanGoal.objects.create(
        plan=plan,
        life_domain="finances",
        text=w.mark(f"Oud doel Spq{nn}old", key, Part.SUPPORT, on=opened.date()),
    )
    TrajectoryEvent.objects.create(
        trajectory=earlier,
        kind=TrajectoryEventKind.STATE,
        old_value="active",
        new_value="closed",
        reason=w.mark(f"Afgesloten Spq{nn}closed", key, Part.SUPPORT, on=closed.date()),
        at=closed,
        effective_on=closed.date(),
        actor=actor,
    )
    contact_add(
        actor=actor,
        student=w.students[key],
        kind=ContactKind.PHONE,
        happened_on=closed.date(),
        summary=w.mark(f"Gesprek Spq{nn}oldnote", key, Part.SUPPORT, on=closed.date()),
    )


def _absence(w: CrawlWorld, key: str, rmc: User) -> None:
    nn = _nn(key)
    today = timezone.localdate()
    report = AbsenceReport.objects.filter(student=w.students[key]).first()
    if report is None:
        report = statutory_report(w.students[key])
    report.reported_on = today - timedelta(days=8)
    report.reference = w.mark(f"DUOq{nn}ref", key, Part.ABSENCE)
    report.follow_up_status = "contacted"
    report.follow_up_note = w.mark(f"Verzuim Abq{nn}note", key, Part.ABSENCE)
    report.follow_up_by = rmc
    report.save()


def _referral(
    w: CrawlWorld,
    key: str,
    letter: str,
    *,
    to: Organisation,
    status: str,
    parts: list[str],
    by: User,
    existing: Referral | None = None,
) -> Referral:
    """A referral with a marked question; its consent covers `parts`."""
    nn = _nn(key)
    student = w.students[key]
    consent = Consent.objects.filter(student=student, organisation=to).first()
    if consent is None:
        consent = Consent.objects.create(student=student, organisation=to, parts=parts)
    referral = existing or Referral(student=student, to_organisation=to)
    referral.status = status
    referral.shared_parts = parts
    referral.consent = consent
    referral.created_by = by
    referral.trajectory = Trajectory.objects.filter(student=student).exclude(state="closed").first()
    referral.sent_at = timezone.now() - timedelta(days=9)
    if status != ReferralStatus.SENT:
        referral.received_at = timezone.now() - timedelta(days=8)
    if status == ReferralStatus.ACCEPTED:
        referral.accepted_on = timezone.localdate() - timedelta(days=7)
        referral.first_contact_days = 8
        referral.first_contact_due = referral.accepted_on + timedelta(days=8)
    referral.save()
    record = ("referral", referral.pk)
    Referral.objects.filter(pk=referral.pk).update(
        question=w.mark(f"Vraag Rfq{nn}{letter}q", key, Part.REFERRALS, record=record),
        service_name=w.mark(f"Aanbod Rfq{nn}{letter}svc", key, Part.REFERRALS, record=record),
    )
    referral.refresh_from_db()
    return referral


def _advice(w: CrawlWorld, key: str, letter: str, referral: Referral, worker: User) -> None:
    nn = _nn(key)
    referral_services.advice_add(
        actor=worker,
        referral_id=referral.pk,
        text=w.mark(
            f"Advies Rfq{nn}{letter}adv", key, Part.REFERRALS, record=("referral", referral.pk)
        ),
    )


def _meeting(
    w: CrawlWorld,
    *,
    chair: User,
    keys: list[str],
    guest: User,
    title: str,
    action_for_guest: bool = False,
) -> Meeting:
    """An approved meeting about two students, with a guest who may see only the first (and,
    with `action_for_guest`, owns an action in the plan of the second)."""
    first = w.students[keys[0]]
    meeting = meeting_services.meeting_plan(
        actor=chair,
        details=meeting_services.MeetingInput(
            kind=MeetingKind.CARE_TEAM,
            title=title,
            starts_at=timezone.now() - timedelta(hours=2),
            duration_minutes=60,
            place="Lokaal 1",
            chair=chair,
        ),
        student=first,
        question=w.mark(f"Vraag Spq{_nn(keys[0])}agenda", keys[0], Part.SUPPORT),
        invite_student=False,
    )
    for key in keys[1:]:
        meeting_services.item_add(
            actor=chair,
            meeting_id=meeting.pk,
            student=w.students[key],
            question=w.mark(f"Vraag Spq{_nn(key)}agenda", key, Part.SUPPORT),
        )
    meeting_services.participant_add(actor=chair, meeting_id=meeting.pk, user=guest)
    minutes = {}
    for item in meeting.items.select_related("student"):
        key = next(k for k, s in w.students.items() if s.pk == item.student_id)
        action = None
        if action_for_guest and key == keys[-1]:
            action = meeting_services.ActionInput(
                description=w.mark(
                    f"Actie Spq{_nn(key)}act", key, Part.SUPPORT, parent_part="plan"
                ),
                due_on=timezone.localdate() + timedelta(days=14),
                owner=guest,
            )
        decision = meeting_services.decision_add(
            actor=chair,
            item_id=item.pk,
            text=w.mark(f"Besluit Spq{_nn(key)}dec", key, Part.SUPPORT),
            action=action,
        )
        if action is not None and decision.action_id is not None:
            # The action's text is its owner's to read (the policy: actions_owned_by).
            w.markers = [
                replace(m, record=("action", decision.action_id))
                if m.text == action.description
                else m
                for m in w.markers
            ]
        minutes[item.pk] = w.mark(f"Verslag Spq{_nn(key)}min", key, Part.SUPPORT)
    # The general part is meant to say nothing about a student; this one names the last.
    general = w.mark(f"Algemeen: Spq{_nn(keys[-1])}gen", keys[-1], Part.SUPPORT)
    meeting.refresh_from_db()
    meeting_services.minutes_save(
        actor=chair,
        meeting_id=meeting.pk,
        notes=general,
        expected_version=meeting.version,
        item_minutes=minutes,
    )
    return meeting_services.minutes_approve(actor=chair, meeting_id=meeting.pk)


def build_crawl_world() -> CrawlWorld:
    base = build_world()
    add_second_region(base)
    w = CrawlWorld(students=dict(base.students), users=dict(base.users))
    s, u = w.students, w.users
    today = timezone.localdate()
    roc, roc2 = s["t1"].institution, s["other"].institution
    p1 = Organisation.objects.get(name="Zorg Een")
    p2 = Organisation.objects.get(name="Zorg Twee")

    # A care coordinator for ROC Twee, so its student has a file like the others.
    care_roc2 = UserFactory(email="care_roc2@example.nl", first_name="Roos")
    MembershipFactory(user=care_roc2, organisation=roc2, role=Role.CARE_COORDINATOR)
    u["care_roc2"] = care_roc2

    t1_team = s["t1"].programme.team
    t2_team = s["t2"].programme.team
    s["finn"] = StudentFactory(
        programme=ProgrammeFactory(team=t2_team),
        first_name="Finn",
        date_of_birth=born_years_ago(19),
    )
    s["gijs"] = StudentFactory(
        programme=ProgrammeFactory(team=t1_team),
        first_name="Gijs",
        date_of_birth=born_years_ago(15),
    )
    for key in NUMBERS:
        _identity_and_contact(w, key)

    care = {
        "t1": u["care_l1"],
        "t2": u["care_l1"],
        "finn": u["care_l1"],
        "gijs": u["care_l1"],
        "t3": u["advisor_l2"],
        "early": u["advisor_l2"],
        "other": care_roc2,
        "commuter": u["care_l1"],
        "incomer": care_roc2,
    }
    raiser = {
        "t1": u["coach"],
        "t2": u["coach2"],
        "finn": u["coach2"],
        "gijs": u["coach"],
        "t3": u["advisor_l2"],
        "early": u["advisor_l2"],
        "other": care_roc2,
        "commuter": u["coach"],
        "incomer": care_roc2,
    }
    for key in NUMBERS:
        _guardian(w, key, care[key])

    # Earlier, closed trajectories (long before any referral), each with a plan and a reason.
    for key in ("t3", "finn"):
        _earlier_trajectory(w, key, care[key])
    for key in NUMBERS:
        if key not in ("early", "incomer"):  # they left school: no open trajectory
            _support(w, key, care[key], raiser[key])
    help_request_create(
        actor=u["student"], student=s["t1"], text=w.mark("Hulp Spq01help", "t1", Part.SUPPORT)
    )
    # A concern the coach holds back from Anna herself (the meldcode).
    _concern(
        w, "t1", u["coach"], "Zorg Spq01held", held_back="Meldcode: eerst overleg met het zorgteam."
    )

    for key in ("t1", "t3", "finn"):
        _absence(w, key, u["rmc"])
    _absence(w, "commuter", u["rmc_b"])  # his report goes to where he lives

    # Referrals. Zorg Een: t2 only received (consent withdrawn afterwards), t3 accepted.
    t2_referral = _referral(
        w,
        "t2",
        "a",
        to=p1,
        status=ReferralStatus.RECEIVED,
        parts=[Part.CONTACT],
        by=u["care_l1"],
        existing=Referral.objects.get(student=s["t2"], to_organisation=p1),
    )
    t3_p1 = _referral(
        w,
        "t3",
        "a",
        to=p1,
        status=ReferralStatus.ACCEPTED,
        parts=[Part.CONTACT, Part.SUPPORT],
        by=u["advisor_l2"],
        existing=Referral.objects.get(student=s["t3"], to_organisation=p1),
    )
    _advice(w, "t3", "a", t3_p1, u["worker_p1"])
    # Zorg Twee: t3 accepted (contact only) with advice; finn accepted (contact only); gijs sent.
    t3_p2 = _referral(
        w,
        "t3",
        "b",
        to=p2,
        status=ReferralStatus.ACCEPTED,
        parts=[Part.CONTACT],
        by=u["advisor_l2"],
    )
    _advice(w, "t3", "b", t3_p2, u["worker_p2"])
    _referral(
        w,
        "finn",
        "a",
        to=p2,
        status=ReferralStatus.ACCEPTED,
        parts=[Part.CONTACT],
        by=u["care_l1"],
    )
    _referral(
        w,
        "gijs",
        "a",
        to=p2,
        status=ReferralStatus.SENT,
        parts=[Part.CONTACT, Part.SUPPORT],
        by=u["care_l1"],
    )
    assert t2_referral.consent_id is not None
    referral_services.consent_withdraw(actor=u["care_l1"], consent_id=t2_referral.consent_id)

    _meeting(
        w,
        chair=u["care_l1"],
        keys=["t1", "t2"],
        guest=u["coach"],
        title="Zorgteam L1",
        action_for_guest=True,
    )
    _meeting(
        w, chair=u["advisor_l2"], keys=["t3", "early"], guest=u["worker_p1"], title="Zorgteam L2"
    )

    # Shared with Zorg Een in an emergency, without consent (no referral: no access).
    share = Consent.objects.create(
        student=s["early"],
        organisation=p1,
        parts=[Part.CONTACT],
        basis=ConsentBasis.EMERGENCY,
        expires_on=today + timedelta(days=14),
        student_agrees=False,
        emergency_reason="(reden volgt)",
        recorded_by=u["advisor_l2"],
    )
    # Its reason is for the privacy officer who reviews such shares (the policy says so).
    share.emergency_reason = w.mark(
        "Nood Rfq04emerg", "early", Part.REFERRALS, record=("emergency_share", share.pk)
    )
    share.save(update_fields=["emergency_reason"])

    # Early left 40 days ago without startkwalificatie: a departure and aftercare.
    early = s["early"]
    assert early.left_on is not None
    departure = Departure.objects.create(
        student=early,
        left_on=early.left_on,
        reason=LeavingReason.DROPOUT,
        destination=Destination.NONE,
        note=w.mark("Vertrek Enq04dep", "early", Part.ENROLMENT),
        recorded_by=u["advisor_l2"],
    )
    AftercareContact.objects.create(
        departure=departure,
        months=1,
        due_on=early.left_on + timedelta(days=30),
        done_on=today - timedelta(days=3),
        outcome=AftercareOutcome.LOOKING,
        note=w.mark("Nazorg Spq04after", "early", Part.SUPPORT),
        done_by=u["advisor_l2"],
    )
    AftercareContact.objects.create(
        departure=departure, months=3, due_on=early.left_on + timedelta(days=90)
    )
    # Gijs: handed over by his VO school (with consent), and he never came in the first weeks.
    handover = HandoverRecord.objects.create(
        institution=roc,
        source_school="Vo-school De Es",
        first_name="Gijs",
        last_name="Zqx07",  # marked below: the same name as in his student file
        date_of_birth=s["gijs"].date_of_birth,
        school_type=SchoolType.VMBO_K,
        diploma_expected=DiplomaExpected.YES,
        consent=True,
        match_status=MatchStatus.MATCHED,
        student=s["gijs"],
    )
    w.mark("Zqx07", "gijs", Part.IDENTITY, record=("handover", handover.pk), needs_log=False)
    HandoverRecord.objects.filter(pk=handover.pk).update(
        support_received=w.mark(
            "Vo-steun Spq07vo", "gijs", Part.SUPPORT, record=("handover", handover.pk)
        )
    )
    NonArrival.objects.create(
        student=s["gijs"],
        enrolled_on=s["gijs"].enrolled_on,
        school_days=10,
        follow_up_status="contacted",
        follow_up_note=w.mark("Niet verschenen Enq07na", "gijs", Part.ENROLMENT),
        follow_up_by=u["rmc"],
    )
    _parent(w)
    for key in NUMBERS:
        s[key].refresh_from_db()
    return w


def _parent(w: CrawlWorld) -> None:
    """A parent with an account at ROC, the guardian of four students: Gijs (15, so the parent
    sees his plan, appointments and team), T1 (17, shares only her team), Finn (19, shares his
    plan but does not involve his parents) and Eva (ROC Twee, where the parent has no role)."""
    s = w.students
    parent = UserFactory(email="parent@example.nl", first_name="Pieter", last_name="Ouder")
    MembershipFactory(user=parent, organisation=s["t1"].institution, role=Role.PARENT)
    w.users["parent"] = parent
    sharing = {"gijs": [], "t1": ["team"], "finn": ["plan"], "other": ["plan", "team"]}
    for key, shared in sharing.items():
        guardian = s[key].guardians.order_by("pk").first()
        assert guardian is not None
        guardian.user = parent
        guardian.shared_parts = shared
        guardian.save(update_fields=["user", "shared_parts"])
    # A conversation planned with Gijs: the parent reads its day and kind, not its notes.
    contact_add(
        actor=w.users["care_l1"],
        student=s["gijs"],
        kind=ContactKind.CONVERSATION,
        happened_on=timezone.localdate() + timedelta(days=5),
        summary=w.mark("Gesprek Spq07plan", "gijs", Part.SUPPORT),
    )
