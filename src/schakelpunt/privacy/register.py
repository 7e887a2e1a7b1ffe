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
    DIRECTORY = "directory", _("Sociale kaart: contactgegevens van hulpverleners")


# About whom each category holds data (AVG art. 30 lid 1 onder c: the categories of data
# subjects); the register shows, per activity, the people its categories are about.
STUDENTS = _("studenten")
CATEGORY_SUBJECTS: dict[DataCategory, tuple[Promise, ...]] = {
    DataCategory.IDENTITY: (STUDENTS,),
    DataCategory.CONTACT: (STUDENTS, _("ouders en verzorgers")),
    DataCategory.ABSENCE: (STUDENTS,),
    DataCategory.SUPPORT: (STUDENTS, _("medewerkers die een zorg melden of een actie krijgen")),
    DataCategory.REFERRALS: (STUDENTS, _("ouders die toestemming geven"), _("hulpverleners")),
    DataCategory.MEETINGS: (STUDENTS, _("deelnemers aan het overleg, ook ouders")),
    DataCategory.TRANSITIONS: (
        STUDENTS,
        _("aangemelde leerlingen van de vorige school"),
        _("mentoren van de vorige school"),
    ),
    DataCategory.EARLY_WARNING: (STUDENTS,),
    DataCategory.REQUESTS: (STUDENTS, _("medewerkers die een verzoek afhandelen")),
    DataCategory.ACCOUNTS: (_("gebruikers: medewerkers, studenten en ouders met een account"),),
    DataCategory.ACCESS_LOG: (STUDENTS, _("gebruikers die een dossier openden")),
    DataCategory.IMPORT_FILES: (STUDENTS,),
    DataCategory.NOTIFICATIONS: (_("gebruikers die een bericht krijgen"), STUDENTS),
    DataCategory.DIRECTORY: (_("contactpersonen van hulpverleners"),),
}


@dataclass(frozen=True)
class ProcessingActivity:
    activity: Activity
    purpose: Promise  # for the privacy officer and the register
    plain: Promise  # for the student's "wie heeft mijn dossier bekeken": why, in plain Dutch
    legal_basis: LegalBasis
    legal_source: str  # the national law and article(s), as the register prints them
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

# The legal sources name the law and, where it was checked against the text, the article;
# docs/privacy.md ("Grondslagen") says which were checked and which not.
ACTIVITIES: dict[Activity, ProcessingActivity] = {
    a.activity: a
    for a in (
        _p(
            Activity.SUPPORT,
            _("De student begeleiden en extra ondersteuning bieden op school."),
            _("om je te begeleiden op school"),
            LegalBasis.LEGAL_DUTY,
            "WEB hoofdstuk 8 (onderwijsovereenkomst en afspraken over extra ondersteuning); "
            "UAVG art. 30 (gezondheidsgegevens: speciale begeleiding door scholen)",
            (C.IDENTITY, C.CONTACT, C.ABSENCE, C.SUPPORT, C.NOTIFICATIONS),
            SCHOOL_STAFF,
            STUDENT_DATA,
        ),
        _p(
            Activity.MEETING,
            _("De ondersteuning van de student in het zorgteam bespreken."),
            _("om in het zorgteam te bespreken hoe we je helpen"),
            LegalBasis.LEGAL_DUTY,
            "WEB hoofdstuk 8 (begeleiding van de student); "
            "UAVG art. 30 (gezondheidsgegevens: speciale begeleiding door scholen)",
            (C.IDENTITY, C.SUPPORT, C.MEETINGS),
            SCHOOL_STAFF,
            _("deelnemers aan het overleg"),
        ),
        _p(
            Activity.ABSENCE,
            _("Verzuim registreren en wettelijk verplicht melden."),
            _("omdat de school verzuim moet bijhouden en melden"),
            LegalBasis.LEGAL_DUTY,
            "Leerplichtwet 1969 (meldplicht ongeoorloofd verzuim); WEB titel 8.3 (melden van "
            "verzuim en uitval zonder startkwalificatie); Wet register onderwijsdeelnemers "
            "art. 10 (verzuimgegevens)",
            (C.IDENTITY, C.CONTACT, C.ABSENCE, C.IMPORT_FILES),
            _("verzuimcoördinator, leerplicht en RMC van de woongemeente"),
            _("de studentenadministratie van de school"),
        ),
        _p(
            Activity.RMC,
            _("Jongeren zonder startkwalificatie die uitvallen in beeld houden en begeleiden."),
            _("omdat de gemeente jongeren zonder diploma moet helpen"),
            LegalBasis.LEGAL_DUTY,
            "WEB titel 8.3 (regionale meld- en coördinatiefunctie, art. 8.3.1 e.v.); "
            "Leerplichtwet 1969 art. 16 (leerplichtambtenaren)",
            (C.IDENTITY, C.CONTACT, C.ABSENCE, C.TRANSITIONS),
            _("RMC-consulenten en leerplichtambtenaren van de woongemeente"),
            _("de school en de gemeente"),
        ),
        _p(
            Activity.TRANSITION,
            _("Een warme overdracht bij de overstap en nazorg na het verlaten van de school."),
            _("om je overstap naar een nieuwe school of werk goed te laten verlopen"),
            LegalBasis.LEGAL_DUTY,
            "WEB titel 8.3 (nazorg en melding bij uitval); ondersteuningsinformatie van de "
            "vorige school alleen met toestemming (AVG art. 9 lid 2 onder a)",
            (C.IDENTITY, C.TRANSITIONS),
            SCHOOL_STAFF,
            _("de vorige en de nieuwe school"),
        ),
        _p(
            Activity.ENROLMENT,
            _("Inschrijving, opleiding en contactgegevens bijhouden."),
            _("omdat je bij de school ingeschreven staat"),
            LegalBasis.LEGAL_DUTY,
            "WEB hoofdstuk 8 (inschrijving); Wet register onderwijsdeelnemers art. 9 en 10 "
            "(basisgegevens); UAVG art. 46 (burgerservicenummer alleen waar de wet het regelt)",
            (C.IDENTITY, C.CONTACT),
            SCHOOL_STAFF,
            _("de studentenadministratie van de school"),
        ),
        _p(
            Activity.EARLY_WARNING,
            _("Uit verzuim en ondersteuning vroeg zien welke student hulp nodig kan hebben."),
            _("om vroeg te zien of je misschien hulp nodig hebt"),
            LegalBasis.PUBLIC_TASK,
            "WEB hoofdstuk 8 (begeleiding van de student); AVG art. 21 (bezwaar tegen "
            "profilering); geen geautomatiseerd besluit (AVG art. 22): een begeleider beslist",
            (C.ABSENCE, C.SUPPORT, C.EARLY_WARNING),
            SCHOOL_STAFF,
            _("berekend door Schakelpunt uit verzuim en ondersteuning"),
            objectable=True,
        ),
        _p(
            Activity.REFERRAL,
            _(
                "De student met toestemming doorverwijzen naar hulp buiten de school; daarvoor "
                "houdt Schakelpunt een sociale kaart bij met zakelijke contactgegevens van "
                "hulpverleners."
            ),
            _("om je met je toestemming door te verwijzen naar hulp"),
            LegalBasis.CONSENT,
            "AVG art. 6 lid 1 onder a en art. 9 lid 2 onder a; onder 16 jaar ook de ouder "
            "(UAVG art. 5); bij nood art. 6 lid 1 onder d; sociale kaart: art. 6 lid 1 onder e",
            (C.IDENTITY, C.REFERRALS, C.NOTIFICATIONS, C.DIRECTORY),
            _("de hulpverlener aan wie de student is doorverwezen"),
            _("de school en de student; de sociale kaart: de organisaties zelf"),
        ),
        _p(
            Activity.CARE,
            _("De hulpverlener ziet de onderdelen waarvoor de student toestemming gaf."),
            _("omdat je toestemming gaf aan de hulpverlener"),
            LegalBasis.CONSENT,
            "AVG art. 6 lid 1 onder a en art. 9 lid 2 onder a; onder 16 jaar ook de ouder "
            "(UAVG art. 5)",
            (C.IDENTITY, C.CONTACT, C.ABSENCE, C.SUPPORT, C.REFERRALS, C.IMPORT_FILES),
            _(
                "de hulpverlener aan wie de student is doorverwezen, ook via het gekoppelde "
                "systeem van de hulpverlener"
            ),
            _("de school"),
        ),
        _p(
            Activity.PARENT,
            _("Ouders van een minderjarige betrekken; vanaf 16 alleen wat de student deelt."),
            _("omdat je ouder meekijkt met wat jij deelt"),
            LegalBasis.LEGAL_DUTY,
            "BW art. 1:247 (ouderlijk gezag over een minderjarige); vanaf 16 jaar alleen met "
            "toestemming van de student (UAVG art. 5)",
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
            "AVG art. 12 (termijn en vorm), 15 (inzage), 16 (rectificatie) en 21 (bezwaar)",
            (C.IDENTITY, C.REQUESTS),
            _("zorgcoördinator en privacyfunctionaris"),
            _("de student"),
        ),
        _p(
            Activity.OVERSIGHT,
            _(
                "Toezien op wie welke gegevens inzag en waarom; accounts, rollen en inloggen "
                "beveiligen."
            ),
            _("om te controleren dat alleen wie het mag je dossier bekijkt"),
            LegalBasis.LEGAL_DUTY,
            "AVG art. 5 lid 2, 24 en 32; NEN 7513 (logging van toegang tot gezondheidsgegevens)",
            (C.ACCESS_LOG, C.ACCOUNTS),
            _("privacyfunctionaris en functioneel beheerder van de eigen organisatie"),
            _("Schakelpunt en de organisatie die het account aanmaakte"),
        ),
        _p(
            Activity.MONITOR,
            _("Cijfers zonder namen voor gemeente en bestuur, beschermd tegen herleiding."),
            _("om cijfers zonder namen te maken"),
            LegalBasis.PUBLIC_TASK,
            "WEB titel 8.3 (regionale aanpak voortijdig schoolverlaten); AVG art. 89 "
            "(statistiek met waarborgen)",
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


# How long each category is kept, and from when (docs/privacy.md, "Bewaartermijnen", gives the
# reasoning and repeats these values; a test keeps the two equal). A student's file as a whole
# goes when its last category has expired; the retention job (privacy/retention.py) reads only
# this table.
FILE_PRACTICE = (
    "AVG art. 5 lid 1 onder e; gangbare termijn voor een leerlingdossier: 2 jaar na uitschrijving"
)
RETENTION: dict[DataCategory, RetentionRule] = {
    r.category: r
    for r in (
        RetentionRule(C.IDENTITY, 2, 0, _("na uitschrijving"), FILE_PRACTICE),
        RetentionRule(C.CONTACT, 2, 0, _("na uitschrijving"), FILE_PRACTICE),
        RetentionRule(
            C.ABSENCE,
            2,
            0,
            _("na uitschrijving"),
            "AVG art. 5 lid 1 onder e; Leerplichtwet 1969 en WEB titel 8.3 (verzuim melden en "
            "opvolgen); geen langere wettelijke termijn voor het mbo gevonden",
        ),
        RetentionRule(C.SUPPORT, 2, 0, _("na uitschrijving"), FILE_PRACTICE),
        RetentionRule(C.REFERRALS, 2, 0, _("na uitschrijving"), FILE_PRACTICE),
        RetentionRule(C.MEETINGS, 2, 0, _("na uitschrijving"), FILE_PRACTICE),
        RetentionRule(
            C.TRANSITIONS,
            2,
            0,
            _("na uitschrijving, en niet vóór de 23e verjaardag zonder startkwalificatie"),
            "WEB titel 8.3 (RMC: jongeren tot 23 jaar zonder startkwalificatie); "
            "AVG art. 5 lid 1 onder e",
        ),
        RetentionRule(
            C.EARLY_WARNING,
            0,
            0,
            _("bij uitschrijving"),
            "AVG art. 5 lid 1 onder c (niet meer gegevens dan nodig)",
        ),
        RetentionRule(
            C.REQUESTS,
            2,
            0,
            _("na afhandeling"),
            "AVG art. 5 lid 2 en art. 12 (aantonen hoe een verzoek is afgehandeld)",
        ),
        RetentionRule(
            C.ACCOUNTS,
            1,
            0,
            _("na de laatste rol"),
            "AVG art. 5 lid 1 onder e en art. 32 (wie toegang had, blijft na te gaan)",
        ),
        RetentionRule(
            C.ACCESS_LOG,
            5,
            0,
            _("na het vastleggen"),
            "NEN 7513 par. 8.5; Besluit elektronische gegevensverwerking door zorgaanbieders "
            "art. 5 met Stcrt. 2019, 38007 (logging ten minste 5 jaar)",
        ),
        RetentionRule(
            C.IMPORT_FILES,
            0,
            30,
            _("na verwerking"),
            "AVG art. 5 lid 1 onder c en e (alleen zolang nodig om te verwerken)",
        ),
        RetentionRule(C.NOTIFICATIONS, 1, 0, _("na verzending"), "AVG art. 5 lid 1 onder e"),
        RetentionRule(
            C.DIRECTORY,
            0,
            0,
            _("zolang de organisatie of contactpersoon in de sociale kaart staat"),
            "AVG art. 5 lid 1 onder d en e (juist, en niet langer dan nodig)",
        ),
    )
}


def _holds(
    categories: tuple[DataCategory, ...], what: Promise
) -> tuple[tuple[DataCategory, ...], Promise]:
    return categories, what


# Which categories each model with personal data holds, "app_label.ModelName" -> categories,
# the main one first (the retention job counts a table under its first category), and in
# MODEL_HOLDS what it holds, in a few words for the register. A model with personal data and
# no entry here fails tests/test_privacy_register.py; a model without personal data is in
# NO_PERSONAL_DATA with a reason, and may hold no reference to a person nor a field named like
# a name, an address or a number of one (register_selectors.hidden_personal_data).
_MODELS: dict[str, tuple[tuple[DataCategory, ...], Promise]] = {
    # accounts
    "accounts.User": _holds(
        (C.ACCOUNTS,), _("accounts van medewerkers, studenten en ouders: naam en e-mail")
    ),
    "accounts.User_groups": _holds((C.ACCOUNTS,), _("groepen van een account")),
    "accounts.User_user_permissions": _holds((C.ACCOUNTS,), _("rechten van een account")),
    "accounts.Membership": _holds((C.ACCOUNTS,), _("rollen van gebruikers in een organisatie")),
    "accounts.RoleGrant": _holds(
        (C.ACCOUNTS,), _("wie welke rol gaf of probeerde te geven (naam, e-mail)")
    ),
    "accounts.SecondFactorSetupCode": _holds(
        (C.ACCOUNTS,), _("codes per e-mail om een tweede factor in te stellen")
    ),
    "accounts.ApiClient": _holds((C.ACCOUNTS,), _("gekoppelde systemen en wie ze beheert")),
    "accounts.ExternalIdentity": _holds(
        (C.ACCOUNTS,), _("koppeling van een account aan het schoolaccount")
    ),
    "accounts.IdentityProviderSecondFactor": _holds(
        (C.ACCOUNTS,), _("tweede factor via het schoolaccount")
    ),
    # Django, login protection and the second factor
    "sessions.Session": _holds((C.ACCOUNTS,), _("sessies: wie is ingelogd")),
    "axes.AccessAttempt": _holds(
        (C.ACCOUNTS,), _("mislukte inlogpogingen: gebruikersnaam, IP-adres, browser")
    ),
    "axes.AccessAttemptExpiration": _holds((C.ACCOUNTS,), _("einde van een inlogblokkade")),
    "axes.AccessFailureLog": _holds(
        (C.ACCOUNTS,), _("mislukte inlogpogingen: gebruikersnaam, IP-adres, browser")
    ),
    "axes.AccessLog": _holds(
        (C.ACCOUNTS,), _("in- en uitloggen: gebruikersnaam, IP-adres, browser")
    ),
    "otp_totp.TOTPDevice": _holds((C.ACCOUNTS,), _("authenticator-apps van gebruikers")),
    # students
    "students.Student": _holds(
        (C.IDENTITY, C.CONTACT),
        _(
            "studenten: naam, geboortedatum, studentnummer, BSN, inschrijving, vooropleiding, "
            "adres (postcode), telefoon, e-mail"
        ),
    ),
    "students.Guardian": _holds(
        (C.CONTACT,), _("ouders en verzorgers: naam, telefoon, e-mail, wat zij zien")
    ),
    # support
    "support.SupportTeamMember": _holds((C.SUPPORT,), _("het team rond een student")),
    "support.Trajectory": _holds(
        (C.SUPPORT,), _("ondersteuningstrajecten: niveau, leefgebieden, regisseur")
    ),
    "support.TrajectoryEvent": _holds((C.SUPPORT,), _("wijzigingen in een traject")),
    "support.SupportPlan": _holds((C.SUPPORT,), _("plannen: wensen en afspraken")),
    "support.PlanGoal": _holds((C.SUPPORT,), _("doelen in een plan")),
    "support.PlanAction": _holds((C.SUPPORT,), _("acties in een plan")),
    "support.PlanVersion": _holds((C.SUPPORT,), _("opgeslagen versies van een plan")),
    "support.ContactNote": _holds((C.SUPPORT,), _("gespreksverslagen en notities")),
    "support.StudentContribution": _holds((C.SUPPORT,), _("inbreng van de student")),
    "support.HelpRequest": _holds((C.SUPPORT,), _("hulpvragen van de student")),
    # signals
    "signals.AbsenceRecord": _holds((C.ABSENCE,), _("verzuim per dag")),
    "signals.AbsenceReport": _holds(
        (C.ABSENCE,), _("wettelijke verzuimmeldingen en hun opvolging")
    ),
    "signals.Concern": _holds(
        (C.SUPPORT,), _("zorgen over een student, wie ze meldde en wat ermee gebeurde")
    ),
    "signals.EarlyWarning": _holds((C.EARLY_WARNING,), _("vroegsignalen en hun factoren")),
    "signals.LeaverFollowUp": _holds(
        (C.TRANSITIONS,), _("opvolging van studenten die de school verlieten")
    ),
    "signals.AbsenceImportJob": _holds(
        (C.IMPORT_FILES,), _("aangeleverde verzuimbestanden (met studentnummers)")
    ),
    "signals.SchoolHoliday": _holds((C.ACCOUNTS,), _("schoolvakanties: wie ze invoerde")),
    "signals.SignalSettings": _holds((C.ACCOUNTS,), _("signaalinstellingen: wie ze wijzigde")),
    # referrals
    "referrals.Referral": _holds(
        (C.REFERRALS,), _("verwijzingen: vraag, urgentie, gedeelde onderdelen, verloop")
    ),
    "referrals.ReferralEvent": _holds((C.REFERRALS,), _("stappen in een verwijzing")),
    "referrals.Advice": _holds((C.REFERRALS,), _("adviezen van hulpverleners")),
    "referrals.Consent": _holds(
        (C.REFERRALS,), _("toestemmingen, ook van een ouder, en delingen in nood met reden")
    ),
    "referrals.AdulthoodTransition": _holds((C.REFERRALS,), _("overgang naar 18 jaar")),
    # meetings
    "meetings.Meeting": _holds((C.MEETINGS,), _("overleggen: voorzitter, notities")),
    "meetings.AgendaItem": _holds(
        (C.MEETINGS,), _("besproken studenten: vraag, verslag, wat de student ziet")
    ),
    "meetings.Participant": _holds(
        (C.MEETINGS,), _("deelnemers, ook ouders: naam, e-mail, aanwezigheid")
    ),
    "meetings.Decision": _holds((C.MEETINGS,), _("besluiten in een overleg")),
    # transitions
    "transitions.Departure": _holds((C.TRANSITIONS,), _("uitschrijvingen: reden, bestemming")),
    "transitions.AftercareContact": _holds((C.TRANSITIONS,), _("nazorgcontacten")),
    "transitions.NonArrival": _holds((C.TRANSITIONS,), _("ingeschreven studenten die niet kwamen")),
    "transitions.HandoverRecord": _holds(
        (C.TRANSITIONS, C.IDENTITY),
        _("overdracht van de vorige school: naam, geboortedatum, postcode, ondersteuning, mentor"),
    ),
    "transitions.IntakeConversation": _holds((C.TRANSITIONS,), _("intakegesprekken")),
    # the access log and the privacy app
    "access.AccessLogEntry": _holds(
        (C.ACCESS_LOG,), _("toegangslog: wie, wanneer, welke student, welk onderdeel, waarom")
    ),
    "access.AccessDecision": _holds(
        (C.ACCESS_LOG,), _("geweigerde pogingen om een student te openen")
    ),
    "privacy.LegalHold": _holds(
        (C.IDENTITY,), _("blokkades op vernietiging van een student, met reden")
    ),
    "privacy.RetentionRun": _holds(
        (C.ACCOUNTS,), _("vernietigingsrondes: wie voorstelde en goedkeurde, aantallen")
    ),
    "privacy.RetentionCandidate": _holds(
        (C.IDENTITY,), _("studenten die voor vernietiging in aanmerking komen")
    ),
    "privacy.CorrectionRequest": _holds((C.REQUESTS,), _("correctieverzoeken en antwoorden")),
    "privacy.Objection": _holds((C.REQUESTS,), _("bezwaren en besluiten daarover")),
    # notifications and events
    "notifications.Notification": _holds((C.NOTIFICATIONS,), _("berichten aan gebruikers")),
    "events.Subscription": _holds((C.ACCOUNTS,), _("abonnementen van systemen: wie ze beheert")),
    "events.Delivery": _holds(
        (C.IMPORT_FILES,), _("berichten aan gekoppelde systemen over een student")
    ),
    # the sociale kaart: business contact details, sometimes of one person (a practice)
    "directory.DirectoryOrganisation": _holds(
        (C.DIRECTORY,), _("organisaties in de sociale kaart: e-mail, telefoon")
    ),
    "directory.DirectoryLocation": _holds((C.DIRECTORY,), _("locaties van hulpverleners: adres")),
    "directory.Service": _holds((C.DIRECTORY,), _("diensten: e-mail, telefoon, wie ze bijwerkte")),
    "directory.Contact": _holds(
        (C.DIRECTORY,), _("contactpersonen: naam, functie, e-mail, telefoon")
    ),
}
MODEL_CATEGORIES: dict[str, tuple[DataCategory, ...]] = {
    label: categories for label, (categories, _what) in _MODELS.items()
}
MODEL_HOLDS: dict[str, Promise] = {label: what for label, (_c, what) in _MODELS.items()}

_REFERENCE = _("openbare referentiegegevens, geen personen")
NO_PERSONAL_DATA: dict[str, Promise] = {
    "auth.Permission": _("rechten in de applicatie"),
    "auth.Group": _("groepen van rechten"),
    "auth.Group_permissions": _("rechten van een groep"),
    "contenttypes.ContentType": _("soorten tabellen"),
    "refdata.RmcRegion": _REFERENCE,
    "refdata.Municipality": _REFERENCE,
    "refdata.PostcodeArea": _("postcodegebieden met vier cijfers (openbaar), geen adressen"),
    "refdata.RegionalHoliday": _REFERENCE,
    "accounts.Organisation": _("organisaties: naam, soort, BRIN"),
    "accounts.Location": _("schoollocaties"),
    "accounts.ProgrammeTeam": _("opleidingsteams"),
    "accounts.Programme": _("opleidingen"),
    "accounts.IdentityProvider": _("instellingen van het schoolaccount (OpenID Connect)"),
    "directory.ServiceAtLocation": _("welke dienst op welke locatie"),
    "directory.OpeningHours": _("openingstijden"),
    "directory.Service_areas": _("gemeenten waarin een dienst werkt"),
    "signals.SignalQualityRun": _("terugblik op de signalen: alleen aantallen per groep"),
    "signals.MorningRun": _("ochtendberekening per instelling: alleen tijden en aantallen"),
    "signals.MorningRunShard": _("deel van een ochtendberekening: id-grenzen, tijden, aantallen"),
    "monitor.MonitorSnapshot": _("beschermde cijfers zonder namen"),
    "funding.FundingStream": _("financieringsstromen"),
    "funding.ServiceFunding": _("financiering per dienst"),
    "funding.SupportRate": _("uurtarief van de school"),
    "access.AccessLogChainHead": _("lengte en laatste hash van het toegangslog"),
}


def activity_info(code: str) -> ProcessingActivity | None:
    """The register entry for a code as written in the log (None for rows before the register)."""
    try:
        return ACTIVITIES[Activity(code)]
    except ValueError:
        return None
