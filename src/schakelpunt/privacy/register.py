"""The register of processing activities (AVG art. 30), in code.

Every read, change and export in the access log names one `Activity`; its purpose, legal basis
and retention come from here. The register page, `schakelpunt privacy register` and
docs/privacy.md are generated from or checked against this module, and a test fails when a
model holding personal data has no entry in `MODEL_CATEGORIES`.

A plain module: the access log and every app import it, it imports none of them.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class LegalBasis(models.TextChoices):
    """The grounds of AVG art. 6 (and art. 9 for health data) Schakelpunt relies on."""

    CONSENT = "consent", _("Toestemming")
    LEGAL_DUTY = "legal_duty", _("Wettelijke plicht")
    PUBLIC_TASK = "public_task", _("Taak van algemeen belang")
    VITAL_INTEREST = "vital_interest", _("Vitaal belang (nood)")


# The article each basis rests on in the AVG itself; the activity names the national law.
BASIS_ARTICLES: dict[str, str] = {
    LegalBasis.CONSENT: "AVG art. 6 lid 1 onder a; voor gezondheidsgegevens art. 9 lid 2 onder a",
    LegalBasis.LEGAL_DUTY: "AVG art. 6 lid 1 onder c",
    LegalBasis.PUBLIC_TASK: "AVG art. 6 lid 1 onder e",
    LegalBasis.VITAL_INTEREST: "AVG art. 6 lid 1 onder d; voor gezondheidsgegevens art. 9 lid 2 "
    "onder c",
}


class Activity(models.TextChoices):
    """A processing activity: why a student's data were read, changed or exported."""

    SUPPORT = "support", _("Ondersteuning bieden")
    MEETING = "meeting", _("Casusoverleg")
    ABSENCE = "absence", _("Verzuim melden en opvolgen")
    RMC = "rmc", _("Voortijdig schoolverlaten opvolgen")
    TRANSITION = "transition", _("Overstap en nazorg")
    ENROLMENT = "enrolment", _("Inschrijving bijhouden")
    EARLY_WARNING = "early_warning", _("Vroegsignalering")
    REFERRAL = "referral", _("Doorverwijzen")
    CARE = "care", _("Hulp na verwijzing")
    PARENT = "parent", _("Ouders betrekken")
    OWN_FILE = "own_file", _("Eigen dossier inzien")
    RIGHTS = "rights", _("Rechten van de student")
    OVERSIGHT = "oversight", _("Toezicht op de verwerking")
    MONITOR = "monitor", _("Monitor (cijfers zonder namen)")
    RETENTION = "retention", _("Bewaren en vernietigen")


class DataCategory(models.TextChoices):
    """What kind of personal data a table holds; retention is set per category."""

    IDENTITY = "identity", _("Persoons- en inschrijvingsgegevens")
    CONTACT = "contact", _("Contactgegevens en ouders")
    ABSENCE = "absence", _("Verzuim en verzuimmeldingen")
    SUPPORT = "support", _("Ondersteuning, zorgen en plan")
    REFERRALS = "referrals", _("Verwijzingen en toestemmingen")
    MEETINGS = "meetings", _("Casusoverleg en verslagen")
    TRANSITIONS = "transitions", _("Overstap, uitval en nazorg")
    EARLY_WARNING = "early_warning", _("Vroegsignalen")
    REQUESTS = "requests", _("Verzoeken van de student (correctie, bezwaar)")
    ACCOUNTS = "accounts", _("Accounts en rollen van gebruikers")
    ACCESS_LOG = "access_log", _("Toegangslog en geweigerde pogingen")
    IMPORT_FILES = "import_files", _("Aangeleverde bestanden en berichten")
    NOTIFICATIONS = "notifications", _("Berichten in Schakelpunt")


@dataclass(frozen=True)
class ProcessingActivity:
    activity: Activity
    purpose: Promise  # for the privacy officer and the register
    plain: Promise  # for the student's "wie heeft mijn dossier bekeken": why, in plain Dutch
    legal_basis: LegalBasis
    legal_source: str  # the national law's article(s), as the register prints them
    categories: tuple[DataCategory, ...]
    receivers: Promise
    source: Promise
    # AVG art. 21: a student may object to a processing that is not a legal duty nor consent.
    objectable: bool = False


@dataclass(frozen=True)
class RetentionRule:
    category: DataCategory
    years: int  # 0 with `days` for short periods
    days: int
    starts: Promise  # from which moment the period runs
    legal_source: str


def _p(
    activity: Activity,
    purpose: Promise,
    plain: Promise,
    basis: LegalBasis,
    source_law: str,
    categories: tuple[DataCategory, ...],
    receivers: Promise,
    source: Promise,
    objectable: bool = False,
) -> ProcessingActivity:
    return ProcessingActivity(
        activity, purpose, plain, basis, source_law, categories, receivers, source, objectable
    )


C = DataCategory
SCHOOL_STAFF = _("begeleiders en zorgteam van de eigen school")
STUDENT_DATA = _("de school (studentenadministratie), de student en de begeleiders")

ACTIVITIES: dict[Activity, ProcessingActivity] = {
    a.activity: a
    for a in (
        _p(
            Activity.SUPPORT,
            _("De student begeleiden en extra ondersteuning bieden op school."),
            _("om je te begeleiden op school"),
            LegalBasis.LEGAL_DUTY,
            "WEB art. 8.1.3 (onderwijsovereenkomst: begeleiding en ondersteuning); "
            "UAVG art. 30 lid 1 onder b (gezondheidsgegevens voor begeleiding)",
            (C.IDENTITY, C.CONTACT, C.ABSENCE, C.SUPPORT),
            SCHOOL_STAFF,
            STUDENT_DATA,
        ),
        _p(
            Activity.MEETING,
            _("De ondersteuning van de student in het zorgteam bespreken."),
            _("om in het zorgteam te bespreken hoe we je helpen"),
            LegalBasis.LEGAL_DUTY,
            "WEB art. 8.1.3; UAVG art. 30 lid 1 onder b",
            (C.IDENTITY, C.SUPPORT, C.MEETINGS),
            SCHOOL_STAFF,
            _("deelnemers aan het overleg"),
        ),
        _p(
            Activity.ABSENCE,
            _("Verzuim registreren en wettelijk verplicht melden."),
            _("omdat de school verzuim moet bijhouden en melden"),
            LegalBasis.LEGAL_DUTY,
            "Leerplichtwet 1969 art. 21a; WEB art. 8.1.8",
            (C.IDENTITY, C.CONTACT, C.ABSENCE),
            _("verzuimcoördinator, leerplicht en RMC van de woongemeente"),
            _("de studentenadministratie van de school"),
        ),
        _p(
            Activity.RMC,
            _("Jongeren zonder startkwalificatie die uitvallen in beeld houden en begeleiden."),
            _("omdat de gemeente jongeren zonder diploma moet helpen"),
            LegalBasis.LEGAL_DUTY,
            "WEB art. 8.3.1 (regionale meld- en coördinatiefunctie); Leerplichtwet 1969 art. 16",
            (C.IDENTITY, C.CONTACT, C.ABSENCE, C.TRANSITIONS),
            _("RMC-consulenten en leerplichtambtenaren van de woongemeente"),
            _("de school en de gemeente"),
        ),
        _p(
            Activity.TRANSITION,
            _("Een warme overdracht bij de overstap en nazorg na het verlaten van de school."),
            _("om je overstap naar een nieuwe school of werk goed te laten verlopen"),
            LegalBasis.LEGAL_DUTY,
            "WEB art. 8.1.3; WEB art. 8.3.1",
            (C.IDENTITY, C.TRANSITIONS),
            SCHOOL_STAFF,
            _("de vorige en de nieuwe school"),
        ),
        _p(
            Activity.ENROLMENT,
            _("Inschrijving, opleiding en contactgegevens bijhouden."),
            _("omdat je bij de school ingeschreven staat"),
            LegalBasis.LEGAL_DUTY,
            "WEB art. 8.1.1 en 8.1.3",
            (C.IDENTITY, C.CONTACT),
            SCHOOL_STAFF,
            _("de studentenadministratie van de school"),
        ),
        _p(
            Activity.EARLY_WARNING,
            _("Uit verzuim en ondersteuning vroeg zien welke student hulp nodig kan hebben."),
            _("om vroeg te zien of je misschien hulp nodig hebt"),
            LegalBasis.PUBLIC_TASK,
            "WEB art. 8.1.3 (zorgplicht van de school); AVG art. 6 lid 1 onder e",
            (C.ABSENCE, C.SUPPORT, C.EARLY_WARNING),
            SCHOOL_STAFF,
            _("berekend door Schakelpunt uit verzuim en ondersteuning"),
            objectable=True,
        ),
        _p(
            Activity.REFERRAL,
            _("De student met toestemming doorverwijzen naar hulp buiten de school."),
            _("om je met je toestemming door te verwijzen naar hulp"),
            LegalBasis.CONSENT,
            "AVG art. 6 lid 1 onder a en art. 9 lid 2 onder a; bij nood art. 6 lid 1 onder d",
            (C.IDENTITY, C.REFERRALS),
            _("de hulpverlener aan wie de student is doorverwezen"),
            _("de school en de student"),
        ),
        _p(
            Activity.CARE,
            _("De hulpverlener ziet de onderdelen waarvoor de student toestemming gaf."),
            _("omdat je toestemming gaf aan de hulpverlener"),
            LegalBasis.CONSENT,
            "AVG art. 6 lid 1 onder a en art. 9 lid 2 onder a",
            (C.IDENTITY, C.CONTACT, C.ABSENCE, C.SUPPORT, C.REFERRALS),
            _("de hulpverlener aan wie de student is doorverwezen"),
            _("de school"),
        ),
        _p(
            Activity.PARENT,
            _("Ouders van een minderjarige betrekken; vanaf 16 alleen wat de student deelt."),
            _("omdat je ouder meekijkt met wat jij deelt"),
            LegalBasis.LEGAL_DUTY,
            "BW art. 1:247 (ouderlijk gezag); vanaf 16 jaar: toestemming van de student",
            (C.IDENTITY, C.CONTACT, C.SUPPORT),
            _("ouders en verzorgers"),
            _("de school en de student"),
        ),
        _p(
            Activity.OWN_FILE,
            _("De student ziet het eigen dossier."),
            _("je bekeek je eigen dossier"),
            LegalBasis.LEGAL_DUTY,
            "AVG art. 15 (recht op inzage)",
            (C.IDENTITY, C.CONTACT, C.ABSENCE, C.SUPPORT, C.REFERRALS),
            _("de student zelf"),
            _("Schakelpunt"),
        ),
        _p(
            Activity.RIGHTS,
            _("Verzoeken om inzage, correctie en bezwaar van de student afhandelen."),
            _("om je verzoek over je gegevens af te handelen"),
            LegalBasis.LEGAL_DUTY,
            "AVG art. 12, 15, 16 en 21",
            (C.IDENTITY, C.REQUESTS),
            _("zorgcoördinator en privacyfunctionaris"),
            _("de student"),
        ),
        _p(
            Activity.OVERSIGHT,
            _("Toezien op wie welke gegevens inzag en waarom."),
            _("om te controleren dat alleen wie het mag je dossier bekijkt"),
            LegalBasis.LEGAL_DUTY,
            "AVG art. 5 lid 2, 24 en 32; NEN 7513",
            (C.ACCESS_LOG, C.ACCOUNTS),
            _("privacyfunctionaris van de school"),
            _("Schakelpunt"),
        ),
        _p(
            Activity.MONITOR,
            _("Cijfers zonder namen voor gemeente en bestuur, beschermd tegen herleiding."),
            _("om cijfers zonder namen te maken"),
            LegalBasis.PUBLIC_TASK,
            "WEB art. 8.3.1; Leerplichtwet 1969 art. 25 (verantwoording)",
            (C.IDENTITY, C.ABSENCE, C.SUPPORT, C.REFERRALS, C.TRANSITIONS),
            _("beleidsadviseurs van de gemeente en het bestuur (alleen cijfers)"),
            _("Schakelpunt"),
        ),
        _p(
            Activity.RETENTION,
            _("Gegevens bewaren zolang de wet het vraagt en daarna vernietigen."),
            _("om je gegevens op tijd te verwijderen"),
            LegalBasis.LEGAL_DUTY,
            "AVG art. 5 lid 1 onder e en art. 17",
            tuple(DataCategory),
            _("privacyfunctionaris van de school"),
            _("Schakelpunt"),
        ),
    )
}


# How long each category is kept, and from when (docs/privacy.md gives the reasoning). A
# student's file as a whole goes when its last category has expired; the retention job
# (privacy/retention.py) reads only this table.
RETENTION: dict[DataCategory, RetentionRule] = {
    r.category: r
    for r in (
        RetentionRule(C.IDENTITY, 2, 0, _("na uitschrijving"), "AVG art. 5 lid 1 onder e"),
        RetentionRule(C.CONTACT, 2, 0, _("na uitschrijving"), "AVG art. 5 lid 1 onder e"),
        RetentionRule(C.ABSENCE, 2, 0, _("na uitschrijving"), "Leerplichtwet 1969 art. 21a"),
        RetentionRule(C.SUPPORT, 2, 0, _("na uitschrijving"), "AVG art. 5 lid 1 onder e"),
        RetentionRule(C.REFERRALS, 2, 0, _("na uitschrijving"), "AVG art. 5 lid 1 onder e"),
        RetentionRule(C.MEETINGS, 2, 0, _("na uitschrijving"), "AVG art. 5 lid 1 onder e"),
        RetentionRule(
            C.TRANSITIONS,
            2,
            0,
            _("na uitschrijving, en niet vóór de 23e verjaardag zonder startkwalificatie"),
            "WEB art. 8.3.1",
        ),
        RetentionRule(C.EARLY_WARNING, 0, 0, _("bij uitschrijving"), "AVG art. 5 lid 1 onder c"),
        RetentionRule(C.REQUESTS, 2, 0, _("na afhandeling"), "AVG art. 5 lid 2"),
        RetentionRule(C.ACCOUNTS, 1, 0, _("na de laatste rol"), "AVG art. 5 lid 1 onder e"),
        RetentionRule(C.ACCESS_LOG, 5, 0, _("na het vastleggen"), "NEN 7513"),
        RetentionRule(C.IMPORT_FILES, 0, 30, _("na verwerking"), "AVG art. 5 lid 1 onder e"),
        RetentionRule(C.NOTIFICATIONS, 1, 0, _("na verzending"), "AVG art. 5 lid 1 onder e"),
    )
}

# Which categories each model with personal data holds, "app_label.ModelName" -> categories.
# A model with personal data and no entry here fails tests/test_privacy_register.py; a model
# without personal data is listed in NO_PERSONAL_DATA with a reason.
MODEL_CATEGORIES: dict[str, tuple[DataCategory, ...]] = {}
NO_PERSONAL_DATA: dict[str, str] = {}


def activity_info(code: str) -> ProcessingActivity | None:
    """The register entry for a code as written in the log (None for rows before the register)."""
    try:
        return ACTIVITIES[Activity(code)]
    except ValueError:
        return None
