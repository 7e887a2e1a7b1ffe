"""A privacy officer searching the access log by student number: the request's log line
names the page, not the number (the query string stays out of every log line)."""

import json

import pytest

from tests.log_capture import captured_logs, lines_naming, personal_data_patterns
from tests.world import World, client_for

pytestmark = pytest.mark.django_db


def test_a_log_search_by_student_number_keeps_the_number_out_of_the_logs(world: World) -> None:
    anna = world.students["t1"]
    officer = client_for(world.users["privacy"])

    with captured_logs() as logs:
        response = officer.get("/privacy/toegangslog/", {"student_number": anna.student_number})

    assert response.status_code == 200
    finished = [json.loads(line) for line in logs.lines() if '"request_finished"' in line]
    assert [(e["method"], e["path"], e["status"]) for e in finished] == [
        ("GET", "/privacy/toegangslog/", 200)
    ]
    assert finished[0]["user_id"] == world.users["privacy"].pk
    patterns = personal_data_patterns([anna.student_number, world.users["privacy"].email])
    assert lines_naming(logs.lines(), patterns) == []
