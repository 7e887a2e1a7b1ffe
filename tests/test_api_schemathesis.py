"""schemathesis against the live API: a real server (pytest-django's live_server, on SQLite and
on PostgreSQL alike), the OpenAPI document fetched from it over HTTP, and every operation in
it called with generated requests — valid ones and invalid ones — as three callers in turn:
an MBO institution's system and a care provider's system, each with a real token holding
every scope its organisation may give, and a care coordinator logged in on the screens.

Every answer must be no server error, have a status code and a content type the document
names for that operation, and a body that matches the document's schema for it. Bounded
(a fixed number of examples per operation, derandomised, no shrinking) so it stays within
about a minute per database; a failure lists each operation with schemathesis' own report
and a curl command to repeat it."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from schakelpunt.accounts.api_clients import api_client_create
from schakelpunt.accounts.models import Organisation
from schakelpunt.accounts.scopes import SCOPES_BY_KIND
from tests.world import World

pytestmark = pytest.mark.slow

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 10}


@dataclass(frozen=True)
class Caller:
    name: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


def _system(organisation: Organisation, name: str) -> Caller:
    issued = api_client_create(
        actor=None,
        organisation=organisation,
        name=name,
        scopes=sorted(SCOPES_BY_KIND[organisation.kind]),
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    return Caller(name, headers={"Authorization": f"Bearer {issued.token}"})


def _callers(world: World) -> list[Caller]:
    school = world.users["coach"].memberships.get().organisation
    provider = world.users["worker_p1"].memberships.get().organisation
    browser = Client()
    browser.force_login(world.users["care_l1"])
    session = browser.cookies["sessionid"].value
    return [
        _system(school, "Studentinformatiesysteem"),
        _system(provider, "Cliëntregistratie"),
        Caller("zorgcoördinator (sessie)", cookies={"sessionid": session}),
    ]


def test_the_live_api_answers_as_its_openapi_document_says(
    live_server: Any, world: World, settings: Any
) -> None:
    # The rate limit is tested on its own (api/tests); here it would only cut coverage short.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"connected_system": None},
    }
    callers = _callers(world)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode, examples in EXAMPLES.items():

            @given(
                case=operation.as_strategy(generation_mode=mode), caller=st.sampled_from(callers)
            )
            @hypothesis_settings(
                max_examples=examples,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case: Any, caller: Caller) -> None:
                response = case.call(headers=caller.headers, cookies=caller.cookies)
                case.validate_response(response, checks=CHECKS)

            try:
                call()
            except Unsatisfiable:
                continue  # nothing to get wrong: no parameters and no body (e.g. GET /)
            # schemathesis reports a FailureGroup (a BaseExceptionGroup): every operation's
            # report is kept, not only the first.
            except (Exception, BaseExceptionGroup) as failure:
                failures.append(f"== {operation.label} ({mode.value})\n{failure}")
    assert operations >= 4, "the document describes too little: did it load?"
    assert not failures, "\n\n".join(failures)
