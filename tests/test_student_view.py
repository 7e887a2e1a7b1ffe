"""The student's own view: plan in plain words, team, appointments, own words, asking for help."""

from datetime import timedelta

from django.utils import timezone

from schakelpunt.notifications.models import Notification
from schakelpunt.support.models import HelpRequest, StudentContribution
from schakelpunt.support.services import trajectory_open, trajectory_set_coordinator
from tests.world import client_for


def test_student_sees_team_with_how_to_reach_them(world):
    anna = world.students["t1"]
    t = trajectory_open(actor=world.users["care_l1"], student=anna)
    trajectory_set_coordinator(
        actor=world.users["care_l1"],
        trajectory_id=t.pk,
        coordinator=world.users["care_l1"],
        expected_version=t.version,
    )
    page = client_for(world.users["student"]).get(f"/studenten/{anna.pk}/").content.decode()
    assert "Jouw team" in page
    assert "Je regisseur: je vaste aanspreekpunt" in page
    assert 'href="mailto:care_l1@example.nl"' in page
    assert "Je studieloopbaanbegeleider" in page  # the team's coach
    assert "Fase wijzigen" not in page


def test_student_adds_own_words_and_the_team_hears(world):
    anna = world.students["t1"]
    student = client_for(world.users["student"])
    student.post(
        f"/studenten/{anna.pk}/plan/inbreng/", {"text": "Ik wil graag stage bij een kinderopvang."}
    )
    assert StudentContribution.objects.get().text == "Ik wil graag stage bij een kinderopvang."
    told = set(Notification.objects.values_list("recipient__email", flat=True))
    assert told == {"coach@example.nl", "coach2@example.nl"}  # her coach and support team
    staff_page = client_for(world.users["coach"]).get(f"/studenten/{anna.pk}/").content.decode()
    assert "Ik wil graag stage bij een kinderopvang." in staff_page


def test_nobody_else_writes_in_the_students_name(world):
    anna = world.students["t1"]
    for who in ("coach", "care_l1", "privacy"):
        response = client_for(world.users[who]).post(
            f"/studenten/{anna.pk}/plan/inbreng/", {"text": "x"}
        )
        assert response.status_code == 404
    assert not StudentContribution.objects.exists()


def test_help_request_reaches_the_care_team_and_is_picked_up_once(world):
    anna = world.students["t1"]
    client_for(world.users["student"]).post(
        f"/studenten/{anna.pk}/hulpvraag/", {"text": "Ik slaap slecht en mis daardoor lessen."}
    )
    request = HelpRequest.objects.get()
    told = set(
        Notification.objects.filter(message__contains="vraagt om hulp").values_list(
            "recipient__email", flat=True
        )
    )
    # The care team of her location (and the one for all locations), her coach and team.
    assert {"care_l1@example.nl", "schakel@example.nl", "coach@example.nl"} <= told
    assert "advisor_l2@example.nl" not in told  # another location's care team
    care = client_for(world.users["care_l1"])
    assert "Ik slaap slecht" in care.get(f"/studenten/{anna.pk}/").content.decode()
    care.post(f"/studenten/{anna.pk}/hulpvraag/{request.pk}/oppakken/")
    again = client_for(world.users["schakel"]).post(
        f"/studenten/{anna.pk}/hulpvraag/{request.pk}/oppakken/", follow=True
    )
    assert "heeft deze hulpvraag al opgepakt" in again.content.decode()
    request.refresh_from_db()
    assert request.picked_up_by == world.users["care_l1"]
    to_student = Notification.objects.filter(recipient=world.users["student"]).get()
    assert "heeft je hulpvraag opgepakt" in to_student.message
    own = client_for(world.users["student"]).get(f"/studenten/{anna.pk}/").content.decode()
    assert "neemt contact met je op" in own


def test_appointments_show_for_the_student_unless_not_shared(world):
    anna = world.students["t1"]
    care = client_for(world.users["care_l1"])
    soon = (timezone.localdate() + timedelta(days=3)).isoformat()
    care.post(
        f"/studenten/{anna.pk}/contact/",
        {
            "kind": "conversation",
            "happened_on": soon,
            "participants": "mentor",
            "shared_with_student": "on",
        },
    )
    care.post(
        f"/studenten/{anna.pk}/contact/",
        {
            "kind": "meeting",
            "happened_on": soon,
            "participants": "zorgteamoverleg",
        },
    )
    own = client_for(world.users["student"]).get(f"/studenten/{anna.pk}/").content.decode()
    assert "gesprek met mentor" in own
    assert "zorgteamoverleg" not in own
    staff = care.get(f"/studenten/{anna.pk}/").content.decode()
    assert "zorgteamoverleg" in staff


def test_the_file_summary_shows_only_what_the_role_may_see(world):
    """The summary on top of the file (issue 16, item 4) follows the same grants as the
    sections: the attendance coordinator sees absence, not support or concerns."""
    from schakelpunt.signals.triage import concern_raise

    anna = world.students["t1"]
    care = world.users["care_l1"]
    trajectory_open(actor=care, student=anna)
    concern_raise(actor=world.users["coach"], student=anna, text="Anna slaapt slecht.")
    staff = client_for(care).get(f"/studenten/{anna.pk}/").content.decode()
    summary = staff.split('id="samenvatting"', 1)[1].split("</section>", 1)[0]
    assert "Regisseur" in summary and "nog niet gekozen" in summary
    assert "1 open zorgmelding" in summary
    assert "1 verzuimmelding" in summary
    assert 'href="#zorg"' in staff and 'href="#contact-vastleggen"' in staff

    absence = client_for(world.users["absence"]).get(f"/studenten/{anna.pk}/").content.decode()
    summary = absence.split('id="samenvatting"', 1)[1].split("</section>", 1)[0]
    assert "1 verzuimmelding" in summary
    assert "Regisseur" not in summary
    assert "zorgmelding" not in summary
    assert 'href="#contact-vastleggen"' not in absence  # no support part: no contact form


def test_an_action_is_added_to_the_plan_from_the_file(world):
    from schakelpunt.support.models import PlanAction, SupportPlan

    anna = world.students["t1"]
    care = world.users["care_l1"]
    trajectory_open(actor=care, student=anna)
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    url = f"/studenten/{anna.pk}/plan/actie/"
    data = {"description": "Gesprek met de huisarts", "owner": care.pk, "due_on": due}

    # Someone who may not change the support part: not found, nothing changes.
    assert client_for(world.users["absence"]).post(url, data).status_code == 404
    # An owner who does not work with the student: a clear message, nothing changes.
    stranger = {**data, "owner": world.users["worker_p1"].pk}
    response = client_for(care).post(url, stranger, follow=True)
    assert "Wie (medewerker): Selecteer een geldige keuze" in response.content.decode()
    assert not PlanAction.objects.exists()

    response = client_for(care).post(url, data, follow=True)
    assert "De actie staat in het plan." in response.content.decode()
    action = PlanAction.objects.get()
    assert (action.description, action.owner) == ("Gesprek met de huisarts", care)
    assert SupportPlan.objects.get().version == 1  # a new version of the plan
    assert "Gesprek met de huisarts" in response.content.decode()
