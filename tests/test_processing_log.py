"""The processing log (issue 19): why a file was read, on which ground, on whose behalf,
whether it was emergency access; refused attempts; the privacy officer's search; the
student's own "who looked"."""

import inspect
import re
import uuid
from datetime import timedelta
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from schakelpunt.access.models import AccessDecision, AccessLogEntry
from schakelpunt.access.parts import Action, Part
from schakelpunt.access.services import access_log_list, access_log_record
from schakelpunt.accounts.api_clients import api_client_create
from schakelpunt.accounts.models import User
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.tests.factories import MembershipFactory, UserFactory
from schakelpunt.privacy.register import ACTIVITIES, Activity, LegalBasis
from schakelpunt.referrals.models import Consent, ConsentBasis, Referral, ReferralStatus
from schakelpunt.students.models import Guardian, Student
from tests.world import World, client_for


def _rows(user: User, student: Student) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(user=user, student_id=student.pk))


def _visible_text(html: str) -> str:
    """What a reader sees: no tags, attributes, scripts or hidden inputs."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _absent_student_id() -> int:
    return (Student.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 10_000


def _emergency_share(world: World, student_key: str = "t1") -> Consent:
    """Zorg Twee got an accepted referral of the student and an emergency share, no consent."""
    student = world.students[student_key]
    zorg_twee = world.users["worker_p2"].memberships.get().organisation
    Referral.objects.create(
        student=student, to_organisation=zorg_twee, status=ReferralStatus.ACCEPTED
    )
    return Consent.objects.create(
        student=student,
        organisation=zorg_twee,
        parts=[Part.CONTACT, Part.SUPPORT],
        basis=ConsentBasis.EMERGENCY,
        emergency_reason="Acuut gevaar thuis",
        expires_on=timezone.localdate() + timedelta(days=14),
    )


# --- 1. every call names its processing activity -----------------------------------------


def test_a_log_call_without_an_activity_is_refused():
    for function in (access_log_record, access_log_list):
        activity = inspect.signature(function).parameters["activity"]
        assert activity.kind is inspect.Parameter.KEYWORD_ONLY
        assert activity.default is inspect.Parameter.empty, function.__name__


@pytest.mark.parametrize(
    ("who", "student", "activity", "behalf"),
    [
        ("coach", "t1", Activity.SUPPORT, "ROC Een"),
        ("student", "t1", Activity.OWN_FILE, "ROC Een"),
        ("worker_p1", "t3", Activity.CARE, "Zorg Een"),
        ("rmc", "early", Activity.RMC, "RMC Twente"),
        ("absence", "t2", Activity.ABSENCE, "ROC Een"),
    ],
)
def test_a_file_read_names_why_on_which_ground_and_for_whom(world, who, student, activity, behalf):
    user, pupil = world.users[who], world.students[student]
    assert client_for(user).get(f"/studenten/{pupil.pk}/").status_code == 200
    rows = _rows(user, pupil)
    assert rows
    assert {(r.activity, r.legal_basis, r.on_behalf_of, r.emergency) for r in rows} == {
        (activity, ACTIVITIES[activity].legal_basis, behalf, False)
    }


def test_the_page_not_only_the_role_decides_the_activity(world):
    # The care coordinator reads a referral for the referral, not for general support.
    care, bram = world.users["care_l1"], world.students["t2"]
    assert client_for(care).get(f"/verwijzingen/{bram.referrals.get().pk}/").status_code == 200
    assert {(r.activity, r.legal_basis) for r in _rows(care, bram)} == {
        (Activity.REFERRAL, ACTIVITIES[Activity.REFERRAL].legal_basis)
    }
    client_for(world.users["absence"]).get("/verzuim/")
    assert set(
        AccessLogEntry.objects.filter(user=world.users["absence"]).values_list(
            "activity", flat=True
        )
    ) == {Activity.ABSENCE}
    client_for(world.users["rmc"]).get("/verzuim/rmc-lijst/")
    rmc = AccessLogEntry.objects.filter(user=world.users["rmc"], path__startswith="/verzuim/rmc")
    assert rmc.exists()
    assert set(rmc.values_list("activity", flat=True)) == {Activity.RMC}
    parent = _parent_of(world, "t1")
    assert client_for(parent).get(f"/ouder/kind/{world.students['t1'].pk}/").status_code == 200
    assert set(AccessLogEntry.objects.filter(user=parent).values_list("activity", flat=True)) == {
        Activity.PARENT
    }


def _parent_of(world: World, student_key: str) -> User:
    student = world.students[student_key]
    parent = UserFactory(email=f"ouder-{uuid.uuid4().hex[:8]}@example.nl", first_name="Ouder")
    MembershipFactory(user=parent, organisation=student.institution, role=Role.PARENT)
    Guardian.objects.create(student=student, name="Ouder Een", user=parent, shared_parts=["plan"])
    return parent


# --- 2. emergency access -------------------------------------------------------------------


def test_a_provider_reading_on_an_emergency_share_is_logged_as_emergency(world):
    _emergency_share(world)
    worker, anna = world.users["worker_p2"], world.students["t1"]
    assert client_for(worker).get(f"/studenten/{anna.pk}/").status_code == 200
    rows = _rows(worker, anna)
    assert rows
    assert {(r.activity, r.legal_basis, r.emergency) for r in rows} == {
        (Activity.CARE, LegalBasis.VITAL_INTEREST, True)
    }
    assert {r.on_behalf_of for r in rows} == {"Zorg Twee"}
    # Reading on consent is no emergency access.
    worker, chris = world.users["worker_p1"], world.students["t3"]
    assert client_for(worker).get(f"/studenten/{chris.pk}/").status_code == 200
    rows = _rows(worker, chris)
    assert rows
    assert {(r.legal_basis, r.emergency) for r in rows} == {(LegalBasis.CONSENT, False)}


def test_a_part_shared_only_in_an_emergency_next_to_consent_is_emergency_access(world):
    from schakelpunt.access.policy import student_access

    chris = world.students["t3"]  # Zorg Een has consent for contact and support
    Consent.objects.create(
        student=chris,
        organisation=chris.referrals.get().to_organisation,
        parts=[Part.ABSENCE],
        basis=ConsentBasis.EMERGENCY,
        emergency_reason="Niet meer op school gezien",
        expires_on=timezone.localdate() + timedelta(days=14),
    )
    access = student_access(world.users["worker_p1"], chris)
    assert not access.rests_on_emergency([Part.IDENTITY, Part.CONTACT, Part.SUPPORT])
    assert access.rests_on_emergency([Part.ABSENCE])


# --- 3. on whose behalf: people and connected systems --------------------------------------


def test_a_connected_system_is_named_with_its_organisation(world):
    zorg_een = world.users["worker_p1"].memberships.get().organisation
    issued = api_client_create(
        actor=None,
        organisation=zorg_een,
        name="Cliëntregistratie",
        scopes=["referrals:read"],
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    system = Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}")
    referral = world.students["t3"].referrals.get()
    assert system.get(f"/api/v1/referrals/{referral.pk}").status_code == 200
    rows = list(AccessLogEntry.objects.filter(user=issued.client.user))
    assert rows
    assert {r.user_display for r in rows} == {"Koppeling Cliëntregistratie (Zorg Een)"}
    assert {r.on_behalf_of for r in rows} == {"Zorg Een"}
    assert {r.activity for r in rows} == {Activity.CARE}
    # A person: their name and address, and the organisation of the role they acted in.
    worker, chris = world.users["worker_p1"], world.students["t3"]
    client_for(worker).get(f"/verwijzingen/{chris.referrals.get().pk}/")
    rows = _rows(worker, chris)
    assert rows
    assert {r.on_behalf_of for r in rows} == {"Zorg Een"}
    assert {r.user_display for r in rows} == {f"{worker.get_full_name()} <worker_p1@example.nl>"}
    # A change logged under a role that is no membership (the school's referral) still says
    # for whom it was made.
    care = world.users["care_l1"]
    access_log_record(
        actor=care,
        activity=Activity.REFERRAL,
        students=[world.students["t2"]],
        action=Action.CHANGE,
        parts=[Part.REFERRALS],
        role="referral",
    )
    assert {r.on_behalf_of for r in _rows(care, world.students["t2"])} == {"ROC Een"}


# --- 4. refused attempts --------------------------------------------------------------------


def _not_found_page(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 404
    return response.content.decode()


@pytest.mark.parametrize(
    ("who", "student", "url", "part"),
    [
        ("coach", "t3", "/studenten/{id}/", Part.IDENTITY),
        ("coach", "t3", "/studenten/{id}/inzage/", Part.IDENTITY),
        ("parent", "t3", "/ouder/kind/{id}/", Part.SUPPORT),
        ("worker_p2", "t3", "/verwijzingen/{referral}/", Part.REFERRALS),
    ],
)
def test_a_refused_attempt_on_an_existing_student_is_kept(world, who, student, url, part):
    user = _parent_of(world, "t1") if who == "parent" else world.users[who]
    pupil = world.students[student]
    referral = pupil.referrals.first()
    address = url.format(id=pupil.pk, referral=referral.pk if referral else 0)
    refused = _not_found_page(client_for(user).get(address))
    rows = list(AccessDecision.objects.filter(user=user))
    assert len(rows) == 1
    row = rows[0]
    assert row.student_id == pupil.pk
    assert row.path == address
    assert row.part == part
    assert row.user_display == f"{user.get_full_name()} <{user.email}>"
    assert row.role == {"parent": "parent", "worker_p2": "external_care_worker"}.get(who, who)
    assert row.on_behalf_of == ("Zorg Twee" if who == "worker_p2" else "ROC Een")
    # An absent id: the same page (but for the address), and no row.
    absent = _absent_student_id()
    missing = _not_found_page(client_for(user).get(url.format(id=absent, referral=absent)))
    assert AccessDecision.objects.filter(user=user).count() == 1
    assert _without_numbers(missing) == _without_numbers(refused)


def _without_numbers(page: str) -> str:
    return re.sub(r"\d+", "#", " ".join(_visible_text(page).split()))


def test_a_connected_system_probing_a_referral_is_kept(world):
    zorg_twee = world.users["worker_p2"].memberships.get().organisation
    issued = api_client_create(
        actor=None,
        organisation=zorg_twee,
        name="Dossier",
        scopes=["referrals:read"],
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    system = Client(HTTP_AUTHORIZATION=f"Bearer {issued.token}")
    referral = world.students["t3"].referrals.get()
    assert system.get(f"/api/v1/referrals/{referral.pk}").status_code == 404
    assert system.get(f"/api/v1/referrals/{_absent_student_id()}").status_code == 404
    rows = list(AccessDecision.objects.filter(user=issued.client.user))
    assert [(r.student_id, r.user_display, r.on_behalf_of) for r in rows] == [
        (world.students["t3"].pk, "Koppeling Dossier (Zorg Twee)", "Zorg Twee")
    ]


def test_the_privacy_officer_sees_probing_of_their_own_students_only(world):
    coach = world.users["coach"]
    client_for(coach).get(f"/studenten/{world.students['t3'].pk}/")  # own school, other team
    client_for(coach).get(f"/studenten/{world.students['other'].pk}/")  # another school
    officer = client_for(world.users["privacy"])
    page = officer.get("/privacy/toegangslog/geweigerd/")
    assert page.status_code == 200
    text = _visible_text(page.content.decode())
    chris, eva = world.students["t3"], world.students["other"]
    assert chris.student_number in text
    assert eva.student_number not in text
    assert f"{world.users['coach'].get_full_name()} <coach@example.nl>" in text
    assert "Studieloopbaanbegeleider" in text
    by_number = _visible_text(
        officer.get(
            "/privacy/toegangslog/geweigerd/",
            {"student_number": world.students["t1"].student_number},
        ).content.decode()
    )
    assert chris.student_number not in by_number
    by_other_user = _visible_text(
        officer.get("/privacy/toegangslog/geweigerd/", {"user_query": "care_l1"}).content.decode()
    )
    assert chris.student_number not in by_other_user
    by_org = _visible_text(
        officer.get("/privacy/toegangslog/geweigerd/", {"organisation": "Zorg"}).content.decode()
    )
    assert chris.student_number not in by_org
    # Naming the student on this page is itself a read, for oversight.
    shown = AccessLogEntry.objects.filter(user=world.users["privacy"], student_id=chris.pk)
    assert {(r.activity, r.kind) for r in shown} == {(Activity.OVERSIGHT, "list")}
    for who in ("coach", "care_l1", "admin", "student"):
        assert (
            client_for(world.users[who]).get("/privacy/toegangslog/geweigerd/").status_code == 404
        )


# --- 5. the privacy officer's search ----------------------------------------------------------


def test_the_officer_searches_by_student_number_and_reads_words_not_codes(world):
    anna, bram = world.students["t1"], world.students["t2"]
    _emergency_share(world)
    client_for(world.users["care_l1"]).get(f"/studenten/{anna.pk}/")
    client_for(world.users["worker_p2"]).get(f"/studenten/{anna.pk}/")
    client_for(world.users["care_l1"]).get(f"/studenten/{bram.pk}/")
    officer = client_for(world.users["privacy"])
    page = officer.get("/privacy/toegangslog/", {"student_number": anna.student_number})
    assert page.status_code == 200
    html = page.content.decode()
    text = _visible_text(html)
    assert anna.sort_name in text and anna.student_number in text
    assert bram.student_number not in text
    for words in (
        "Zorgcoördinator",
        "Ondersteuning bieden",
        "Wettelijke plicht",
        "Hulp na verwijzing",
        "Vitaal belang (nood)",
        "noodtoegang",
        "Zorg Twee",
        "ROC Een",
    ):
        assert words in text, words
    for code in ("care_coordinator", "external_care_worker", "legal_duty", "vital_interest"):
        assert code not in text, code
    for entry in AccessLogEntry.objects.filter(student_id=anna.pk):
        assert str(entry.event_id) not in text
    assert f"/studenten/{anna.pk}/" not in text  # no address with the internal id
    assert f">{anna.pk}<" not in html.replace(" ", "")
    # The officer's own read of these names is logged, as oversight.
    shown = AccessLogEntry.objects.filter(user=world.users["privacy"], student_id=anna.pk)
    assert {(r.activity, r.kind) for r in shown} == {(Activity.OVERSIGHT, "list")}


def test_the_officer_searches_by_organisation_activity_and_user(world):
    anna, chris = world.students["t1"], world.students["t3"]
    client_for(world.users["coach"]).get(f"/studenten/{anna.pk}/")
    client_for(world.users["worker_p1"]).get(f"/studenten/{chris.pk}/")
    officer = client_for(world.users["privacy"])

    def shown(**query: str) -> str:
        return _visible_text(officer.get("/privacy/toegangslog/", query).content.decode())

    assert chris.student_number in shown(organisation="Zorg Een")
    assert anna.student_number not in shown(organisation="Zorg Een")
    assert chris.student_number in shown(activity=Activity.CARE)
    assert anna.student_number not in shown(activity=Activity.CARE)
    assert anna.student_number in shown(user_query="Coach")
    assert chris.student_number not in shown(user_query="Coach")
    # Another school's student number finds nothing.
    assert world.students["other"].student_number not in shown(
        student_number=world.students["other"].student_number
    )
    bad = officer.get("/privacy/toegangslog/", {"activity": "geen-verwerking"})
    assert bad.status_code == 200
    assert "Selecteer een geldige keuze" in bad.content.decode()
    # "hele lijst" still shows every student of one list page, without the event's id as text.
    client_for(world.users["care_l1"]).get("/studenten/caseload/")
    listed = AccessLogEntry.objects.filter(user=world.users["care_l1"], kind="list")
    assert listed.exists()
    event = listed.first().event_id
    officer = client_for(world.users["privacy"])
    html = officer.get("/privacy/toegangslog/").content.decode()
    assert f"?event_id={event}" in html
    assert str(event) not in _visible_text(html)
    one = officer.get("/privacy/toegangslog/", {"event_id": str(event)})
    assert "U ziet één gebeurtenis" in one.content.decode()


# --- 6 and 7. the student's own "who looked" ---------------------------------------------


def test_the_student_reads_why_each_visit_was_made(world):
    anna = world.students["t1"]
    _emergency_share(world)
    client_for(world.users["coach"]).get(f"/studenten/{anna.pk}/")
    client_for(world.users["worker_p2"]).get(f"/studenten/{anna.pk}/")
    # A visit from before the register: no activity, so no purpose either.
    from schakelpunt.access.services import _append

    _append(
        [
            AccessLogEntry(
                user=world.users["care_l1"],
                user_display="Care_l1 <care_l1@example.nl>",
                role="care_coordinator",
                student_id=anna.pk,
                action="view",
                part=Part.SUPPORT,
                activity="",
                legal_basis="",
                on_behalf_of="",
                emergency=False,
            )
        ]
    )
    html = client_for(world.users["student"]).get(f"/studenten/{anna.pk}/inzage/").content.decode()
    visits = {
        who: _visible_text(row)
        for row in re.findall(r"(?s)<tr>.*?</tr>", html)
        for who in ("coach@", "worker_p2@", "care_l1@")
        if who in row
    }
    assert "om je te begeleiden op school" in visits["coach@"]
    assert "noodgeval" in visits["worker_p2@"]
    assert "noodgeval" not in visits["coach@"]
    assert "om je" not in visits["care_l1@"]
    for code in ("support", "care", "own_file", "legal_duty"):
        assert not re.search(rf"\b{code}\b", visits["care_l1@"] + visits["coach@"]), code


def test_a_student_reading_their_own_file_leaves_no_name_in_the_log(world):
    anna = world.students["t1"]
    assert client_for(world.users["student"]).get(f"/studenten/{anna.pk}/").status_code == 200
    rows = _rows(world.users["student"], anna)
    assert rows
    assert {r.user_display for r in rows} == {"De student zelf"}
    for row in rows:
        assert "Anna" not in row.user_display and "anna@" not in row.user_display
    # A member of staff is still named.
    client_for(world.users["coach"]).get(f"/studenten/{anna.pk}/")
    coach = world.users["coach"]
    assert {r.user_display for r in _rows(coach, anna)} == {
        f"{coach.get_full_name()} <coach@example.nl>"
    }
