"""The student API shows the day the startkwalificatie was obtained next to whether there is
one, read-only, to whoever sees the enrolment part."""

from datetime import date

from tests.world import World, client_for

from schakelpunt.students.models import Student


def test_the_api_shows_the_startkwalificatie_date_with_the_enrolment(world: World) -> None:
    student = world.students["t1"]
    Student.objects.filter(pk=student.pk).update(
        has_basic_qualification=True, basic_qualification_on=date(2026, 1, 15)
    )
    data = client_for(world.users["coach"]).get(f"/api/v1/students/{student.pk}").json()
    assert "enrolment" in data["parts"]
    assert (data["has_basic_qualification"], data["basic_qualification_on"]) == (
        True,
        "2026-01-15",
    )
    # Someone without the enrolment part sees neither.
    outside = client_for(world.users["worker_p1"])
    other = outside.get(f"/api/v1/students/{world.students['t3'].pk}").json()
    assert "enrolment" not in other["parts"]
    assert "basic_qualification_on" not in other


def test_the_schema_describes_the_date_as_read_only(world: World) -> None:
    schema = client_for(world.users["coach"]).get("/api/v1/openapi.json").json()
    field = schema["components"]["schemas"]["StudentDetail"]["properties"]["basic_qualification_on"]
    assert field["format"] == "date"
    assert field["readOnly"] is True
    assert field.get("nullable") is True
