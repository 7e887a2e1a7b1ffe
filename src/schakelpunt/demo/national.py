"""The national demo: several RMC regions in one install, each with its own ROC, partners,
leerplicht/RMC officers and students, some of whom live in a neighbouring region.

`schakelpunt demo --regions MC12,MC10` or `--regions national`. Twente (MC12), when chosen,
is the full demo region (`builder`); every other region is built lean and fast, for scale:
institution, locations, programmes, teams, coaches, care coordinators, providers, the
municipalities with their leerplicht officers, the RMC office, students (bulk) and the
statutory absence reports and early leavers that leerplicht and RMC work from. Its logins
follow the demo pattern on a domain of its own: rmc@<region-slug>.demo.schakelpunt.nl.
"""

import itertools
import random
from bisect import bisect
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify

from schakelpunt.accounts.models import Location, Membership, Organisation, Programme, ProgrammeTeam
from schakelpunt.accounts.roles import OrganisationKind, Role
from schakelpunt.refdata.models import Municipality, PostcodeArea, RmcRegion
from schakelpunt.signals.models import AbsenceReport, AbsenceReportKind
from schakelpunt.students.models import PriorEducation, Student

from .builder import (
    AGE_WEIGHTS,
    DEMO_DOMAIN,
    LEVEL_WEIGHTS,
    MIN_STUDENTS,
    PRIOR_EDUCATION_WEIGHTS,
    SECTORS,
    TWENTE,
    DemoLogin,
    DemoSummary,
    Progress,
    _build,
    _Builder,
    _Steps,
    _weighted,
    dutch_count,
)
from .names import split_surname

# `--regions national`: eight RMC regions across the country, east to west and south.
NATIONAL = ["MC12", "MC10", "MC11", "MC13", "MC19", "MC21", "MC29", "MC37"]
# The share of a region's students who live in a neighbouring region (same province).
SHARE_FROM_NEIGHBOURS = 0.08
# Statutory absence reports (16 hours in 4 weeks and the like) and early leavers.
REPORT_SHARE = 0.03
LEAVER_SHARE = 0.04
LOCATIONS_PER_REGION = 3
NAME_POOL = 3000
# The logins of each lean region, in the order they are shown.
REGION_LOGIN_NAMES = ["coach", "zorgcoordinator", "verzuim", "rmc", "leerplicht", "hulpverlener"]
LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"


def region_slug(region: RmcRegion) -> str:
    return slugify(region.name)


def region_domain(region: RmcRegion) -> str:
    return f"{region_slug(region)}.{DEMO_DOMAIN}"


def parse_regions(value: str) -> list[str]:
    """`national` or a comma-separated list of RMC region codes, each known in refdata."""
    codes = NATIONAL if value.strip().lower() == "national" else value.upper().split(",")
    codes = [c.strip() for c in codes if c.strip()]
    known = set(RmcRegion.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown or not codes:
        raise ValueError(f"Unknown RMC region(s): {', '.join(unknown) or value!r}")
    return list(dict.fromkeys(codes))


def _inhabitants(codes: list[str]) -> dict[str, int]:
    rows = (
        PostcodeArea.objects.filter(municipality__rmc_region__code__in=codes)
        .values("municipality__rmc_region__code")
        .annotate(n=Sum("inhabitants"))
    )
    return {r["municipality__rmc_region__code"]: r["n"] or 0 for r in rows}


def split_students(codes: list[str], students: int) -> dict[str, int]:
    """Each region's share of the students, by its inhabitants (at least MIN_STUDENTS)."""
    people = _inhabitants(codes)
    total = sum(people.get(c, 0) for c in codes) or 1
    shares = {c: max(MIN_STUDENTS, students * people.get(c, 0) // total) for c in codes}
    shares[codes[0]] += students - sum(shares.values())
    return shares


def build_national(
    *, regions: list[str], students: int, seed: int = 2026, progress: Progress | None = None
) -> DemoSummary:
    """Build every region, each in its own transaction (a region is whole or absent)."""
    if students < MIN_STUDENTS * len(regions):
        raise ValueError(f"Each region needs at least {MIN_STUDENTS} students.")
    steps = _Steps(progress)
    shares = split_students(regions, students)
    b = _Builder(seed=seed, today=timezone.localdate())
    names = _NamePool(b)
    # Twente first: the full demo region counts its own students.
    for code in sorted(regions, key=lambda c: c != TWENTE):
        if code == TWENTE:
            with transaction.atomic():
                _build(b, shares[code], steps)
        else:
            with transaction.atomic():
                _build_region(
                    b, RmcRegion.objects.get(code=code), shares[code], names, steps, regions
                )
    return b.summary


class _NamePool:
    """First and last names drawn once from Faker (nl_NL), then chosen at random: Faker per
    student was most of the time of a large build."""

    def __init__(self, b: _Builder) -> None:
        self.first = [b.fake.first_name() for _ in range(NAME_POOL)]
        self.last = [split_surname(b.fake.last_name()) for _ in range(NAME_POOL)]


@dataclass
class _Region:
    roc: Organisation
    locations: list[Location]
    programmes: dict[int, list[Programme]]
    municipality_orgs: list[Organisation]


def _build_region(
    b: _Builder,
    region: RmcRegion,
    n_students: int,
    names: _NamePool,
    steps: _Steps,
    chosen: list[str],
) -> None:
    r = _structure(b, region)
    _people(b, region, r)
    made = _students(b, region, r, n_students, names, chosen)
    steps.done(
        f"{region.name}: {dutch_count(n_students)} studenten, "
        f"{dutch_count(made)} verzuimmeldingen, {len(r.municipality_orgs)} gemeenten"
    )


def _structure(b: _Builder, region: RmcRegion) -> _Region:
    people = dict(
        PostcodeArea.objects.filter(municipality__rmc_region=region)
        .values_list("municipality_id")
        .annotate(n=Sum("inhabitants"))
    )
    munis = sorted(
        Municipality.objects.filter(rmc_region=region),
        key=lambda m: (-(people.get(m.pk) or 0), m.cbs_code),
    )
    roc = b.org(
        f"ROC {region.name} (fictief)",
        OrganisationKind.MBO_INSTITUTION,
        brin=f"9{region.code[-2:]}Z",
        municipality=munis[0],
    )
    locations = [
        Location.objects.create(institution=roc, name=m.name, municipality=m)
        for m in munis[:LOCATIONS_PER_REGION]
    ]
    teams = ProgrammeTeam.objects.bulk_create(
        ProgrammeTeam(location=location, name=f"{name} – {location.name}")
        for location in locations
        for progs in SECTORS.values()
        for name, _crebo, _level, _pathway in progs
    )
    specs = [spec for progs in SECTORS.values() for spec in progs] * len(locations)
    programmes = Programme.objects.bulk_create(
        Programme(team=team, crebo=crebo, name=name, level=level, pathway=pathway)
        for team, (name, crebo, level, pathway) in zip(teams, specs, strict=True)
    )
    by_level: dict[int, list[Programme]] = {}
    for p in programmes:
        by_level.setdefault(p.level, []).append(p)
    municipality_orgs = [
        b.org(f"Gemeente {m.name}", OrganisationKind.MUNICIPALITY, municipality=m) for m in munis
    ]
    rmc = b.org(
        f"RMC {region.name}", OrganisationKind.RMC_OFFICE, rmc_region=region, municipality=munis[0]
    )
    providers = [
        b.org(
            f"{kind} {region.name} (fictief)", OrganisationKind.CARE_PROVIDER, municipality=munis[0]
        )
        for kind in ("Jeugdhulp", "GGZ")
    ]
    Organisation.objects.filter(
        pk__in=[o.pk for o in [*municipality_orgs, rmc, *providers]]
    ).update(managed_by=roc)
    return _Region(roc, locations, by_level, municipality_orgs)


def _people(b: _Builder, region: RmcRegion, r: _Region) -> None:
    """Coaches per team, a care coordinator per location, the school's attendance officer,
    a leerplicht officer per municipality, the RMC officer and a care worker per provider."""
    domain = region_domain(region)
    teams = [p.team for progs in r.programmes.values() for p in progs]
    teams.sort(key=lambda t: t.pk)
    for idx, team in enumerate(teams):
        coach = b.user(f"coach{idx or ''}@{domain}")
        b.member(coach, r.roc, Role.COACH, programme_team=team)
    for idx, location in enumerate(r.locations):
        zc = b.user(f"zorgcoordinator{idx or ''}@{domain}")
        b.member(zc, r.roc, Role.CARE_COORDINATOR, location=location)
    b.member(b.user(f"verzuim@{domain}"), r.roc, Role.ABSENCE_OFFICER)
    rmc = Organisation.objects.get(kind=OrganisationKind.RMC_OFFICE, rmc_region=region)
    b.member(b.user(f"rmc@{domain}"), rmc, Role.ATTENDANCE_OFFICER)
    for idx, org in enumerate(r.municipality_orgs):
        officer = b.user(f"leerplicht{idx or ''}@{domain}")
        b.member(officer, org, Role.ATTENDANCE_OFFICER)
    providers = Organisation.objects.filter(
        kind=OrganisationKind.CARE_PROVIDER, managed_by=r.roc
    ).order_by("pk")
    for idx, provider in enumerate(providers):
        b.member(b.user(f"hulpverlener{idx or ''}@{domain}"), provider, Role.EXTERNAL_CARE_WORKER)


def _areas(region: RmcRegion, chosen: list[str]) -> tuple[list[PostcodeArea], list[PostcodeArea]]:
    """The region's postcode areas, and those of its neighbours: the other chosen regions in
    the same province(s), else every region of those provinces, else the whole country."""
    lived = PostcodeArea.objects.filter(inhabitants__gt=0).select_related("municipality")
    local = list(lived.filter(municipality__rmc_region=region).order_by("pc4"))
    provinces = set(
        Municipality.objects.filter(rmc_region=region).values_list("province", flat=True)
    )
    others = lived.exclude(municipality__rmc_region=region)
    near = others.filter(municipality__province__in=provinces)
    for areas in (near.filter(municipality__rmc_region__code__in=chosen), near, others):
        found = list(areas.order_by("pc4"))
        if found:
            return local, found
    return local, local


def _draw(rng: random.Random, areas: list[PostcodeArea], k: int) -> list[PostcodeArea]:
    cum = list(itertools.accumulate(a.inhabitants or 0 for a in areas))
    return [areas[bisect(cum, rng.random() * cum[-1])] for _ in range(k)]


def _students(
    b: _Builder, region: RmcRegion, r: _Region, n: int, names: _NamePool, chosen: list[str]
) -> int:
    rng, today = b.rng, b.today
    own = {o.municipality_id for o in r.municipality_orgs}
    local, near = _areas(region, chosen)
    away = sum(1 for _ in range(n) if rng.random() < SHARE_FROM_NEIGHBOURS)
    homes = _draw(rng, local, n - away) + _draw(rng, near, away)
    rng.shuffle(homes)
    # The first who lives in a neighbouring region has a report: each region's demo shows
    # the neighbour's RMC officer a student of this school (leerplicht follows residence).
    first_away = next((i for i, a in enumerate(homes) if a.municipality_id not in own), -1)
    levels = _weighted(rng, LEVEL_WEIGHTS, n)
    priors = _weighted(rng, PRIOR_EDUCATION_WEIGHTS, n)
    ages = _weighted(rng, AGE_WEIGHTS, n)
    number = 2_000_000 + int(region.code[-2:]) * 100_000
    report_from: list[int] = []
    rows: list[Student] = []
    for i in range(n):
        programme = rng.choice(r.programmes[levels[i]])
        area, age, prior = homes[i], ages[i], priors[i]
        born = today - timedelta(days=age * 365 + rng.randrange(0, 365))
        years_in = min(rng.choice([0, 0, 1, 1, 2, 3]), max(age - 16, 0))
        enrolled = date(today.year - years_in - (1 if today.month < 9 else 0), 9, 1)
        qualified = prior == PriorEducation.MBO and rng.random() < 0.5
        left_on = (
            today - timedelta(days=rng.randrange(5, 200)) if rng.random() < LEAVER_SHARE else None
        )
        if i == first_away:
            left_on = None
        if left_on is None and (i == first_away or rng.random() < REPORT_SHARE):
            report_from.append(i)
        first = rng.choice(names.first)
        prefix, last = rng.choice(names.last)
        rows.append(
            Student(
                institution=r.roc,
                location=programme.team.location,
                programme=programme,
                student_number=f"{number + i}",
                first_name=first,
                name_prefix=prefix,
                last_name=last,
                date_of_birth=born,
                email=f"student{number + i}@student.{region_domain(region)}",
                phone=f"06{rng.randrange(10_000_000, 99_999_999)}",
                postcode=f"{area.pc4} {rng.choice(LETTERS)}{rng.choice(LETTERS)}",
                residence_municipality=area.municipality,
                prior_education=prior,
                has_basic_qualification=qualified,
                enrolled_on=enrolled,
                left_on=left_on,
            )
        )
    made = Student.objects.bulk_create(rows, batch_size=2000)
    b.summary.students += n
    reports = []
    for i in report_from:
        threshold = today - timedelta(days=rng.randrange(3, 120))
        reports.append(
            AbsenceReport(
                student=made[i],
                kind=AbsenceReportKind.SIXTEEN_IN_FOUR,
                start_date=threshold - timedelta(days=27),
                threshold_on=threshold,
                end_date=threshold,
                unauthorised_hours=16 + rng.randrange(0, 20),
                rules_version="demo",
                reported_on=threshold + timedelta(days=rng.randrange(1, 6)),
                reference=f"DUO-{rng.randrange(100000, 999999)}",
            )
        )
    AbsenceReport.objects.bulk_create(reports, batch_size=2000)
    b.summary.absence_reports += len(reports)
    return len(reports)


def national_logins(regions: list[str]) -> list[DemoLogin]:
    """The first login of each role of every lean region, as they are in the database."""
    logins = []
    for region in RmcRegion.objects.filter(code__in=regions).exclude(code=TWENTE):
        emails = [f"{name}@{region_domain(region)}" for name in REGION_LOGIN_NAMES]
        found = {
            m.user.email: m
            for m in Membership.objects.filter(user__email__in=emails).select_related(
                "user", "organisation", "location", "programme_team"
            )
        }
        for email in emails:
            m = found.get(email)
            if m is not None:
                where = str(m.programme_team or m.location or m.organisation)
                logins.append(DemoLogin(email, m.get_role_display(), where))
    return logins
