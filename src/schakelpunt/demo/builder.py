"""The deterministic demo region: Twente, one ROC, its partners and ~21,000 fictional students.

Calibrated on the figures in MISSION.md (Twente: 21,000 MBO students; most at level 4, help
questions concentrated at Entree and level 2; 10–15% of intake without a prior diploma).
Names come from Faker (nl_NL): no real person is ever in the demo.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import PARENT_LOGGED_PARTS
from schakelpunt.access.services import access_log_record
from schakelpunt.accounts.models import (
    Location,
    Membership,
    Organisation,
    Programme,
    ProgrammeTeam,
    User,
)
from schakelpunt.accounts.roles import OrganisationKind, Role
from schakelpunt.directory.models import Service
from schakelpunt.notifications.models import Notification
from schakelpunt.privacy.register import Activity
from schakelpunt.privacy.requests import correction_request_make
from schakelpunt.refdata.models import Municipality, PostcodeArea, RmcRegion
from schakelpunt.referrals.models import ReferralStatus
from schakelpunt.referrals.services import escalate_overdue_referrals
from schakelpunt.referrals.transition import adulthood_alerts
from schakelpunt.students.models import Guardian, GuardianRelation, PriorEducation, Student

from .absence import build_absence, build_reports, build_signals
from .aftercare import build_aftercare
from .directory import build_directory, build_referrals
from .history import build_funding, build_history
from .intake import build_intake
from .meetings import build_meetings
from .names import split_surname
from .support import build_trajectories

DEMO_PASSWORD = "demo-schakelpunt"  # noqa: S105 - shown on purpose: demo only
DEMO_DOMAIN = "demo.schakelpunt.nl"
TWENTE = "MC12"
INSTITUTION_NAME = "ROC Twentse Poort (fictief)"

# Locations of the ROC: (name, CBS code of the municipality it stands in).
LOCATIONS = [
    ("Enschede Boulevard", "GM0153"),
    ("Hengelo Spoorzone", "GM0164"),
    ("Almelo Centrum", "GM0141"),
    ("Oldenzaal Noord", "GM0173"),
    ("Rijssen Zuid", "GM1742"),
]
# Sectors and their programmes: (name, crebo, level, pathway). Crebo codes are fictional.
SECTORS: dict[str, list[tuple[str, str, int, str]]] = {
    "Entree": [("Entree-opleiding Assistent", "25990", 1, "BOL")],
    "Zorg en Welzijn": [
        ("Helpende Zorg en Welzijn", "25901", 2, "BOL"),
        ("Verzorgende-IG", "25902", 3, "BBL"),
        ("Pedagogisch medewerker", "25903", 4, "BOL"),
        ("Maatschappelijke zorg", "25904", 4, "BOL"),
    ],
    "Techniek": [
        ("Monteur elektrotechniek", "25911", 2, "BBL"),
        ("Eerste monteur installatietechniek", "25912", 3, "BBL"),
        ("Technicus engineering", "25913", 4, "BOL"),
    ],
    "Economie en Handel": [
        ("Verkoopmedewerker", "25921", 2, "BOL"),
        ("Commercieel medewerker", "25922", 3, "BOL"),
        ("Ondernemer retail", "25923", 4, "BOL"),
    ],
    "ICT en Media": [
        ("Medewerker ICT-support", "25931", 2, "BOL"),
        ("Allround medewerker IT systems and devices", "25932", 3, "BOL"),
        ("Software developer", "25933", 4, "BOL"),
    ],
}
LEVEL_WEIGHTS = {1: 5, 2: 20, 3: 25, 4: 50}
PRIOR_EDUCATION_WEIGHTS = {
    PriorEducation.VMBO: 72,
    PriorEducation.HAVO_VWO: 6,
    PriorEducation.VSO: 4,
    PriorEducation.PRO: 3,
    PriorEducation.MBO: 8,
    PriorEducation.NONE: 6,
    PriorEducation.ABROAD: 1,
}
# Age at the reference date; most MBO students are 16–20, a tail up to 27.
AGE_WEIGHTS = {16: 14, 17: 19, 18: 19, 19: 16, 20: 12, 21: 8, 22: 5, 23: 3, 24: 2, 25: 1, 26: 1}
SHARE_FROM_OUTSIDE_REGION = 0.08
REFERRAL_SHARE = 0.015
MIN_STUDENTS = 50
DEMO_STUDENT_AGE = 16
# What the demo student shares with the demo parent (access.policy.ParentPart).
DEMO_PARENT_SHARES = ["plan", "appointments", "team"]

CARE_PROVIDERS = [
    "Jeugdhulp Twente Vooruit (fictief)",
    "GGZ De Linde Twente (fictief)",
    "Verslavingszorg Oost (fictief)",
    "JGZ Twente (fictief)",
    "Schoolmaatschappelijk werk Twente (fictief)",
    "Jongerenwerk Stroom (fictief)",
    "Schuldhulp Op Orde Twente (fictief)",
]
VO_SCHOOLS = [
    ("Het Esch College (fictief)", "GM0153"),
    ("Scholengemeenschap De Haar (fictief)", "GM0164"),
    ("VSO De Wending (fictief)", "GM0141"),
    ("Praktijkschool Het Ambacht (fictief)", "GM0173"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    description: str


@dataclass
class DemoSummary:
    students: int = 0
    organisations: int = 0
    users: int = 0
    referrals: int = 0
    services: int = 0
    meetings: int = 0
    handovers: int = 0
    non_arrivals: int = 0
    absence_reports: int = 0
    absence_records: int = 0
    trajectories: int = 0
    open_trajectories: int = 0
    concerns: int = 0


# The demo logins, one per role, in the order they are shown.
LOGIN_NAMES = [
    "coach",
    "zorgcoordinator",
    "studentbegeleider",
    "schakelfunctionaris",
    "hulpverlener",
    "verzuim",
    "rmc",
    "gemeente",
    "bestuur",
    "privacy",
    "beheer",
    "student",
    "ouder",
]


def demo_logins() -> list[DemoLogin]:
    """The demo logins as they are in the database, with the role each one has."""
    emails = [f"{name}@{DEMO_DOMAIN}" for name in LOGIN_NAMES]
    memberships = {
        m.user.email: m
        for m in Membership.objects.filter(user__email__in=emails).select_related(
            "user", "organisation", "location", "programme_team"
        )
    }
    logins = []
    for email in emails:
        m = memberships.get(email)
        if m is None:
            continue
        where = str(m.programme_team or m.location or m.organisation)
        if m.role in {Role.STUDENT, Role.PARENT}:
            where = m.user.get_full_name()
        logins.append(DemoLogin(email, m.get_role_display(), where))
    return logins


def demo_exists() -> bool:
    return Organisation.objects.filter(name=INSTITUTION_NAME).exists()


Progress = Callable[[str], None]


def dutch_count(n: int) -> str:
    """21000 as 21.000, as Dutch readers write it."""
    return f"{n:,}".replace(",", ".")


class _Steps:
    """One line per step of the build, with its counts and the seconds since the start, so
    that the first build (minutes at 21,000 students) shows it is working."""

    def __init__(self, report: Progress | None) -> None:
        self.report = report
        self.started = time.monotonic()

    def done(self, text: str) -> None:
        if self.report is not None:
            self.report(f"  [{time.monotonic() - self.started:4.0f} s] {text}")


def _weighted(rng: random.Random, weights: dict[Any, int], k: int) -> list[Any]:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


class _Builder:
    def __init__(self, *, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("nl_NL")
        self.fake.seed_instance(seed)
        self.today = today
        self.password = make_password(DEMO_PASSWORD)
        self.summary = DemoSummary()
        self.munis = {m.cbs_code: m for m in Municipality.objects.select_related("rmc_region")}

    def user(self, email: str, *, first: str | None = None, last: str | None = None) -> User:
        user = User(
            email=email,
            first_name=first or self.fake.first_name(),
            last_name=last or self.fake.last_name(),
            password=self.password,
        )
        user.save()
        self.summary.users += 1
        return user

    def org(self, name: str, kind: str, **extra: object) -> Organisation:
        self.summary.organisations += 1
        return Organisation.objects.create(name=name, kind=kind, **extra)

    def member(self, user: User, org: Organisation, role: Role, **extra: object) -> Membership:
        return Membership.objects.create(
            user=user,
            organisation=org,
            role=role,
            valid_from=self.today - timedelta(days=400),
            **extra,
        )


def _demo_parent(b: _Builder, roc: Organisation, own: Student) -> User:
    """The demo parent: the account of the demo student's first parent, who sees what the
    student (16) shares with them."""
    guardian = Guardian.objects.filter(student=own).order_by("pk").first()
    assert guardian is not None  # noqa: S101 - the demo student always has a parent
    first, _space, last = guardian.name.partition(" ")
    parent = b.user(f"ouder@{DEMO_DOMAIN}", first=first, last=last)
    b.member(parent, roc, Role.PARENT)
    guardian.user = parent
    guardian.email = parent.email
    guardian.shared_parts = DEMO_PARENT_SHARES
    guardian.sharing_changed_at = timezone.now()
    guardian.save(update_fields=["user", "email", "shared_parts", "sharing_changed_at"])
    return parent


def build_demo_region(
    *, students: int = 21_000, seed: int = 2026, progress: Progress | None = None
) -> DemoSummary:
    """Build the region in one transaction. Same seed and size: the same region. `progress`
    gets a line (in Dutch) after each step."""
    if students < MIN_STUDENTS:
        raise ValueError(f"A demo region needs at least {MIN_STUDENTS} students.")
    today = timezone.localdate()
    b = _Builder(seed=seed, today=today)
    with transaction.atomic():
        _build(b, students, _Steps(progress))
    return b.summary


def _build(b: _Builder, n_students: int, steps: _Steps) -> None:
    rng, today = b.rng, b.today
    region = RmcRegion.objects.get(code=TWENTE)
    twente = list(Municipality.objects.filter(rmc_region=region).order_by("cbs_code"))

    roc = b.org(
        INSTITUTION_NAME,
        OrganisationKind.MBO_INSTITUTION,
        brin="99ZZ",
        municipality=b.munis["GM0153"],
    )
    locations = [
        Location.objects.create(institution=roc, name=name, municipality=b.munis[code])
        for name, code in LOCATIONS
    ]
    programmes: list[Programme] = []
    teams: list[ProgrammeTeam] = []
    # One team of coaches per programme and location, as most ROCs organise it.
    for location in locations:
        for progs in SECTORS.values():
            for name, crebo, level, pathway in progs:
                team = ProgrammeTeam.objects.create(
                    location=location, name=f"{name} – {location.name}"
                )
                teams.append(team)
                programmes.append(
                    Programme.objects.create(
                        team=team, crebo=crebo, name=name, level=level, pathway=pathway
                    )
                )
    for name, code in VO_SCHOOLS:
        b.org(name, OrganisationKind.VO_SCHOOL, municipality=b.munis[code])
    municipality_orgs = {
        m.cbs_code: b.org(f"Gemeente {m.name}", OrganisationKind.MUNICIPALITY, municipality=m)
        for m in twente
    }
    providers = [
        b.org(name, OrganisationKind.CARE_PROVIDER, municipality=b.munis["GM0153"])
        for name in CARE_PROVIDERS
    ]
    rmc_office = b.org(
        "RMC Twente", OrganisationKind.RMC_OFFICE, rmc_region=region, municipality=b.munis["GM0141"]
    )
    # The region's one ROC keeps the people of its partners (its administrator invites them).
    Organisation.objects.filter(
        pk__in=[o.pk for o in [*municipality_orgs.values(), *providers, rmc_office]]
    ).update(managed_by=roc)

    # Residences: Twente postcodes weighted by inhabitants, a few from elsewhere.
    local_areas = list(
        PostcodeArea.objects.filter(municipality__rmc_region=region, inhabitants__gt=0)
        .select_related("municipality")
        .order_by("pc4")
    )
    other_areas = list(
        PostcodeArea.objects.filter(
            municipality__province__in=["Overijssel", "Gelderland", "Drenthe"],
            inhabitants__gt=0,
        )
        .exclude(municipality__rmc_region=region)
        .select_related("municipality")
        .order_by("pc4")
    )
    local_weights = [a.inhabitants or 0 for a in local_areas]
    other_weights = [a.inhabitants or 0 for a in other_areas]

    by_level: dict[int, list[Programme]] = {}
    for p in programmes:
        by_level.setdefault(p.level, []).append(p)

    # The demo coach: Helpende Zorg en Welzijn (level 2) at the Enschede location.
    coach_programme = next(p for p in programmes if p.crebo == "25901")
    levels = _weighted(rng, LEVEL_WEIGHTS, n_students)
    priors = _weighted(rng, PRIOR_EDUCATION_WEIGHTS, n_students)
    ages = _weighted(rng, AGE_WEIGHTS, n_students)
    letters = "ABCDEFGHJKLMNPRSTVWXZ"
    rows: list[Student] = []
    for i in range(n_students):
        level = levels[i]
        # The first student is the demo student, in the demo coach's programme.
        programme = coach_programme if i == 0 else rng.choice(by_level[level])
        if rng.random() < SHARE_FROM_OUTSIDE_REGION:
            area = rng.choices(other_areas, weights=other_weights)[0]
        else:
            area = rng.choices(local_areas, weights=local_weights)[0]
        # The demo student is 16: they choose what the demo parent sees, for a year to come.
        age = DEMO_STUDENT_AGE if i == 0 else ages[i]
        born = today - timedelta(days=age * 365 + rng.randrange(0, 365))
        years_in = min(rng.choice([0, 0, 1, 1, 2, 3]), max(age - 16, 0))
        enrolled = date(today.year - years_in - (1 if today.month < 9 else 0), 9, 1)
        prior = priors[i]
        qualified = (prior == PriorEducation.MBO and rng.random() < 0.5) or (
            prior == PriorEducation.HAVO_VWO and rng.random() < 0.3
        )
        left_on = None
        if i > 0 and rng.random() < 0.04:
            left_on = today - timedelta(days=rng.randrange(5, 200))
            if i % 4 == 0:
                # A quarter left more than two years ago: their retention has run out, so
                # the privacy officer's yearly round proposes them (docs/retention.md).
                left_on -= timedelta(days=800)
                enrolled = min(enrolled, date(left_on.year - 2, 9, 1))
        first = b.fake.first_name()
        prefix, last = split_surname(b.fake.last_name())
        rows.append(
            Student(
                institution=roc,
                location=programme.team.location,
                programme=programme,
                student_number=f"{1_000_000 + i}",
                first_name=first,
                name_prefix=prefix,
                last_name=last,
                preferred_name=first[:3] if rng.random() < 0.03 else "",
                date_of_birth=born,
                email=f"student{1_000_000 + i}@student.{DEMO_DOMAIN}",
                phone=f"06{rng.randrange(10_000_000, 99_999_999)}",
                postcode=f"{area.pc4} {rng.choice(letters)}{rng.choice(letters)}",
                residence_municipality=area.municipality,
                prior_education=prior,
                has_basic_qualification=qualified,
                enrolled_on=enrolled,
                left_on=left_on,
            )
        )
    Student.objects.bulk_create(rows, batch_size=2000)
    b.summary.students = n_students
    steps.done(
        f"{dutch_count(n_students)} studenten ingeschreven op {len(locations)} locaties, "
        f"{len(programmes)} opleidingen"
    )
    students = list(
        Student.objects.filter(institution=roc)
        .select_related("programme__team__location")
        .order_by("pk")
    )

    # Staff. The demo logins are the first person of each role.
    first_team = coach_programme.team
    coach = b.user(f"coach@{DEMO_DOMAIN}")
    b.member(coach, roc, Role.COACH, programme_team=first_team)
    coach_for_team = {first_team.pk: coach}
    for idx, team in enumerate(teams):
        if team == first_team:
            continue
        extra = b.user(f"slb{idx}@{DEMO_DOMAIN}")
        b.member(extra, roc, Role.COACH, programme_team=team)
        coach_for_team[team.pk] = extra
    care = {}
    for idx, location in enumerate(locations):
        zc = b.user(
            ("zorgcoordinator" if idx == 0 else f"zorgcoordinator{idx}") + f"@{DEMO_DOMAIN}"
        )
        b.member(zc, roc, Role.CARE_COORDINATOR, location=location)
        sa = b.user(
            ("studentbegeleider" if idx == 0 else f"studentbegeleider{idx}") + f"@{DEMO_DOMAIN}"
        )
        b.member(sa, roc, Role.STUDENT_ADVISOR, location=location)
        care[location.pk] = (zc, sa)
    schakel = b.user(f"schakelfunctionaris@{DEMO_DOMAIN}")
    b.member(schakel, roc, Role.SCHAKELFUNCTIONARIS)

    workers = []
    for idx, provider in enumerate(providers):
        worker = b.user(("hulpverlener" if idx == 0 else f"hulpverlener{idx}") + f"@{DEMO_DOMAIN}")
        b.member(worker, provider, Role.EXTERNAL_CARE_WORKER)
        workers.append(worker)

    absence = b.user(f"verzuim@{DEMO_DOMAIN}")
    b.member(absence, roc, Role.ABSENCE_OFFICER)
    officer = b.user(f"rmc@{DEMO_DOMAIN}")
    b.member(officer, rmc_office, Role.ATTENDANCE_OFFICER)
    advisor = b.user(f"gemeente@{DEMO_DOMAIN}")
    b.member(advisor, municipality_orgs["GM0153"], Role.MUNICIPAL_ADVISOR)
    board = b.user(f"bestuur@{DEMO_DOMAIN}")
    b.member(board, roc, Role.GOVERNANCE)
    privacy = b.user(f"privacy@{DEMO_DOMAIN}")
    b.member(privacy, roc, Role.PRIVACY_OFFICER)
    admin = b.user(f"beheer@{DEMO_DOMAIN}")
    b.member(admin, roc, Role.FUNCTIONAL_ADMIN)

    # One student with an own account, in the demo coach's team.
    own = students[0]
    own_user = b.user(
        f"student@{DEMO_DOMAIN}",
        first=own.first_name,
        last=f"{own.name_prefix} {own.last_name}".strip(),
    )
    Student.objects.filter(pk=own.pk).update(user=own_user)
    b.member(own_user, roc, Role.STUDENT)
    steps.done(
        f"{dutch_count(b.summary.users)} gebruikers en {dutch_count(b.summary.organisations)} organisaties"
    )

    # The sociale kaart, and referrals with consent (about 1.5% of the students).
    outside = {s.residence_municipality_id for s in students if s.residence_municipality_id}
    outside -= {m.pk for m in twente}
    services = build_directory(
        roc=roc,
        locations=locations,
        providers=providers,
        municipality_orgs=municipality_orgs,
        rmc_office=rmc_office,
        outside=list(Municipality.objects.filter(pk__in=sorted(outside)).order_by("name")),
        today=today,
        rng=rng,
    )
    referrals, referral_summary = build_referrals(
        rng=rng,
        today=today,
        students=students,
        services=services,
        care=care,
        workers={p.pk: w for p, w in zip(providers, workers, strict=True)},
        own=own,
        share=REFERRAL_SHARE,
    )
    b.summary.referrals = referral_summary.referrals
    b.summary.services = Service.objects.count()
    steps.done(
        f"sociale kaart: {dutch_count(b.summary.services)} aanbod; "
        f"{dutch_count(b.summary.referrals)} verwijzingen"
    )
    Membership.objects.filter(user=care[locations[0].pk][0]).update(emergency_sharing=True)

    first_location = locations[0].pk
    support = build_trajectories(
        rng=rng,
        today=today,
        students=students,
        coach_for_team=coach_for_team,
        care_for_location=care,
        referred={r.student_id: r.status == ReferralStatus.ENDED for r in referrals},
        own=own,
        logins=[coach, *care[first_location]],
    )
    b.summary.trajectories = support.trajectories
    b.summary.open_trajectories = support.open
    steps.done(
        f"{dutch_count(support.trajectories)} ondersteuningstrajecten ({dutch_count(support.open)} lopend)"
        " met plannen en gesprekken"
    )
    # Parents of the demo student and some others (involved under 18; from 18 with consent).
    Guardian.objects.bulk_create(
        Guardian(
            student=s,
            name=f"{b.fake.first_name()} {s.name_prefix} {s.last_name}".replace("  ", " "),
            relation=GuardianRelation.PARENT,
            phone=f"06{rng.randrange(10_000_000, 99_999_999)}",
            student_consents=rng.random() < 0.5,
        )
        for s in students
        if s.pk == own.pk or rng.random() < 0.3
    )
    parent = _demo_parent(b, roc, own)
    Notification.objects.create(
        recipient=own_user,
        student_id=own.pk,
        url=f"/studenten/{own.pk}/",
        message="Je krijgt nu extra hulp van school.",
    )
    b.summary.absence_records = build_absence(rng, roc, students, today)
    steps.done(f"{dutch_count(b.summary.absence_records)} verzuimregistraties")
    b.summary.absence_reports = build_reports(rng, roc)
    steps.done(f"{dutch_count(b.summary.absence_reports)} verzuimmeldingen volgens de regels")
    staff = [coach, *coach_for_team.values(), *(user for pair in care.values() for user in pair)]
    b.summary.concerns = build_signals(rng, roc, students, staff, today)
    steps.done(f"{dutch_count(b.summary.concerns)} zorgsignalen")

    # The demo student's file has already been opened by the people around them.
    zc, sa = care[own.programme.team.location.pk]
    for viewer, role in ((coach, Role.COACH), (sa, "support_team"), (zc, Role.CARE_COORDINATOR)):
        access_log_record(
            actor=viewer,
            activity=Activity.SUPPORT,
            students=[own],
            action=Action.VIEW,
            parts=[Part.IDENTITY, Part.ENROLMENT, Part.SUPPORT],
            role=str(role),
            path=f"/studenten/{own.pk}/",
        )
    access_log_record(
        actor=parent,
        activity=Activity.PARENT,
        students=[own],
        action=Action.VIEW,
        parts=PARENT_LOGGED_PARTS,
        role=Role.PARENT,
        path=f"/ouder/kind/{own.pk}/",
    )
    # The demo student asked to correct their phone number: the coordinator's queue has one.
    correction_request_make(
        actor=own_user,
        student=Student.objects.get(pk=own.pk),
        part=Part.CONTACT,
        wrong="Mijn telefoonnummer is oud.",
        should_be="Ik heb een nieuw nummer, dat geef ik graag aan mijn coach.",
    )
    b.summary.meetings = build_meetings(
        rng=rng,
        today=today,
        care=care,
        workers={p.pk: w for p, w in zip(providers, workers, strict=True)},
        own=own,
        location_id=locations[0].pk,
    )
    steps.done(f"{dutch_count(b.summary.meetings)} overleggen")
    # The morning jobs of the referrals: overdue first contacts escalated, turning 18 alerted.
    escalate_overdue_referrals(today)
    adulthood_alerts(today)
    aftercare = build_aftercare(rng, today)
    steps.done(f"ochtendtaken gedaan; {dutch_count(aftercare)} nazorgcontacten")
    b.summary.handovers, b.summary.non_arrivals = build_intake(
        rng=rng,
        fake=b.fake,
        roc=roc,
        vo_schools=list(Organisation.objects.filter(kind=OrganisationKind.VO_SCHOOL)),
        today=today,
    )
    steps.done(
        f"{dutch_count(b.summary.handovers)} warme overdrachten, "
        f"{dutch_count(b.summary.non_arrivals)} niet verschenen"
    )
    history = build_history(
        rng=rng,
        fake=b.fake,
        today=today,
        students=students,
        services=services,
        coordinators=[user for pair in care.values() for user in pair],
    )
    b.summary.trajectories += history
    steps.done(f"twee vorige schooljaren: {dutch_count(history)} trajecten")
    funded = build_funding(roc, services)
    steps.done(f"financiering: {dutch_count(funded)} tarieven van aanbod")
