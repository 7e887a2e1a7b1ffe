"""A concern about a student is transparent by default: the student reads it, with who raised
it, in their own timeline. The reporter (or the care team) can hold one back with a reason,
such as the meldcode huiselijk geweld; a care coordinator reviews every hold-back."""

from django.urls import reverse

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.signals.models import Concern
from tests.world import World, client_for


def _own_file(world: World) -> str:
    anna = world.students["t1"]
    url = reverse("students:detail", args=[anna.pk])
    return client_for(world.users["student"]).get(url).content.decode()


def _raise(world: World, text: str, withheld_reason: str = "") -> Concern:
    anna = world.students["t1"]
    response = client_for(world.users["coach"]).post(
        reverse("triage:raise", args=[anna.pk]),
        {"text": text, "urgency": "normal", "withheld_reason": withheld_reason},
    )
    assert response.status_code == 302
    return Concern.objects.get(text=text)


def test_a_concern_held_back_by_the_reporter_stays_out_of_the_students_timeline(
    world: World,
) -> None:
    _raise(world, "Anna is vaak moe en stil in de les")
    held = _raise(
        world,
        "Anna vertelde over geweld thuis",
        withheld_reason="Meldcode huiselijk geweld: eerst veiligheid nagaan",
    )
    html = _own_file(world)
    assert "Anna is vaak moe en stil in de les" in html  # transparent by default
    assert "geweld thuis" not in html
    assert held.withheld_by == world.users["coach"]
    # The hold-back is a change to the support part, in the access log.
    assert AccessLogEntry.objects.filter(
        user=world.users["coach"], path="concern/hold-back"
    ).exists()
    # The school still reads it in the file.
    school = client_for(world.users["care_l1"]).get(
        reverse("students:detail", args=[world.students["t1"].pk])
    )
    assert "geweld thuis" in school.content.decode()


def test_the_care_coordinator_reviews_a_hold_back_and_may_show_it_after_all(
    world: World,
) -> None:
    held = _raise(world, "Zorg over thuis", withheld_reason="Meldcode: overleg met Veilig Thuis")
    coordinator = client_for(world.users["care_l1"])
    queue = coordinator.get(reverse("triage:queue")).content.decode()
    assert "Achtergehouden voor de student" in queue and "overleg met Veilig Thuis" in queue
    # Not the coordinator of that location: no review, and the same 404 as for nothing.
    other = client_for(world.users["advisor_l2"])
    assert "overleg met Veilig Thuis" not in other.get(reverse("triage:queue")).content.decode()
    refused = other.post(reverse("triage:review_hold_back", args=[held.pk]), {"keep": "nee"})
    assert refused.status_code == 404
    coordinator.post(reverse("triage:review_hold_back", args=[held.pk]), {"keep": "nee"})
    held.refresh_from_db()
    assert held.withheld_reason == "" and held.withheld_reviewed_by == world.users["care_l1"]
    assert "Zorg over thuis" in _own_file(world)
    assert "Achtergehouden voor de student" not in (
        coordinator.get(reverse("triage:queue")).content.decode()
    )


def test_the_care_team_holds_back_a_concern_from_the_queue_with_a_reason(world: World) -> None:
    concern = _raise(world, "Signaal over de thuissituatie")
    care = client_for(world.users["care_l1"])
    empty = care.post(reverse("triage:hold_back", args=[concern.pk]), {"reason": " "})
    assert empty.status_code == 302
    assert "Signaal over de thuissituatie" in _own_file(world)  # no reason: nothing changed
    care.post(reverse("triage:hold_back", args=[concern.pk]), {"reason": "Meldcode, stap 2"})
    assert "Signaal over de thuissituatie" not in _own_file(world)
    # Someone who neither raised it nor works on Anna's support cannot hide it.
    outsider = client_for(world.users["advisor_l2"])
    concern2 = _raise(world, "Nog een zorg")
    assert (
        outsider.post(reverse("triage:hold_back", args=[concern2.pk]), {"reason": "x"}).status_code
        == 404
    )
