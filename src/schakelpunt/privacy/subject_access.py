"""Everything Schakelpunt holds about one student that the student may see (AVG art. 15).

One plain structure (`SubjectAccess`: sections of records) from which both the JSON and the
PDF are made, so the two cannot differ. What goes in follows the access policy for the
student's own file: the parts `own_data_parts()` grants, concerns only where
`concern_visible_to_student`, contacts only where shared with the student, minutes of a case
meeting as `may_read_agenda_item_minutes` gives the student their own item. The words are the
student's own-file words (students/own_file.py), in plain Dutch (B1, "je").

The caller decides whether the user may download this student's data
(`may_download_own_data`) and logs the export.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.access.parts import EntryKind, Part
from schakelpunt.access.policy import (
    Grant,
    StudentAccess,
    concern_visible_to_student,
    describe_roles,
    guardian_may_be_involved,
    may_see_guardian_contact,
    own_data_parts,
    parent_parts_of_guardian,
)
from schakelpunt.accounts.roles import Role
from schakelpunt.meetings.models import AgendaItem, MeetingStatus
from schakelpunt.referrals.models import Advice, ConsentBasis
from schakelpunt.signals.models import AbsenceRecord
from schakelpunt.students.models import Student
from schakelpunt.students.own_file import absence_words, own_timeline, part_words, referral_words
from schakelpunt.support.models import (
    LifeDomain,
    PlanVersion,
    SupportPlan,
    Trajectory,
)
from schakelpunt.support.models import Tier as SupportTier
from schakelpunt.transitions.models import Departure, HandoverRecord, IntakeConversation

from .models import CorrectionRequest, Objection
from .register import activity_info

SCHEMA = "schakelpunt.gegevens-student/1"

# A field's value: JSON writes dates ISO, the PDF writes them the Dutch way.
Value = str | int | float | bool | date | datetime | list[str] | None

# The student's words for the tier (students/own_file.py keeps them out of the timeline).
TIER_WORDS = {
    SupportTier.BASIS: gettext_lazy("lichte hulp van je coach"),
    SupportTier.BREEDTE: gettext_lazy("hulp van het ondersteuningsteam op school"),
    SupportTier.DIEPTE: gettext_lazy("hulp van een specialist"),
}

# The student's words for BOL and BBL.
PATHWAY_WORDS = {
    "BOL": gettext_lazy("vooral leren op school, met stage (BOL)"),
    "BBL": gettext_lazy("werken en leren: je werkt en gaat een dag naar school (BBL)"),
}


@dataclass
class Section:
    """One part of the download: a heading, a line on what it is, and its records."""

    key: str  # stable, English: the JSON key
    title: str
    about: str
    labels: dict[str, str]  # field key -> Dutch label, in the order the PDF prints them
    records: list[dict[str, Value]] = field(default_factory=list)
    empty: str = ""
    # Many short records: the PDF prints one table row per record, these columns (a heading
    # and the fields it joins); empty: a small table of label and value per record.
    columns: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def add(self, **values: Value) -> None:
        unknown = set(values) - set(self.labels)
        if unknown:  # a field without a Dutch label would be missing from the PDF
            raise ValueError(f"no label for {sorted(unknown)} in {self.key}")
        self.records.append(values)


@dataclass
class SubjectAccess:
    student_number: str
    name: str
    institution: str
    made_at: datetime
    intro: str
    ask: str
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment) if moment is not None else None


def _day(value: date | None) -> str:
    """A day inside a sentence, the Dutch way ("10 december 2026")."""
    return formats.date_format(value, "j F Y") if value else "-"


def _iso_day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _hours(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _domains(codes: list[str]) -> list[str]:
    return [str(LifeDomain(d).label) for d in LifeDomain.values if d in (codes or [])]


def _identity(student: Student) -> Section:
    section = Section(
        "identity",
        _("Over jou"),
        _("Wie je bent, zoals de school het heeft doorgegeven."),
        {
            "student_number": _("Studentnummer"),
            "first_name": _("Voornaam"),
            "name_prefix": _("Tussenvoegsel"),
            "last_name": _("Achternaam"),
            "preferred_name": _("Roepnaam"),
            "date_of_birth": _("Geboortedatum"),
            "bsn": _("Burgerservicenummer (BSN)"),
        },
    )
    section.add(
        student_number=student.student_number,
        first_name=student.first_name,
        name_prefix=student.name_prefix,
        last_name=student.last_name,
        preferred_name=student.preferred_name,
        date_of_birth=student.date_of_birth,
        # Stored only where the school has a legal ground; never written out in full.
        bsn=(
            _("bewaard; alleen de laatste 3 cijfers: %(end)s") % {"end": student.bsn[-3:]}
            if student.bsn
            else _("niet bewaard")
        ),
    )
    return section


def _contact(student: Student) -> Section:
    section = Section(
        "contact",
        _("Hoe we je bereiken"),
        _("Je contactgegevens en waar je woont."),
        {
            "email": _("E-mailadres"),
            "phone": _("Telefoon"),
            "postcode": _("Postcode"),
            "residence_municipality": _("Je woont in"),
            "login": _("Je logt in met"),
        },
    )
    section.add(
        email=student.email,
        phone=student.phone,
        postcode=student.postcode,
        residence_municipality=(
            student.residence_municipality.name if student.residence_municipality else ""
        ),
        login=student.user.email if student.user is not None else "",
    )
    return section


def _guardians(student: Student, today: date) -> Section:
    from schakelpunt.access.policy import ParentPart

    section = Section(
        "guardians",
        _("Je ouders of verzorgers"),
        _("Wie de school als ouder of verzorger heeft opgeschreven, en wat zij van je zien."),
        {
            "name": _("Naam"),
            "relation": _("Wie"),
            "phone": _("Telefoon"),
            "email": _("E-mailadres"),
            "school_involves": _("School betrekt deze persoon"),
            "shared_with_providers": _("Hulpverleners mogen telefoon en e-mail zien"),
            "has_account": _("Heeft een eigen account in Schakelpunt"),
            "sees": _("Ziet van jou"),
        },
        empty=_("School heeft geen ouders of verzorgers opgeschreven."),
    )
    # The student's own access, as the policy grants it on their file.
    access = StudentAccess((Grant("own_file", Role.STUDENT, own_data_parts()),))
    for guardian in student.guardians.all():
        sees = parent_parts_of_guardian(guardian, today) if guardian.user_id else frozenset()
        involved = guardian_may_be_involved(student, guardian.student_consents, today)
        # Phone and e-mail of a parent school may not involve (18+) stay out, as on the file.
        contact = may_see_guardian_contact(access, guardian.student_consents, involved)
        section.add(
            name=guardian.name,
            relation=guardian.get_relation_display(),
            phone=guardian.phone if contact else "",
            email=guardian.email if contact else "",
            school_involves=involved,
            shared_with_providers=guardian.student_consents,
            has_account=guardian.user_id is not None,
            sees=[str(p.label) for p in ParentPart if p.value in sees],
        )
    return section


def _enrolment(student: Student) -> Section:
    section = Section(
        "enrolment",
        _("Je opleiding"),
        _("Waar je staat ingeschreven en wat je hiervoor deed."),
        {
            "institution": _("School"),
            "location": _("Locatie"),
            "programme": _("Opleiding"),
            "level": _("Niveau"),
            "pathway": _("Leerweg"),
            "enrolled_on": _("Begonnen op"),
            "left_on": _("Gestopt op"),
            "prior_education": _("Je vorige school"),
            "basic_qualification": _("Diploma mbo 2, havo of vwo"),
            "basic_qualification_on": _("Dat diploma gehaald op"),
        },
    )
    programme = student.programme
    section.add(
        institution=student.institution.name,
        location=student.location.name,
        programme=programme.name,
        level=programme.get_level_display(),
        pathway=str(PATHWAY_WORDS.get(programme.pathway, programme.get_pathway_display())),
        enrolled_on=student.enrolled_on,
        left_on=student.left_on,
        prior_education=student.get_prior_education_display(),
        basic_qualification=student.has_basic_qualification,
        basic_qualification_on=student.basic_qualification_on,
    )
    return section


def _leaving(student: Student) -> Section:
    section = Section(
        "leaving",
        _("Van school af en nazorg"),
        _("Als je van school ging: waarom, waarheen, en de gesprekken daarna."),
        {
            "left_on": _("Uitgeschreven op"),
            "reason": _("Reden"),
            "destination": _("Daarna"),
            "with_basic_qualification": _("Met diploma mbo 2, havo of vwo"),
            "note": _("Toelichting"),
            "returned_on": _("Teruggekomen op"),
            "aftercare": _("Nazorg"),
        },
        empty=_("Je bent niet van school gegaan."),
    )
    for departure in Departure.objects.filter(student=student).prefetch_related("contacts"):
        aftercare = [
            _("na %(months)s maanden (uiterlijk %(due)s): %(outcome)s%(note)s")
            % {
                "months": contact.months,
                "due": _day(contact.due_on),
                "outcome": contact.get_outcome_display() or _("nog niet gesproken"),
                "note": f" - {contact.note}" if contact.note else "",
            }
            for contact in departure.contacts.all()
        ]
        section.add(
            left_on=departure.left_on,
            reason=departure.get_reason_display(),
            destination=departure.get_destination_display(),
            with_basic_qualification=departure.with_basic_qualification,
            note=departure.note,
            returned_on=departure.returned_on,
            aftercare=aftercare,
        )
    return section


def _absence(student: Student) -> list[Section]:
    reports = Section(
        "absence_reports",
        _("Wat school over je verzuim doorgaf"),
        _(
            "Ben je vaak afwezig zonder goede reden? Dan moet school dat doorgeven aan je "
            "gemeente. Dat staat in de wet."
        ),
        {
            "kind": _("Wat"),
            "start_date": _("Vanaf"),
            "end_date": _("Tot"),
            "unauthorised_hours": _("Uren zonder goede reden"),
            "reported_on": _("Doorgegeven op"),
            "follow_up": _("Wat de gemeente deed"),
            "follow_up_note": _("Toelichting van de gemeente"),
        },
        empty=_("School heeft niets doorgegeven."),
    )
    for report in student.absence_reports.all():
        reports.add(
            kind=absence_words(report.kind),
            start_date=report.start_date,
            end_date=report.end_date,
            unauthorised_hours=_hours(report.unauthorised_hours),
            reported_on=report.reported_on,
            follow_up=report.get_follow_up_status_display(),
            follow_up_note=report.follow_up_note,
        )
    days = Section(
        "absence_days",
        _("Dagen dat je afwezig was"),
        _("Elke schooldag waarop je (een deel) afwezig was, zoals de school het registreerde."),
        {
            "day": _("Datum"),
            "scheduled_hours": _("Uren op je rooster"),
            "absent_hours": _("Uren afwezig"),
            "reason": _("Reden"),
        },
        empty=_("Er staat geen afwezigheid van je in Schakelpunt."),
        columns=(
            (_("Datum"), ("day",)),
            (_("Uren op je rooster"), ("scheduled_hours",)),
            (_("Uren afwezig"), ("absent_hours",)),
            (_("Reden"), ("reason",)),
        ),
    )
    for record in AbsenceRecord.objects.filter(student=student, absent_hours__gt=0).order_by("day"):
        days.add(
            day=record.day,
            scheduled_hours=_hours(record.scheduled_hours),
            absent_hours=_hours(record.absent_hours),
            reason=record.get_reason_display(),
        )
    return [reports, days]


def _support(student: Student) -> list[Section]:
    trajectories = Section(
        "support",
        _("Je hulp op school"),
        _("De extra hulp die je op school kreeg of krijgt, met je plan."),
        {
            "opened_on": _("Begonnen op"),
            "step": _("Waar we nu zijn"),
            "how_much": _("Hoeveel hulp"),
            "about": _("Het gaat over"),
            "coordinator": _("Je vaste aanspreekpunt"),
            "closed_on": _("Klaar op"),
            "closed_because": _("Waarom klaar"),
            "your_rating": _("Jouw cijfer voor de hulp"),
            "goals": _("Jouw doelen"),
            "actions": _("Wat we hebben afgesproken"),
            "wishes": _("Jouw wensen"),
            "agreements": _("Afspraken met ouders en netwerk"),
            "review_on": _("We kijken samen terug op"),
            "plan_version": _("Versie van het plan"),
        },
        empty=_("Je hebt geen extra hulp gehad."),
    )
    from schakelpunt.students.own_file import STATE_WORDS

    for trajectory in Trajectory.objects.filter(student=student).select_related("coordinator"):
        plan = SupportPlan.objects.filter(trajectory=trajectory).first()
        goals = (
            [f"{g.get_life_domain_display()}: {g.text}" for g in plan.goals.all()] if plan else []
        )
        actions = (
            [
                _("%(what)s - %(who)s, uiterlijk %(due)s%(done)s")
                % {
                    "what": a.description,
                    "who": a.owner_display,
                    "due": _day(a.due_on),
                    "done": f" ({_('gedaan')})" if a.done_on else "",
                }
                for a in plan.actions.select_related("owner")
            ]
            if plan
            else []
        )
        trajectories.add(
            opened_on=_local(trajectory.opened_at),
            step=str(STATE_WORDS.get(trajectory.state, trajectory.state)),  # type: ignore[call-overload]
            how_much=str(TIER_WORDS.get(trajectory.tier, trajectory.tier)),  # type: ignore[call-overload]
            about=_domains(trajectory.life_domains),
            coordinator=str(trajectory.coordinator) if trajectory.coordinator else "",
            closed_on=_local(trajectory.closed_at),
            closed_because=trajectory.get_close_reason_display(),
            your_rating=trajectory.student_rating,
            goals=goals,
            actions=actions,
            wishes=plan.wishes if plan else "",
            agreements=plan.agreements if plan else "",
            review_on=plan.review_on if plan else None,
            plan_version=plan.version if plan else None,
        )

    versions = Section(
        "plan_versions",
        _("Eerdere versies van je plan"),
        _("Elke keer dat je plan werd opgeslagen, bewaart Schakelpunt die versie."),
        {
            "version": _("Versie"),
            "saved_at": _("Opgeslagen op"),
            "saved_by": _("Door"),
            "goals": _("Doelen"),
            "actions": _("Afspraken"),
            "wishes": _("Wensen"),
            "agreements": _("Afspraken met ouders en netwerk"),
        },
        empty=_("Er zijn geen eerdere versies."),
    )
    for version in (
        PlanVersion.objects.filter(plan__trajectory__student=student)
        .select_related("saved_by")
        .order_by("plan__trajectory__opened_at", "number")
    ):
        content: dict[str, Any] = version.content or {}
        versions.add(
            version=version.number,
            saved_at=_local(version.saved_at),
            saved_by=str(version.saved_by),
            goals=[
                ": ".join(
                    p for p in (*_domains([g.get("life_domain", "")]), g.get("text", "")) if p
                )
                for g in content.get("goals", [])
            ],
            actions=[
                f"{a.get('description', '')} - {a.get('owner', '')}, "
                f"{_('uiterlijk')} {_day(_iso_day(a.get('due_on')))}"
                for a in content.get("actions", [])
            ],
            wishes=str(content.get("wishes", "")),
            agreements=str(content.get("agreements", "")),
        )

    team = Section(
        "team",
        _("Je team"),
        _("Wie er in je ondersteuningsteam zat of zit."),
        {
            "name": _("Naam"),
            "role": _("Rol"),
            "from": _("Vanaf"),
            "until": _("Tot"),
        },
        empty=_("Er is nog niemand aan je gekoppeld."),
    )
    for member in student.support_team.select_related("user").order_by("added_on", "pk"):
        team.add(
            name=str(member.user),
            role=member.role_description,
            **{"from": member.added_on},
            until=member.ended_on,
        )

    contacts = Section(
        "conversations",
        _("Gesprekken en afspraken"),
        _("Gesprekken en afspraken die je begeleiders met jou deelden."),
        {
            "date": _("Datum"),
            "kind": _("Soort"),
            "with": _("Met wie"),
            "note": _("Notitie"),
        },
        empty=_("Er zijn geen gesprekken met je gedeeld."),
    )
    for note in student.contacts.filter(shared_with_student=True).order_by("happened_on", "pk"):
        contacts.add(
            date=note.happened_on,
            kind=note.get_kind_display(),
            **{"with": note.participants},
            note=note.summary,
        )

    own_words = Section(
        "your_words",
        _("Wat jij schreef en vroeg"),
        _("Wat je zelf aan je plan toevoegde, en je vragen om hulp."),
        {
            "at": _("Op"),
            "kind": _("Wat"),
            "text": _("Tekst"),
            "picked_up_by": _("Opgepakt door"),
        },
        empty=_("Je hebt zelf nog niets geschreven."),
    )
    for words in student.contributions.order_by("created_at", "pk"):
        own_words.add(at=_local(words.created_at), kind=_("Jij schreef"), text=words.text)
    for question in student.help_requests.select_related("picked_up_by").order_by(
        "created_at", "pk"
    ):
        own_words.add(
            at=_local(question.created_at),
            kind=_("Je vroeg om hulp"),
            text=question.text,
            picked_up_by=str(question.picked_up_by) if question.picked_up_by else "",
        )

    concerns = Section(
        "concerns",
        _("Zorgen over jou"),
        _(
            "Als iemand op school zich zorgen maakt over jou, of Schakelpunt ziet dat het "
            "misschien minder goed gaat."
        ),
        {
            "at": _("Op"),
            "by": _("Door"),
            "text": _("Wat"),
            "about": _("Het gaat over"),
            "why": _("Waarom Schakelpunt dit zag"),
            "status": _("Status"),
        },
        empty=_("Er staan geen zorgen over jou in Schakelpunt."),
    )
    for concern in student.concerns.select_related("raised_by").order_by("created_at", "pk"):
        if not concern_visible_to_student(concern):
            continue
        concerns.add(
            at=_local(concern.created_at),
            by=str(concern.raised_by) if concern.raised_by else _("Schakelpunt (vroegsignalering)"),
            text=concern.text,
            about=_domains(concern.life_domains),
            why=[
                str(f.get("explanation", "")) for f in concern.factors or [] if isinstance(f, dict)
            ],
            status=concern.get_status_display(),
        )

    meetings = Section(
        "meetings",
        _("Overleggen over jou"),
        _(
            "Overleggen van het zorgteam waar jij op de agenda stond. Het verslag en de "
            "besluiten staan er als het verslag is vastgesteld."
        ),
        {
            "date": _("Datum"),
            "meeting": _("Overleg"),
            "question": _("Vraag voor het overleg"),
            "you_said": _("Wat jij zelf zei"),
            "minutes": _("Verslag over jou"),
            "decisions": _("Besluiten"),
            "general_minutes": _("Verslag (algemeen)"),
        },
        empty=_("Je stond niet op de agenda van een overleg."),
    )
    items = (
        AgendaItem.objects.filter(student=student)
        .select_related("meeting")
        .order_by("meeting__starts_at", "pk")
    )
    for item in items:
        meeting = item.meeting
        approved = meeting.status == MeetingStatus.APPROVED
        # The general part of the minutes, as `may_read_general_minutes` lets the student:
        # only when every student on the agenda is this student.
        only_this_student = not meeting.items.exclude(student=student).exists()
        meetings.add(
            date=_local(meeting.starts_at),
            meeting=meeting.title,
            question=item.question,
            you_said=item.student_view,
            minutes=item.minutes if approved else "",
            decisions=[d.text for d in item.decisions.all()] if approved else [],
            general_minutes=meeting.notes if approved and only_this_student else "",
        )
    return [trajectories, versions, team, contacts, own_words, concerns, meetings]


def _handover(student: Student) -> Section:
    section = Section(
        "handover",
        _("Van je vorige school"),
        _("Wat je vorige school aan het mbo doorgaf, en het intakegesprek."),
        {
            "kind": _("Wat"),
            "from": _("Van"),
            "date": _("Datum"),
            "support_received": _("Hulp op je vorige school"),
            "what_worked": _("Wat werkte"),
            "mentor": _("Mentor"),
            "notes": _("Afspraken"),
        },
        empty=_("Je vorige school heeft niets doorgegeven."),
    )
    for record in HandoverRecord.objects.filter(student=student).order_by("imported_at", "pk"):
        section.add(
            kind=_("Overdracht"),
            **{"from": record.source_school},
            date=_local(record.imported_at),
            support_received=record.support_received,
            what_worked=record.what_worked,
            mentor=record.mentor_name,
        )
    for intake in IntakeConversation.objects.filter(student=student).order_by("held_on", "pk"):
        section.add(
            kind=_("Intakegesprek"),
            **{"from": intake.participants},
            date=intake.held_on,
            notes=intake.notes,
        )
    return section


def _referrals(student: Student) -> list[Section]:
    referrals = Section(
        "referrals",
        _("Hulp buiten school"),
        _("Hulp die de school voor je vroeg bij een organisatie buiten school."),
        {
            "organisation": _("Organisatie"),
            "help": _("Hulp"),
            "question": _("Hulpvraag"),
            "status": _("Hoe staat het"),
            "asked_on": _("Gevraagd op"),
            "accepted_on": _("Geaccepteerd op"),
            "first_contact_on": _("Eerste gesprek op"),
            "help_started_on": _("Hulp begonnen op"),
            "ended_on": _("Klaar op"),
            "outcome": _("Uitkomst"),
            "declined_because": _("Waarom niet"),
            "closing_note": _("Toelichting bij het einde"),
            "shared": _("Wat ze van je mochten zien"),
            "steps": _("Stappen"),
        },
        empty=_("Je krijgt geen hulp van buiten school via Schakelpunt."),
    )
    for referral in student.referrals.select_related("to_organisation").order_by(
        "created_at", "pk"
    ):
        steps = [
            f"{_day(timezone.localtime(e.at).date())}: {referral_words(e.to_status)}"
            + (f" - {e.note}" if e.note else "")
            for e in referral.events.all()
        ]
        referrals.add(
            organisation=str(referral.to_organisation),
            help=referral.service_name,
            question=referral.question,
            status=referral_words(referral.status),
            asked_on=_local(referral.created_at),
            accepted_on=referral.accepted_on,
            first_contact_on=referral.first_contact_on,
            help_started_on=referral.help_started_on,
            ended_on=referral.ended_on,
            outcome=referral.get_outcome_display(),
            declined_because=referral.decline_reason,
            closing_note=referral.closing_note,
            shared=part_words(referral.shared_parts).split(", ") if referral.shared_parts else [],
            steps=steps,
        )

    advice = Section(
        "advice",
        _("Advies van hulpverleners"),
        _("Wat hulpverleners de school adviseerden over hoe ze jou kunnen helpen."),
        {"given_at": _("Op"), "from": _("Van"), "advice": _("Advies")},
        empty=_("Er is geen advies gegeven."),
    )
    # The student reads the advice on every referral of their own (referrals_with_visible_advice).
    for item in (
        Advice.objects.filter(referral__student=student)
        .select_related("referral__to_organisation", "given_by")
        .order_by("given_at", "pk")
    ):
        source = str(item.referral.to_organisation)
        if item.given_by is not None:
            source = f"{item.given_by} ({source})"
        advice.add(given_at=_local(item.given_at), **{"from": source}, advice=item.text)

    consents = Section(
        "consents",
        _("Wie mag je gegevens zien?"),
        _(
            "Organisaties buiten school die je gegevens mochten of mogen zien: met jouw "
            "toestemming, of zonder toestemming omdat het dringend was (nood)."
        ),
        {
            "organisation": _("Organisatie"),
            "may_see": _("Mag zien"),
            "basis": _("Waarom"),
            "emergency_reason": _("Reden (nood)"),
            "given_on": _("Vanaf"),
            "expires_on": _("Tot en met"),
            "parent": _("Ouder die ook toestemming gaf"),
            "withdrawn_at": _("Ingetrokken op"),
        },
        empty=_("Er zijn geen toestemmingen."),
    )
    for consent in student.consents.select_related("organisation").order_by("given_on", "pk"):
        emergency = consent.basis == ConsentBasis.EMERGENCY
        consents.add(
            organisation=str(consent.organisation),
            may_see=part_words(consent.parts).split(", ") if consent.parts else [],
            basis=(
                _("Nood: zonder je toestemming, omdat het dringend was")
                if emergency
                else _("Je gaf toestemming")
            ),
            emergency_reason=consent.emergency_reason if emergency else "",
            given_on=consent.given_on,
            expires_on=consent.expires_on,
            parent=consent.parent_name,
            withdrawn_at=_local(consent.withdrawn_at),
        )
    return [referrals, advice, consents]


def _timeline(student: Student, parts: frozenset[Part]) -> Section:
    section = Section(
        "timeline",
        _("Wat er is gebeurd"),
        _("Alles wat er in je dossier gebeurde, zoals je het ook op je eigen pagina ziet."),
        {"on": _("Op"), "what": _("Wat"), "detail": _("Meer")},
        empty=_("Er is nog niets gebeurd."),
        columns=((_("Op"), ("on",)), (_("Wat"), ("what", "detail"))),
    )
    # A day, as on the student's page: a contact or report has no time of day.
    for event in reversed(own_timeline(student, parts)):
        section.add(on=timezone.localtime(event.at).date(), what=event.title, detail=event.detail)
    return section


def _requests(student: Student) -> Section:
    section = Section(
        "requests",
        _("Je verzoeken over je gegevens"),
        _(
            "Als je vroeg om iets te verbeteren, of bezwaar maakte tegen wat Schakelpunt met "
            "je gegevens doet, en het antwoord."
        ),
        {
            "kind": _("Soort"),
            "about": _("Over"),
            "text": _("Wat je vroeg"),
            "asked_at": _("Gevraagd op"),
            "deadline": _("Antwoord uiterlijk"),
            "status": _("Status"),
            "answer": _("Antwoord"),
            "answered_by": _("Door"),
            "answered_at": _("Beantwoord op"),
        },
        empty=_("Je hebt nog geen verzoek gedaan."),
    )
    for request in (
        CorrectionRequest.objects.filter(student=student)
        .select_related("answered_by")
        .order_by("requested_at", "pk")
    ):
        section.add(
            kind=_("Verbeteren"),
            about=str(Part(request.part).label) if request.part in Part.values else request.part,
            text=request.text,
            asked_at=_local(request.requested_at),
            deadline=request.deadline,
            status=request.get_status_display(),
            answer=request.answer,
            answered_by=str(request.answered_by) if request.answered_by else "",
            answered_at=_local(request.answered_at),
        )
    for objection in (
        Objection.objects.filter(student=student)
        .select_related("decided_by")
        .order_by("requested_at", "pk")
    ):
        section.add(
            kind=_("Bezwaar"),
            about=objection.get_activity_display(),
            text=objection.reason,
            asked_at=_local(objection.requested_at),
            deadline=objection.deadline,
            status=objection.get_status_display(),
            answer=objection.decision,
            answered_by=str(objection.decided_by) if objection.decided_by else "",
            answered_at=_local(objection.decided_at),
        )
    return section


# The most visits the download lists; far more than a student file gets in its lifetime.
VISIT_LIMIT = 5000


def _visits(student: Student) -> Section:
    section = Section(
        "access_log",
        _("Wie heeft je dossier bekeken en waarom"),
        _(
            "Elke keer dat iemand je dossier opende, veranderde of downloadde, schrijft "
            "Schakelpunt op wie, wanneer, wat en waarom. Wat je zelf bekeek staat er niet bij."
        ),
        {
            "at": _("Wanneer"),
            "who": _("Wie"),
            "role": _("Als"),
            "on_behalf_of": _("Namens"),
            "did": _("Deed"),
            "parts": _("Wat"),
            "why": _("Waarom"),
            "emergency": _("Noodtoegang"),
        },
        empty=_("Niemand anders heeft je dossier bekeken."),
        columns=(
            (_("Wanneer"), ("at", "emergency")),
            (_("Wie"), ("who", "role", "on_behalf_of")),
            (_("Deed wat"), ("did", "parts")),
            (_("Waarom"), ("why",)),
        ),
    )
    entries = AccessLogEntry.objects.filter(student_id=student.pk, kind=EntryKind.DETAIL)
    if student.user_id is not None:  # as on the student's own page: their own reads stay out
        entries = entries.exclude(user_id=student.user_id)
    grouped: dict[object, list[AccessLogEntry]] = {}
    order = {part.value: index for index, part in enumerate(Part)}
    # The newest first: with more visits than the download lists, the oldest fall off.
    for entry in entries.order_by("-at", "-sequence")[: VISIT_LIMIT * len(order)]:
        grouped.setdefault(entry.event_id, []).append(entry)
    for rows in list(grouped.values())[:VISIT_LIMIT]:
        rows.sort(key=lambda e: order.get(e.part, 99))
        first = rows[0]
        info = activity_info(first.activity)
        section.add(
            at=_local(first.at),
            who=first.user_display,
            role=describe_roles(first.role),
            on_behalf_of=first.on_behalf_of,
            did=first.get_action_display(),
            parts=[e.get_part_display() for e in rows],
            why=(
                f"{info.activity.label}: {info.plain}"
                if info is not None
                else _("niet vastgelegd (van voor het register)")
            ),
            emergency=first.emergency,
        )
    return section


def subject_access_for(student: Student) -> SubjectAccess:
    """Everything held about `student` that the student may see, in their words."""
    today = timezone.localdate()
    parts = own_data_parts()
    sections: list[Section] = []
    if Part.IDENTITY in parts:
        sections.append(_identity(student))
    if Part.CONTACT in parts:
        sections += [_contact(student), _guardians(student, today)]
    if Part.ENROLMENT in parts:
        sections += [_enrolment(student), _leaving(student)]
    if Part.ABSENCE in parts:
        sections += _absence(student)
    if Part.SUPPORT in parts:
        sections += _support(student)
        sections.append(_handover(student))
    if Part.REFERRALS in parts:
        sections += _referrals(student)
    sections.append(_timeline(student, parts))
    sections.append(_requests(student))
    sections.append(_visits(student))
    return SubjectAccess(
        student_number=student.student_number,
        name=student.full_name,
        institution=student.institution.name,
        made_at=timezone.localtime(),
        intro=_(
            "Dit is alles wat Schakelpunt over jou bewaart. Schakelpunt is het systeem "
            "waarmee je school, je gemeente en hulpverleners samenwerken om je te helpen. "
            "Je hebt het recht om dit te zien (AVG artikel 15)."
        ),
        ask=_(
            "Klopt er iets niet, of heb je een vraag? Vraag het de privacyfunctionaris of de "
            "zorgcoördinator van %(school)s. Je kunt in Schakelpunt ook zelf vragen om iets "
            "te verbeteren of bezwaar maken."
        )
        % {"school": student.institution.name},
        sections=sections,
    )


# --- JSON ---------------------------------------------------------------------------------


def _json_value(value: Value) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def subject_access_json(data: SubjectAccess) -> dict[str, Any]:
    """The download as JSON: stable English keys, Dutch titles and labels, ISO dates."""
    return {
        "schema": SCHEMA,
        "made_at": _json_value(data.made_at),
        "student_number": data.student_number,
        "name": data.name,
        "school": data.institution,
        "intro": data.intro,
        "questions": data.ask,
        "sections": {
            section.key: {
                "title": section.title,
                "about": section.about,
                "labels": section.labels,
                "records": [
                    {key: _json_value(record.get(key)) for key in section.labels}
                    for record in section.records
                ],
            }
            for section in data.sections
        },
    }
