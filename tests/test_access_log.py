import pytest
from django.db import IntegrityError, connection, transaction

from schakelpunt.access.models import AccessLogEntry, AppendOnlyError
from tests.world import client_for


def test_student_sees_who_opened_their_file(world):
    anna = world.students["t1"]
    client_for(world.users["coach"]).get(f"/studenten/{anna.pk}/")
    page = client_for(world.users["student"]).get(f"/studenten/{anna.pk}/inzage/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "coach@example.nl" in body
    assert "Persoonsgegevens" in body


def test_nobody_else_reads_a_students_access_log(world):
    anna = world.students["t1"]
    for who in ("coach", "care_l1", "worker_p1", "municipal", "admin"):
        assert client_for(world.users[who]).get(f"/studenten/{anna.pk}/inzage/").status_code == 404
    other = world.students["t2"]
    assert (
        client_for(world.users["student"]).get(f"/studenten/{other.pk}/inzage/").status_code == 404
    )


def test_privacy_officer_searches_the_log_of_their_institution(world):
    client_for(world.users["coach"]).get(f"/studenten/{world.students['t1'].pk}/")
    privacy = client_for(world.users["privacy"])
    hit = privacy.get("/privacy/toegangslog/", {"user_query": "coach@"})
    assert hit.status_code == 200
    assert "coach@example.nl" in hit.content.decode()
    miss = privacy.get("/privacy/toegangslog/", {"user_query": "care_l1"})
    assert "coach@example.nl" not in miss.content.decode()
    bad = privacy.get(
        "/privacy/toegangslog/", {"date_from": "2025-05-01", "date_until": "2025-04-01"}
    )
    assert "De begindatum ligt na de einddatum." in bad.content.decode()


def test_only_the_privacy_officer_opens_the_log_search(world):
    for who in ("coach", "care_l1", "admin", "governance", "student"):
        assert client_for(world.users[who]).get("/privacy/toegangslog/").status_code == 404


def test_export_is_logged_for_each_student(world):
    response = client_for(world.users["care_l1"]).get("/studenten/export.csv")
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert world.students["t1"].student_number in body
    assert world.students["t2"].student_number in body
    assert world.students["t3"].student_number not in body
    exported = set(
        AccessLogEntry.objects.filter(action="export").values_list("student_id", flat=True)
    )
    assert exported == {world.students["t1"].pk, world.students["t2"].pk}


def test_coach_may_not_export(world):
    assert client_for(world.users["coach"]).get("/studenten/export.csv").status_code == 404


def test_log_refuses_change_and_delete_through_the_orm(world):
    client_for(world.users["coach"]).get(f"/studenten/{world.students['t1'].pk}/")
    entry = AccessLogEntry.objects.first()
    assert entry is not None
    entry.part = "contact"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().update(part="contact")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()


def test_database_refuses_to_change_the_log(world):
    client_for(world.users["coach"]).get(f"/studenten/{world.students['t1'].pk}/")
    before = sorted(AccessLogEntry.objects.values_list("pk", "part"))
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE access_accesslogentry SET part = 'contact'")
    assert sorted(AccessLogEntry.objects.values_list("pk", "part")) == before


def test_students_list_names_roles_in_dutch_and_leaves_out_own_visits(world):
    anna = world.students["t1"]
    client_for(world.users["coach"]).get(f"/studenten/{anna.pk}/")  # her team's coach
    client_for(world.users["coach2"]).get(f"/studenten/{anna.pk}/")  # via her support team
    own = client_for(world.users["student"])
    own.get(f"/studenten/{anna.pk}/")
    body = own.get(f"/studenten/{anna.pk}/inzage/").content.decode()
    assert "<td>Studieloopbaanbegeleider (SLB)</td>" in body
    assert "<td>lid van het ondersteuningsteam</td>" in body
    assert "coach_" not in body and "support_team" not in body
    assert "anna@example.nl" not in body
    privacy_view = client_for(world.users["privacy"]).get(f"/studenten/{anna.pk}/inzage/")
    # The officer sees her own visits too, named without her name (issue 19).
    assert "<td>De student zelf</td>" in privacy_view.content.decode()
    assert "anna@example.nl" not in privacy_view.content.decode()


def test_student_is_addressed_as_je_in_their_own_file(world):
    anna = world.students["t1"]
    client = client_for(world.users["student"])
    home = client.get("/").content.decode()
    assert "Hoi Anna" in home
    assert "U werkt als" not in home
    own = client.get(f"/studenten/{anna.pk}/").content.decode()
    assert "Hier staat wat je school over jou heeft opgeschreven." in own
    log = client.get(f"/studenten/{anna.pk}/inzage/").content.decode()
    assert "Wie heeft jouw dossier bekeken?" in log
    assert "Nog niemand anders heeft je dossier bekeken." in log
