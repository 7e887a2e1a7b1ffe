"""Triage as a work list (issue 16): filter by urgency, source, life domain, location and
age, search by name or number; the life domains on the card; a trajectory started from a
concern closes the concern, linked; the first message fits the kind of signal."""

from datetime import timedelta

from django.utils import timezone

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.signals.models import Concern, ConcernSource, ConcernStatus, Urgency
from schakelpunt.support.models import Trajectory
from tests.world import World, client_for


def concern(world: World, key: str, text: str, **extra) -> Concern:  # type: ignore[no-untyped-def]
    return Concern.objects.create(
        student=world.students[key], raised_by=world.users["coach"], text=text, **extra
    )


def triage(world: World, who: str = "care_l1", **params: object) -> str:
    response = client_for(world.users[who]).get("/triage/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_filter_by_urgency(world):
    concern(world, "t1", "Anna slaapt slecht.", urgency=Urgency.URGENT)
    concern(world, "t2", "Bram is stil.")
    page = triage(world, urgentie="urgent")
    assert "Anna slaapt slecht." in page and "Bram is stil." not in page
    page = triage(world, urgentie="normal")
    assert "Anna slaapt slecht." not in page and "Bram is stil." in page


def test_filter_by_source(world):
    concern(world, "t1", "Anna meldt zelf dat het zwaar is.", source=ConcernSource.STUDENT)
    concern(world, "t2", "Bram is stil.")
    page = triage(world, bron="student")
    assert "Anna meldt zelf" in page and "Bram is stil." not in page


def test_filter_by_life_domain(world):
    concern(world, "t1", "Ruzie thuis.", life_domains=["home", "mental_health"])
    concern(world, "t2", "Schulden.", life_domains=["finances"])
    page = triage(world, leefgebied="home")
    assert "Ruzie thuis." in page and "Schulden." not in page
    page = triage(world, leefgebied="finances")
    assert "Ruzie thuis." not in page and "Schulden." in page


def test_filter_by_location(world):
    concern(world, "t1", "Anna op L1.")
    concern(world, "t3", "Chris op L2.")
    l2 = world.students["t3"].location
    page = triage(world, "schakel", locatie=l2.pk)
    assert "Chris op L2." in page and "Anna op L1." not in page


def test_filter_by_residence_municipality(world):
    concern(world, "t1", "Anna in Enschede.")
    concern(world, "t2", "Bram in Hengelo.")
    page = triage(world, gemeente=world.students["t2"].residence_municipality_id)
    assert "Bram in Hengelo." in page and "Anna in Enschede." not in page


def test_filter_by_how_long_it_waits(world):
    concern(world, "t1", "Oude zorg.", created_at=timezone.now() - timedelta(days=10))
    concern(world, "t2", "Nieuwe zorg.")
    page = triage(world, open_sinds="week")
    assert "Oude zorg." in page and "Nieuwe zorg." not in page
    page = triage(world, open_sinds="vandaag")
    assert "Oude zorg." not in page and "Nieuwe zorg." in page


def test_search_by_name_and_by_student_number(world):
    concern(world, "t1", "Over Anna.")
    concern(world, "t2", "Over Bram.")
    page = triage(world, q="bram")
    assert "Over Bram." in page and "Over Anna." not in page
    page = triage(world, q=world.students["t1"].student_number)
    assert "Over Anna." in page and "Over Bram." not in page


def test_the_card_names_the_life_domains(world):
    concern(world, "t1", "Ruzie thuis.", life_domains=["home", "mental_health"])
    page = triage(world)
    assert "Leefgebieden:" in page and "Psychische gezondheid, Thuissituatie" in page


def test_a_filter_never_shows_what_the_policy_hides(world):
    concern(world, "t1", "Anna op L1.")
    l1 = world.students["t1"].location
    # The advisor of L2 may not handle Anna; choosing her location shows an error, not Anna.
    page = triage(world, "advisor_l2", locatie=l1.pk)
    assert "Anna op L1." not in page
    assert "Selecteer een geldige keuze" in page


def test_a_filtered_list_logs_only_the_students_shown(world):
    concern(world, "t1", "Over Anna.")
    concern(world, "t2", "Over Bram.")
    triage(world, q="bram")
    logged = set(
        AccessLogEntry.objects.filter(user=world.users["care_l1"], kind="list").values_list(
            "student_id", flat=True
        )
    )
    assert logged == {world.students["t2"].pk}


def test_pages_keep_the_filter_and_clear_filters_is_offered(world):
    for n in range(30):
        concern(world, "t1", f"Zorg {n}.", urgency=Urgency.URGENT)
    concern(world, "t2", "Bram is stil.")
    page = triage(world, urgentie="urgent")
    assert "?q=&amp;urgentie=urgent" in page or "urgentie=urgent&amp;" in page
    assert "pagina=2" in page and 'href="/triage/">Wis filters' in page
    second = triage(world, urgentie="urgent", pagina=2)
    assert "Bram is stil." not in second and "Zorg" in second


def test_starting_a_trajectory_closes_the_concern_linked_to_it(world):
    first = concern(world, "t1", "Ruzie thuis.", life_domains=["home"])
    care = client_for(world.users["care_l1"])
    response = care.post(f"/triage/{first.pk}/traject/")
    anna = world.students["t1"]
    assert response.status_code == 302 and response.url == f"/studenten/{anna.pk}/#traject"
    trajectory = Trajectory.objects.get(student=anna)
    first.refresh_from_db()
    assert first.status == ConcernStatus.CLOSED and first.trajectory == trajectory
    assert trajectory.life_domains == ["home"]
    assert "Traject gestart op" in first.closed_reason
    assert "Ruzie thuis." not in triage(world)
    # The file's timeline says where the concern went.
    file = care.get(f"/studenten/{anna.pk}/").content.decode()
    assert "Afgesloten: Traject gestart op" in file

    # A second concern joins the trajectory already running, as its button says.
    second = concern(world, "t1", "Nog een zorg.")
    assert "Bij het lopende traject onderbrengen" in triage(world)
    care.post(f"/triage/{second.pk}/traject/")
    second.refresh_from_db()
    assert second.status == ConcernStatus.CLOSED and second.trajectory == trajectory
    assert Trajectory.objects.filter(student=anna).count() == 1
    assert "lopende traject" in second.closed_reason


def test_starting_a_trajectory_needs_the_right_to_change_support(world):
    signal = concern(
        world,
        "t1",
        "Drie dagen afwezig.",
        source=ConcernSource.EARLY_WARNING,
        about_absence=True,
    )
    # The attendance coordinator handles absence signals but starts no trajectory.
    response = client_for(world.users["absence"]).post(f"/triage/{signal.pk}/traject/")
    assert response.status_code == 404
    signal.refresh_from_db()
    assert signal.status == ConcernStatus.NEW and not Trajectory.objects.exists()


def message_for(world: World, text: str) -> str:
    page = triage(world)
    start = page.index(text)
    message = page[page.index("<textarea", start) :]
    return message[message.index(">") + 1 : message.index("</textarea>")]


def test_the_message_to_the_student_fits_the_signal(world):
    concern(
        world,
        "t1",
        "Vroegsignalering",
        source=ConcernSource.EARLY_WARNING,
        about_absence=True,
        factors=[{"code": "consecutive_days", "explanation": "Drie dagen afwezig."}],
    )
    concern(world, "t2", "Bram vertelt over ruzie thuis.", life_domains=["home"])
    absence = message_for(world, "Drie dagen afwezig.")
    assert "we hebben je gemist" in absence
    home = message_for(world, "Bram vertelt over ruzie thuis.")
    assert "gemist" not in home and "thuis" not in home and "Hoi Bram" in home
    assert "rustig met je praten" in home


def test_a_worry_about_study_asks_about_study(world):
    concern(world, "t2", "Bram loopt achter met stage.", life_domains=["work"])
    message = message_for(world, "Bram loopt achter met stage.")
    assert "opleiding en je stage" in message and "gemist" not in message


def students_own_timeline(world: World) -> str:
    from schakelpunt.access.parts import ALL_PARTS
    from schakelpunt.support.selectors import timeline_for

    items = timeline_for(world.students["t1"], ALL_PARTS, own=True)
    return " ".join(f"{item.title} {item.detail}" for item in items)


def test_a_trajectory_from_a_held_back_concern_does_not_name_it_to_the_student(world):
    held = concern(
        world,
        "t1",
        "Zorgen over geweld thuis.",
        withheld_reason="Meldcode: eerst veiligheid",
        withheld_by=world.users["coach"],
        withheld_at=timezone.now(),
    )
    client_for(world.users["care_l1"]).post(f"/triage/{held.pk}/traject/")
    held.refresh_from_db()
    assert held.trajectory is not None
    own = students_own_timeline(world)
    assert "Traject" in own or "traject" in own
    assert "zorgmelding van" not in own and "geweld" not in own
    # A concern the student may see is named as where the trajectory came from.
    held.trajectory.state = "closed"
    held.trajectory.close_reason = "goal_reached"
    held.trajectory.save()
    open_one = concern(world, "t1", "Anna oogt moe.")
    client_for(world.users["care_l1"]).post(f"/triage/{open_one.pk}/traject/")
    assert "Gestart vanuit de zorgmelding van" in students_own_timeline(world)
