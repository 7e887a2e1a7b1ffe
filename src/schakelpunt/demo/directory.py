"""The demo sociale kaart for Twente and referrals in every state.

Providers are fictional (their names say so); municipalities appear by their real names, as
public bodies. Every Twente municipality has an entry point (toegang); so do the
municipalities outside Twente where demo students live, so that those students are routed
to their own municipality.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from schakelpunt.access.parts import Part
from schakelpunt.accounts.models import Location, Organisation, User
from schakelpunt.directory.models import (
    DirectoryLocation,
    DirectoryOrganisation,
    Law,
    OpeningHours,
    Service,
    ServiceAtLocation,
)
from schakelpunt.directory.selectors import search_text_for
from schakelpunt.refdata.models import Municipality
from schakelpunt.referrals.models import (
    Advice,
    Consent,
    ConsentBasis,
    EndReason,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Urgency,
)
from schakelpunt.students.models import Student

from .schooldays import on_school_day

J, W, P, Z, S, V = Law.JEUGDWET, Law.WMO, Law.PARTICIPATIEWET, Law.ZVW, Law.SCHOOL, Law.VSV_RMC


@dataclass(frozen=True)
class Offer:
    name: str
    description: str
    domains: Sequence[str]
    laws: Sequence[str]
    ages: tuple[int | None, int | None] = (None, None)
    wait_days: int | None = None
    capacity: tuple[int, int] | None = None
    decision: bool = False
    first_contact_days: int = 8
    # (school location name, weekday, from hour, to hour): consultation hours at school.
    at_school: list[tuple[str, str, int, int]] = field(default_factory=list)
    eligibility: str = ""


# Provider name (as in builder.CARE_PROVIDERS) → its offers.
OFFERS: dict[str, list[Offer]] = {
    "Jeugdhulp Twente Vooruit (fictief)": [
        Offer(
            "Ambulante jeugdhulp",
            "Begeleiding thuis en op school bij problemen in het gezin, met opvoeding of "
            "met jezelf. Een vaste hulpverlener, ook in de avond.",
            ["home", "mental_health", "social_network"],
            [J],
            (12, 23),
            wait_days=21,
            capacity=(2, 40),
            decision=True,
        ),
        Offer(
            "Gezinscoaching",
            "Korte coaching voor jongere en ouders samen: praten, afspraken maken, "
            "ruzies voorkomen.",
            ["home"],
            [J],
            (12, 18),
            wait_days=10,
            decision=True,
        ),
    ],
    "GGZ De Linde Twente (fictief)": [
        Offer(
            "Jongeren-ggz",
            "Behandeling bij angst, somberheid, trauma of eetproblemen. Intake binnen "
            "twee weken na aanmelding, daarna wachttijd voor behandeling.",
            ["mental_health"],
            [J, Z],
            (12, 25),
            wait_days=49,
            capacity=(0, 30),
            first_contact_days=14,
            eligibility="Tot 18 met beschikking van de gemeente; vanaf 18 met verwijzing van de huisarts.",
            decision=True,
        ),
        Offer(
            "Groepstraining Stevig in je vel",
            "Acht bijeenkomsten over omgaan met stress en piekeren, met andere jongeren.",
            ["mental_health", "social_network"],
            [J, W],
            (16, 23),
            wait_days=7,
            capacity=(4, 12),
        ),
    ],
    "Verslavingszorg Oost (fictief)": [
        Offer(
            "Vroeghulp middelengebruik",
            "Gesprekken over alcohol, drugs, gamen of gokken, zonder oordeel. Ook voor "
            "vragen van docenten.",
            ["substance_use"],
            [J, W],
            (12, 27),
            wait_days=5,
            first_contact_days=5,
            at_school=[("Hengelo Spoorzone", "TU", 9, 12), ("Enschede Boulevard", "TH", 13, 16)],
        ),
        Offer(
            "Behandeling verslaving",
            "Ambulante behandeling van verslaving, individueel of in een groep.",
            ["substance_use", "mental_health"],
            [J, Z],
            (16, 27),
            wait_days=28,
            decision=True,
        ),
    ],
    "JGZ Twente (fictief)": [
        Offer(
            "Jeugdarts en jeugdverpleegkundige",
            "Spreekuur over gezondheid, slapen, seksualiteit en verzuim door ziekte.",
            ["physical_health", "mental_health"],
            [],
            (16, 23),
            wait_days=3,
            first_contact_days=5,
            at_school=[("Enschede Boulevard", "WE", 9, 12), ("Almelo Centrum", "MO", 13, 16)],
            eligibility="Gratis, betaald door de gemeente (Wet publieke gezondheid).",
        ),
    ],
    "Schoolmaatschappelijk werk Twente (fictief)": [
        Offer(
            "Schoolmaatschappelijk werk",
            "Snel en dichtbij: gesprekken op school over alles wat het leren in de weg zit.",
            ["home", "social_network", "mental_health", "finances"],
            [S],
            (16, 27),
            wait_days=2,
            first_contact_days=3,
            at_school=[
                ("Enschede Boulevard", "MO", 9, 16),
                ("Hengelo Spoorzone", "TU", 9, 16),
                ("Almelo Centrum", "WE", 9, 16),
                ("Oldenzaal Noord", "TH", 9, 13),
                ("Rijssen Zuid", "FR", 9, 13),
            ],
        ),
    ],
    "Jongerenwerk Stroom (fictief)": [
        Offer(
            "Jongerenwerk en straatcoaches",
            "Een plek om te chillen, mee te doen en iemand om mee te praten in de wijk.",
            ["leisure", "social_network"],
            [W],
            (12, 27),
            wait_days=0,
            first_contact_days=5,
        ),
    ],
    "Schuldhulp Op Orde Twente (fictief)": [
        Offer(
            "Schuldhulp voor jongeren",
            "Overzicht in je geld en schulden, afspraken met schuldeisers, een budgetplan.",
            ["finances"],
            [P, W],
            (18, 27),
            wait_days=14,
            capacity=(6, 25),
        ),
        Offer(
            "Budgetcoaching",
            "Een vrijwillige coach leert je omgaan met geld, in een paar gesprekken.",
            ["finances"],
            [W],
            (16, 27),
            wait_days=7,
        ),
    ],
}

STATUS_WEIGHTS = {
    ReferralStatus.DRAFT: 3,
    ReferralStatus.SENT: 8,
    ReferralStatus.RECEIVED: 6,
    ReferralStatus.ACCEPTED: 12,
    ReferralStatus.DECLINED: 5,
    ReferralStatus.FIRST_CONTACT: 12,
    ReferralStatus.HELP_STARTED: 24,
    ReferralStatus.ENDED: 24,
    ReferralStatus.WITHDRAWN: 6,
}
QUESTIONS = [
    "Somber en slaapt slecht sinds de zomer; wil met iemand praten.",
    "Veel ruzie thuis, wil tijdelijk ergens anders kunnen wonen.",
    "Schulden door telefoonabonnement en boetes; kan stage niet betalen.",
    "Blowt dagelijks en mist de ochtendlessen.",
    "Paniekaanvallen op stage; stopt bijna met de opleiding.",
    "Mantelzorg voor moeder; te weinig tijd voor school.",
    "Zoekt een bijbaan en hulp bij aanvragen zorgtoeslag.",
]


def build_directory(
    *,
    roc: Organisation,
    locations: list[Location],
    providers: list[Organisation],
    municipality_orgs: dict[str, Organisation],
    rmc_office: Organisation,
    outside: list[Municipality],
    today: date,
    rng: random.Random,
) -> list[Service]:
    """The sociale kaart; returns the providers' services (those one refers to)."""
    school = DirectoryOrganisation.objects.create(
        name=roc.name,
        description="Mbo-instelling in Twente; spreekuren van partners op de locaties.",
        account=roc,
        municipality=roc.municipality,
    )
    school_locations = {
        loc.name: DirectoryLocation.objects.create(
            organisation=school,
            name=f"{roc.name.replace(' (fictief)', '')}, locatie {loc.name}",
            city=loc.municipality.name,
            municipality=loc.municipality,
            school_location=loc,
        )
        for loc in locations
    }
    for loc in school_locations.values():
        for day in ("MO", "TU", "WE", "TH", "FR"):
            OpeningHours.objects.create(
                location=loc, weekday=day, opens_at=time(8), closes_at=time(17)
            )
    services: list[Service] = []
    for provider in providers:
        entry = DirectoryOrganisation.objects.create(
            name=provider.name,
            description=f"{provider.name.replace(' (fictief)', '')}: hulp voor jongeren in Twente.",
            account=provider,
            municipality=provider.municipality,
            phone=f"053 {rng.randrange(200, 999)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}",
            website=f"https://{provider.name.split()[0].lower()}.example",
        )
        office = DirectoryLocation.objects.create(
            organisation=entry,
            name=f"Kantoor {provider.municipality.name if provider.municipality else ''}".strip(),
            address=f"Hengelosestraat {rng.randrange(1, 300)}",
            postal_code=f"75{rng.randrange(11, 49)} {rng.choice('ABCDEGHJ')}{rng.choice('ABCDEGHJ')}",
            city="Enschede",
            municipality=provider.municipality,
        )
        for day in ("MO", "TU", "WE", "TH", "FR"):
            OpeningHours.objects.create(
                location=office, weekday=day, opens_at=time(9), closes_at=time(17)
            )
        for offer in OFFERS.get(provider.name, []):
            service = _service(entry, offer, today, rng)
            ServiceAtLocation.objects.create(service=service, location=office)
            for loc_name, day, start, end in offer.at_school:
                sal = ServiceAtLocation.objects.create(
                    service=service,
                    location=school_locations[loc_name],
                    description="Spreekuur op school, zonder afspraak",
                )
                OpeningHours.objects.create(
                    service_at_location=sal, weekday=day, opens_at=time(start), closes_at=time(end)
                )
            services.append(_index(service))
    rmc_entry = DirectoryOrganisation.objects.create(
        name=rmc_office.name, description="Leerplicht en RMC voor heel Twente.", account=rmc_office
    )
    _index(
        _service(
            rmc_entry,
            Offer(
                "RMC-trajectbegeleiding",
                "Voor jongeren tot 23 zonder startkwalificatie die (bijna) stoppen met school: "
                "samen een plan voor school of werk.",
                ["education", "work"],
                [V],
                (16, 23),
                wait_days=5,
                first_contact_days=5,
            ),
            today,
            rng,
        )
    )
    werkplein = DirectoryOrganisation.objects.create(
        name="Werkplein Twente (fictief)",
        description="Werk en inkomen voor de Twentse gemeenten.",
    )
    _index(
        _service(
            werkplein,
            Offer(
                "Jongerenloket werk en inkomen",
                "Hulp bij werk zoeken, een uitkering of studie met behoud van uitkering.",
                ["work", "finances"],
                [P],
                (18, 27),
                wait_days=10,
            ),
            today,
            rng,
        )
    )
    for code, org in municipality_orgs.items():
        _entry_points(org.municipality, org, today, rng, split=code == "GM0153")
    for municipality in outside:
        _entry_points(municipality, None, today, rng)
    return services


def _service(
    entry: DirectoryOrganisation, offer: Offer, today: date, rng: random.Random
) -> Service:
    # About one in eight entries was not checked for over half a year.
    stale = rng.random() < 0.125
    checked = today - timedelta(days=rng.randrange(190, 400) if stale else rng.randrange(1, 150))
    low, high = offer.ages
    return Service.objects.create(
        organisation=entry,
        name=offer.name,
        description=offer.description,
        life_domains=list(offer.domains),
        laws=list(offer.laws),
        minimum_age=low,
        maximum_age=high,
        eligibility=offer.eligibility,
        needs_decision=offer.decision,
        wait_days=offer.wait_days,
        capacity_available=offer.capacity[0] if offer.capacity else None,
        capacity_maximum=offer.capacity[1] if offer.capacity else None,
        first_contact_days=offer.first_contact_days,
        last_checked_on=checked,
        application_process="Verwijzen via Schakelpunt, of bellen met het aanmeldpunt.",
    )


def _index(service: Service) -> Service:
    service.search_text = search_text_for(service)
    service.save(update_fields=["search_text"])
    return service


def _entry_points(
    municipality: Municipality | None,
    account: Organisation | None,
    today: date,
    rng: random.Random,
    *,
    split: bool = False,
) -> None:
    """The municipality's entry point: one team, or (split) a youth team and a Wmo team."""
    if municipality is None:
        return
    entry = DirectoryOrganisation.objects.create(
        name=f"Gemeente {municipality.name}",
        description=f"Toegang tot jeugdhulp, Wmo en werk en inkomen voor inwoners van {municipality.name}.",
        account=account,
        municipality=municipality,
        phone="14 0" + str(rng.randrange(10, 99)),
    )
    teams: list[tuple[str, list[str], list[Law], tuple[int | None, int | None]]] = (
        [
            ("Jeugdteam", ["home", "mental_health"], [J], (0, 18)),
            ("Wijkteam", ["home", "finances", "housing", "work"], [W, P], (18, None)),
        ]
        if split
        else [
            ("Wijkteam", ["home", "mental_health", "finances", "housing"], [J, W, P], (None, None))
        ]
    )
    for name, domains, laws, (low, high) in teams:
        service = _service(
            entry,
            Offer(
                f"{name} {municipality.name}",
                "Het eerste aanspreekpunt van de gemeente: vraagverheldering, lichte hulp en "
                "de beschikking voor zwaardere hulp.",
                domains,
                laws,
                (low, high),
                wait_days=rng.choice([3, 5, 7, 10]),
                first_contact_days=5,
            ),
            today,
            rng,
        )
        service.is_entry_point = True
        service.save(update_fields=["is_entry_point"])
        service.areas.set([municipality])
        _index(service)


@dataclass
class ReferralSummary:
    referrals: int = 0
    overdue: int = 0
    withdrawn_consents: int = 0


def build_referrals(
    *,
    rng: random.Random,
    today: date,
    students: list[Student],
    services: list[Service],
    care: dict[int, tuple[User, User]],
    workers: dict[int, User],
    own: Student,
    share: float,
) -> tuple[list[Referral], ReferralSummary]:
    """About `share` of the students referred, in every state; some overdue, some consents
    withdrawn, one emergency share. `workers`: organisation id → its demo worker."""
    summary = ReferralSummary()
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    referrals: list[Referral] = []
    plans: list[tuple[Referral, list[tuple[str, datetime, User | None, str]]]] = []
    consents: list[Consent] = []
    first_provider = services[0].organisation.account_id
    for s in students:
        if s.left_on is not None and s.pk != own.pk:
            continue
        if s.pk != own.pk and rng.random() >= share:
            continue
        _coordinator, sa = care[s.location_id]
        age = s.age_on(today)
        fitting = [
            sv for sv in services if (sv.minimum_age or 0) <= age <= (sv.maximum_age or 99)
        ] or services
        # A third goes to the first provider, so its demo worker has a full worklist.
        preferred = [sv for sv in fitting if sv.organisation.account_id == first_provider]
        service = rng.choice(preferred if preferred and rng.random() < 0.35 else fitting)
        status = (
            ReferralStatus.HELP_STARTED if s.pk == own.pk else rng.choices(statuses, weights)[0]
        )
        recent = status in {ReferralStatus.SENT, ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED}
        days_ago = rng.randrange(2, 9) if recent and rng.random() < 0.7 else rng.randrange(10, 150)
        created = timezone.now() - timedelta(days=days_ago, hours=rng.randrange(0, 8))
        worker = workers.get(service.organisation.account_id or 0)
        referral, steps = _referral(rng, today, s, service, status, created, sa, worker)
        if (
            referral.status == ReferralStatus.ACCEPTED
            and referral.first_contact_due
            and referral.first_contact_due < today
        ):
            summary.overdue += 1
        shared = [Part.CONTACT.value, Part.SUPPORT.value] + (
            [Part.ENROLMENT.value] if rng.random() < 0.5 else []
        )
        consent = Consent(
            student=s,
            organisation=service.organisation.account,
            parts=shared,
            given_on=created.date(),
            student_agrees=True,
            recorded_by=sa,
            recorded_at=created,
        )
        if (
            status not in {ReferralStatus.DRAFT, ReferralStatus.WITHDRAWN}
            and s.pk != own.pk
            and rng.random() < 0.04
        ):
            consent.withdrawn_at = created + timedelta(days=rng.randrange(2, 20))
            consent.withdrawn_by = s.user or sa
            summary.withdrawn_consents += 1
        referral.shared_parts = shared
        consents.append(consent)
        referrals.append(referral)
        plans.append((referral, steps))
    # One emergency share: acute danger, shared without consent.
    emergency = next(
        (c for c, r in zip(consents, referrals, strict=True) if r.status == ReferralStatus.SENT),
        None,
    )
    if emergency is not None:
        emergency.basis = ConsentBasis.EMERGENCY
        emergency.student_agrees = False
        emergency.emergency_reason = "Student uitte suïcidale gedachten; ouders niet bereikbaar, acuut contact met crisisdienst nodig."
        emergency.expires_on = emergency.given_on + timedelta(days=14)
    Consent.objects.bulk_create(consents, batch_size=1000)
    for referral, consent in zip(referrals, consents, strict=True):
        referral.consent = consent
    Referral.objects.bulk_create(referrals, batch_size=1000)
    events: list[ReferralEvent] = []
    advice: list[Advice] = []
    for referral, steps in plans:
        old: str = ReferralStatus.DRAFT
        for step_status, at, actor, note in steps:
            events.append(
                ReferralEvent(
                    referral=referral,
                    from_status=old,
                    to_status=step_status,
                    at=at,
                    actor=actor,
                    note=note,
                )
            )
            old = step_status
        if (
            referral.status in {ReferralStatus.HELP_STARTED, ReferralStatus.ENDED}
            and rng.random() < 0.4
        ):
            advice.append(
                Advice(
                    referral=referral,
                    text=rng.choice(
                        [
                            "Spreek wekelijks kort af hoe het gaat; liever één vaste docent als aanspreekpunt.",
                            "Geef ruimte om een les eerder te verlaten bij paniek, met een vaste plek om rustig te worden.",
                            "Plan toetsen niet op maandag: de weekenden zijn thuis zwaar.",
                        ]
                    ),
                    given_by=steps[-1][2],
                    given_at=steps[-1][1],
                )
            )
    ReferralEvent.objects.bulk_create(events, batch_size=2000)
    Advice.objects.bulk_create(advice)
    summary.referrals = len(referrals)
    return referrals, summary


def _referral(
    rng: random.Random,
    today: date,
    student: Student,
    service: Service,
    status: ReferralStatus,
    created: datetime,
    referrer: User,
    worker: User | None,
) -> tuple[Referral, list[tuple[str, datetime, User | None, str]]]:
    """One referral with the steps that brought it to `status`, each at a plausible moment."""
    r = Referral(
        student=student,
        to_organisation=service.organisation.account,
        service=service,
        service_name=service.name,
        question=rng.choice(QUESTIONS),
        urgency=Urgency.URGENT if rng.random() < 0.1 else Urgency.NORMAL,
        status=status,
        created_at=created,
        created_by=referrer,
        updated_at=created,
    )
    steps: list[tuple[str, datetime, User | None, str]] = []
    if status == ReferralStatus.DRAFT:
        return r, steps
    moment = created + timedelta(minutes=20)
    r.sent_at = moment
    steps.append((ReferralStatus.SENT, moment, referrer, ""))
    path: list[ReferralStatus] = {
        ReferralStatus.SENT: [],
        ReferralStatus.RECEIVED: [ReferralStatus.RECEIVED],
        ReferralStatus.ACCEPTED: [ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED],
        ReferralStatus.DECLINED: [ReferralStatus.RECEIVED, ReferralStatus.DECLINED],
        ReferralStatus.FIRST_CONTACT: [
            ReferralStatus.RECEIVED,
            ReferralStatus.ACCEPTED,
            ReferralStatus.FIRST_CONTACT,
        ],
        ReferralStatus.HELP_STARTED: [
            ReferralStatus.RECEIVED,
            ReferralStatus.ACCEPTED,
            ReferralStatus.FIRST_CONTACT,
            ReferralStatus.HELP_STARTED,
        ],
        ReferralStatus.ENDED: [
            ReferralStatus.RECEIVED,
            ReferralStatus.ACCEPTED,
            ReferralStatus.FIRST_CONTACT,
            ReferralStatus.HELP_STARTED,
            ReferralStatus.ENDED,
        ],
        ReferralStatus.WITHDRAWN: [ReferralStatus.RECEIVED],
    }[status]
    now = timezone.now()
    elapsed = max((now - moment).days, 1)
    for step in path:
        moment = min(
            moment
            + timedelta(
                days=rng.randrange(0, max(2, elapsed // (len(path) + 1))), hours=rng.randrange(1, 6)
            ),
            now,
        )
        day = timezone.localtime(moment).date()
        note = ""
        if step == ReferralStatus.RECEIVED:
            r.received_at = moment
        elif step == ReferralStatus.ACCEPTED:
            r.accepted_on = day
            r.first_contact_days = service.first_contact_days
            r.first_contact_due = day + timedelta(days=service.first_contact_days)
        elif step == ReferralStatus.DECLINED:
            note = rng.choice(
                [
                    "Geen plek binnen acceptabele termijn; probeer de groepstraining.",
                    "Hulpvraag past beter bij het wijkteam.",
                ]
            )
            r.decline_reason = note
        elif step == ReferralStatus.FIRST_CONTACT:
            due = r.first_contact_due or day
            # Most first contacts are in time, some late.
            day = min(
                due - timedelta(days=rng.randrange(0, 5))
                if rng.random() < 0.8
                else due + timedelta(days=rng.randrange(1, 6)),
                today,
            )
            day = max(day, r.accepted_on or day)
            contact_day = on_school_day(day, earliest=r.accepted_on, latest=today)
            if contact_day is None:  # accepted in a holiday that still lasts: no contact yet
                r.status = ReferralStatus.ACCEPTED
                break
            day = contact_day
            moment = min(timezone.make_aware(datetime.combine(day, time(11))), now)
            r.first_contact_on = day
        elif step == ReferralStatus.HELP_STARTED:
            r.help_started_on = day
        elif step == ReferralStatus.ENDED:
            r.ended_on = day
            if rng.random() < 0.7:
                r.outcome = Outcome.SUCCESSFUL
                note = "Doelen bereikt; student gaat zelfstandig verder."
            else:
                r.outcome = Outcome.NOT_SUCCESSFUL
                r.end_reason = rng.choice(
                    [EndReason.STUDENT_DECLINED, EndReason.UNREACHABLE, EndReason.NO_LONGER_NEEDED]
                )
            r.closing_note = note
        steps.append((step, moment, worker, note))
    if status == ReferralStatus.WITHDRAWN:
        moment = min(moment + timedelta(days=rng.randrange(1, 5)), now)
        r.closing_note = "Student is verhuisd naar familie buiten de regio."
        steps.append((ReferralStatus.WITHDRAWN, moment, referrer, r.closing_note))
    r.updated_at = moment
    r.version = len(steps) + 1
    return r, steps
