"""The support team through the screen: internal and external members, added and removed."""

from schakelpunt.notifications.models import Notification
from schakelpunt.support.models import SupportTeamMember
from tests.world import client_for


def test_care_team_adds_the_referred_care_worker_and_removes_them_again(world):
    chris = world.students["t3"]  # accepted referral to provider 1
    advisor = client_for(world.users["advisor_l2"])
    page = advisor.get(f"/studenten/{chris.pk}/").content.decode()
    assert str(world.users["worker_p1"]) in page  # offered as a team member
    assert str(world.users["worker_p2"]) not in page  # no referral: not offered
    advisor.post(
        f"/studenten/{chris.pk}/team/",
        {"member": world.users["worker_p1"].pk, "role_description": "Jeugdhulp"},
    )
    member = SupportTeamMember.objects.get(student=chris)
    assert (member.user, member.role_description) == (world.users["worker_p1"], "Jeugdhulp")
    assert Notification.objects.filter(recipient=world.users["worker_p1"]).exists()
    advisor.post(f"/studenten/{chris.pk}/team/{member.pk}/uit/")
    member.refresh_from_db()
    assert member.ended_on is not None


def test_someone_who_is_not_a_candidate_cannot_be_added(world):
    chris = world.students["t3"]
    response = client_for(world.users["advisor_l2"]).post(
        f"/studenten/{chris.pk}/team/",
        {"member": world.users["worker_p2"].pk, "role_description": "x"},
        follow=True,
    )
    assert "Wie:" in response.content.decode()  # the form's error for the choice
    assert not SupportTeamMember.objects.filter(student=chris).exists()


def test_external_worker_in_the_team_still_sees_only_consented_parts(world):
    chris = world.students["t3"]
    client_for(world.users["advisor_l2"]).post(
        f"/studenten/{chris.pk}/team/",
        {"member": world.users["worker_p1"].pk, "role_description": "Jeugdhulp"},
    )
    page = client_for(world.users["worker_p1"]).get(f"/studenten/{chris.pk}/").content.decode()
    assert "Inschrijving en vooropleiding" not in page  # not consented
    assert "Ondersteuningsteam" in page
