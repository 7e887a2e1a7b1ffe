"""A small region with one person per access rule, and the students each may see.

ROC 1: location L1 (teams T1, T2), location L2 (team T3). ROC 2: location L3 (team T4).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from schakelpunt.access.parts import Part
from schakelpunt.accounts.models import User
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import (
    LocationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProgrammeTeamFactory,
    UserFactory,
    municipality,
)
from schakelpunt.referrals.models import Consent, Referral, ReferralStatus
from schakelpunt.signals.models import AbsenceReport, AbsenceReportKind
from schakelpunt.students.models import Student
from schakelpunt.students.tests.factories import StudentFactory, born_years_ago
from schakelpunt.support.models import SupportTeamMember


@dataclass
class World:
    students: dict[str, Student] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


def statutory_report(student: Student) -> AbsenceReport:
    """A statutory absence report (16 hours in 4 weeks), its threshold ten days ago."""
    today = timezone.localdate()
    return AbsenceReport.objects.create(
        student=student,
        kind=AbsenceReportKind.SIXTEEN_IN_FOUR,
        start_date=today - timedelta(30),
        threshold_on=today - timedelta(10),
        end_date=today - timedelta(10),
        unauthorised_hours=16,
        rules_version="test",
    )


def build_world() -> World:
    w = World()
    today = timezone.localdate()
    roc = OrganisationFactory(name="ROC Een")
    roc2 = OrganisationFactory(name="ROC Twee")
    l1 = LocationFactory(institution=roc, name="L1")
    l2 = LocationFactory(institution=roc, name="L2", municipality=municipality("GM0141"))
    l3 = LocationFactory(institution=roc2, name="L3")
    t1 = ProgrammeTeamFactory(location=l1, name="T1")
    t2 = ProgrammeTeamFactory(location=l1, name="T2")
    t3 = ProgrammeTeamFactory(location=l2, name="T3")
    t4 = ProgrammeTeamFactory(location=l3, name="T4")
    p1 = OrganisationFactory(provider=True, name="Zorg Een")
    p2 = OrganisationFactory(provider=True, name="Zorg Twee")
    rmc_twente = OrganisationFactory(rmc=True, name="RMC Twente")
    rmc_twente.rmc_region = municipality("GM0153").rmc_region
    rmc_twente.save()
    enschede = OrganisationFactory(gemeente=True, name="Gemeente Enschede")
    enschede.municipality = municipality("GM0153")
    enschede.managed_by = roc  # ROC Een's administrator invites the municipality's people
    enschede.save()

    s = w.students
    # T1, lives in Enschede, 17, has a statutory absence report.
    s["t1"] = StudentFactory(programme=ProgrammeFactory(team=t1), first_name="Anna")
    statutory_report(s["t1"])
    # T2, lives in Hengelo; referred to provider 1 but not yet accepted.
    s["t2"] = StudentFactory(
        programme=ProgrammeFactory(team=t2),
        first_name="Bram",
        postcode="7551 AA",
        residence_municipality=municipality("GM0164"),
    )
    Referral.objects.create(student=s["t2"], to_organisation=p1, status=ReferralStatus.SENT)
    Consent.objects.create(student=s["t2"], organisation=p1, parts=[Part.CONTACT])
    # T3 (location 2), lives in Amsterdam; accepted referral to provider 1 with consent.
    s["t3"] = StudentFactory(
        programme=ProgrammeFactory(team=t3),
        first_name="Chris",
        postcode="1011 AB",
        residence_municipality=municipality("GM0363"),
    )
    Referral.objects.create(student=s["t3"], to_organisation=p1, status=ReferralStatus.ACCEPTED)
    Consent.objects.create(student=s["t3"], organisation=p1, parts=[Part.CONTACT, Part.SUPPORT])
    # T3, 19, lives in Almelo, left without a startkwalificatie: on the RMC list.
    s["early"] = StudentFactory(
        programme=ProgrammeFactory(team=t3),
        first_name="Dewi",
        postcode="7607 AA",
        residence_municipality=municipality("GM0141"),
        date_of_birth=born_years_ago(19),
        left_on=today - timedelta(days=40),
    )
    # Another school altogether.
    s["other"] = StudentFactory(programme=ProgrammeFactory(team=t4), first_name="Eva")

    u = w.users

    def person(key: str, org, role: Role, **extra) -> User:  # type: ignore[no-untyped-def]
        user = UserFactory(email=f"{key}@example.nl", first_name=key.capitalize())
        MembershipFactory(user=user, organisation=org, role=role, **extra)
        u[key] = user
        return user

    person("coach", roc, Role.COACH, programme_team=t1)
    person("coach2", roc, Role.COACH, programme_team=t2)
    SupportTeamMember.objects.create(student=s["t1"], user=u["coach2"], role_description="Mentor")
    person("care_l1", roc, Role.CARE_COORDINATOR, location=l1)
    person("advisor_l2", roc, Role.STUDENT_ADVISOR, location=l2)
    person("schakel", roc, Role.SCHAKELFUNCTIONARIS)
    person("absence", roc, Role.ABSENCE_OFFICER)
    person("worker_p1", p1, Role.EXTERNAL_CARE_WORKER)
    person("worker_p2", p2, Role.EXTERNAL_CARE_WORKER)
    person("rmc", rmc_twente, Role.ATTENDANCE_OFFICER)
    person("municipal", enschede, Role.MUNICIPAL_ADVISOR)
    person("governance", roc, Role.GOVERNANCE)
    person("privacy", roc, Role.PRIVACY_OFFICER)
    person("admin", roc, Role.FUNCTIONAL_ADMIN)
    person("expired", roc, Role.COACH, programme_team=t1, valid_until=today - timedelta(days=1))
    u["nobody"] = UserFactory(email="nobody@example.nl")
    student_user = UserFactory(email="anna@example.nl", first_name="Anna")
    s["t1"].user = student_user
    s["t1"].save()
    MembershipFactory(user=student_user, organisation=roc, role=Role.STUDENT)
    u["student"] = student_user
    return w


# Who may open which student file: the need-to-know rules, written out.
VISIBLE: dict[str, set[str]] = {
    "coach": {"t1"},
    "coach2": {"t1", "t2"},  # own team T2, and T1's Anna through her support team
    "care_l1": {"t1", "t2"},
    "advisor_l2": {"t3", "early"},
    "schakel": {"t1", "t2", "t3", "early"},
    "absence": {"t1", "t2", "t3", "early"},  # the school's attendance coordinator
    "worker_p1": {"t3"},
    "worker_p2": set(),
    "rmc": {"t1", "early"},  # statutory report or early leaver, living in Twente
    "municipal": set(),
    "governance": set(),
    "privacy": set(),
    "admin": set(),
    "expired": set(),
    "nobody": set(),
    "student": {"t1"},
}


def add_second_region(w: World) -> None:
    """A second RMC region (IJssel-Vecht, Zwolle) and two students who cross the border.

    commuter: ROC Een (Enschede, Twente), team T1, 17, lives in Zwolle (IJssel-Vecht), has a
              statutory absence report.
    incomer:  ROC Twee at its location L5 in Zwolle, 19, lives in Hengelo (Twente), left
              without a startkwalificatie (on the RMC list).
    rmc_b is the RMC office of IJssel-Vecht; leerplicht_b a leerplicht officer of Zwolle.
    Leerplicht and RMC follow where a student lives (Leerplichtwet 1969 art. 16, 18 and
    21b; RMC art. 8.3.2 WEB), so the Twente officer sees the incomer, not the commuter.
    """
    today = timezone.localdate()
    zwolle = municipality("GM0193")
    s = w.students
    roc2 = s["other"].institution
    l5 = LocationFactory(institution=roc2, name="L5", municipality=zwolle)
    t5 = ProgrammeTeamFactory(location=l5, name="T5")
    s["commuter"] = StudentFactory(
        programme=ProgrammeFactory(team=s["t1"].programme.team),
        first_name="Henk",
        postcode="8011 AA",
        residence_municipality=zwolle,
        date_of_birth=born_years_ago(17),
    )
    statutory_report(s["commuter"])
    s["incomer"] = StudentFactory(
        programme=ProgrammeFactory(team=t5),
        first_name="Ilse",
        postcode="7551 AB",
        residence_municipality=municipality("GM0164"),
        date_of_birth=born_years_ago(19),
        left_on=today - timedelta(days=30),
    )
    rmc_b = OrganisationFactory(rmc=True, name="RMC IJssel-Vecht")
    rmc_b.rmc_region = zwolle.rmc_region
    rmc_b.save()
    gemeente_zwolle = OrganisationFactory(gemeente=True, name="Gemeente Zwolle")
    gemeente_zwolle.municipality = zwolle
    gemeente_zwolle.save()
    for key, org in (("rmc_b", rmc_b), ("leerplicht_b", gemeente_zwolle)):
        user = UserFactory(email=f"{key}@example.nl", first_name=key.capitalize())
        MembershipFactory(user=user, organisation=org, role=Role.ATTENDANCE_OFFICER)
        w.users[key] = user


# Who may open the files of the two border-crossing students (`add_second_region`).
VISIBLE_ACROSS: dict[str, set[str]] = {
    "coach": {"commuter"},
    "coach2": set(),
    "care_l1": {"commuter"},
    "advisor_l2": set(),
    "schakel": {"commuter"},
    "absence": {"commuter"},
    "worker_p1": set(),
    "worker_p2": set(),
    "rmc": {"incomer"},  # RMC Twente: lives in Twente, studies in IJssel-Vecht
    "rmc_b": {"commuter"},  # RMC IJssel-Vecht: lives there, studies in Twente
    "leerplicht_b": {"commuter"},  # leerplicht of Zwolle, where he lives
    "municipal": set(),
    "governance": set(),
    "privacy": set(),
    "admin": set(),
    "expired": set(),
    "nobody": set(),
    "student": set(),
}


def client_for(user: User) -> Client:
    """A browser session logged in as this user."""
    client = Client()
    client.force_login(user)
    return client
