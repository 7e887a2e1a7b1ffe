"""Demo intake: handover records from the VO schools (most matched, some uncertain, some never
enrolled), and students who enrolled this year but never came."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from faker import Faker

from schakelpunt.accounts.models import Organisation
from schakelpunt.refdata.models import PostcodeArea
from schakelpunt.signals.models import AbsenceReasonCode, AbsenceRecord
from schakelpunt.students.models import PriorEducation, Student
from schakelpunt.transitions.handover import handover_match_all
from schakelpunt.transitions.models import DiplomaExpected, HandoverRecord, SchoolType
from schakelpunt.transitions.non_arrival import (
    FIRST_DAYS,
    handed_over_not_enrolled,
    non_arrivals_detect,
    school_year_start,
)

SUPPORT = [
    ("Faalangsttraining; vaste mentor", "Vooraf weten wat er komt; korte opdrachten"),
    ("Begeleiding door de zorgcoördinator bij thuissituatie", "Elke week even kort bijpraten"),
    ("Dyslexie: extra tijd en voorleessoftware", "Toetsen op papier in groter lettertype"),
    ("Schoolmaatschappelijk werk na verzuim", "Ochtendstart met een vast aanspreekpunt"),
]
PRIOR_TYPES: dict[str, str] = {
    PriorEducation.VMBO: SchoolType.VMBO_K,
    PriorEducation.VSO: SchoolType.VSO,
    PriorEducation.PRO: SchoolType.PRO,
    PriorEducation.HAVO_VWO: SchoolType.HAVO,
}


def build_intake(
    *,
    rng: random.Random,
    fake: Faker,
    roc: Organisation,
    vo_schools: list[Organisation],
    today: date,
) -> tuple[int, int]:
    """Returns (handover records, non-arrivals)."""
    start = school_year_start(today)
    imported = datetime(start.year, 6, 20, 10, 0, tzinfo=UTC)
    newcomers = list(
        Student.objects.filter(
            institution=roc, enrolled_on=start, prior_education__in=list(PRIOR_TYPES)
        )
        .select_related("residence_municipality")
        .order_by("pk")[:60]
    )
    records: list[HandoverRecord] = []
    for s in newcomers[:45]:
        support, worked = rng.choice(SUPPORT)
        consent = rng.random() < 0.9
        records.append(
            HandoverRecord(
                institution=roc,
                source_school=rng.choice(vo_schools).name,
                first_name=s.first_name if rng.random() < 0.9 else s.first_name + "a",
                name_prefix=s.name_prefix,
                last_name=s.last_name,
                date_of_birth=s.date_of_birth,
                postcode=s.postcode,
                residence_municipality=s.residence_municipality,
                school_type=PRIOR_TYPES[s.prior_education],
                diploma_expected=rng.choice(list(DiplomaExpected)),
                consent=consent,
                support_received=support if consent else "",
                what_worked=worked if consent else "",
                mentor_name=fake.name(),
                imported_at=imported,
            )
        )
    # Pupils handed over who never enrolled.
    areas = list(PostcodeArea.objects.filter(municipality__rmc_region__code="MC12")[:50])
    for _ in range(6):
        area = rng.choice(areas)
        records.append(
            HandoverRecord(
                institution=roc,
                source_school=rng.choice(vo_schools).name,
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                date_of_birth=date(start.year - 16, rng.randrange(1, 13), rng.randrange(1, 29)),
                postcode=f"{area.pc4} AB",
                residence_municipality=area.municipality,
                school_type=SchoolType.VMBO_B,
                diploma_expected=DiplomaExpected.UNCERTAIN,
                consent=True,
                support_received="Veel verzuim in het examenjaar",
                what_worked="Huisbezoek door de mentor",
                imported_at=imported,
            )
        )
    HandoverRecord.objects.bulk_create(records)
    handover_match_all(roc)
    # Five newcomers never came: fully absent, unauthorised, the first two weeks.
    absent = newcomers[45:50]
    first_days = [
        start + timedelta(days=i)
        for i in range(FIRST_DAYS)
        if (start + timedelta(days=i)).weekday() < 5
    ]
    AbsenceRecord.objects.filter(student__in=absent, day__in=first_days).delete()
    AbsenceRecord.objects.bulk_create(
        AbsenceRecord(
            student=s,
            day=d,
            scheduled_hours=Decimal("6"),
            absent_hours=Decimal("6"),
            reason=AbsenceReasonCode.UNAUTHORISED,
        )
        for s in absent
        for d in first_days
    )
    # As the morning job found them, on the third Monday of the school year.
    found = non_arrivals_detect(start + timedelta(days=FIRST_DAYS + 6))
    found += handed_over_not_enrolled(start + timedelta(days=FIRST_DAYS + 6))
    return len(records), found
