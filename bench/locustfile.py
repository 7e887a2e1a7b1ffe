"""A school morning on Schakelpunt, for locust. Run through bench/load_test.py, which builds
the database, starts scripts/prodlike and passes the accounts; by hand:

    LOAD_ACCOUNTS=/tmp/x/accounts.json .venv/bin/locust -f bench/locustfile.py \
        --host http://127.0.0.1:8000 --headless -u 50 -r 2 -t 10m --csv /tmp/x/load

The mix (weights of the people; the importer is always exactly one):
- coaches (10): their caseload and the student list, a student's file and plan; now and then
  a contact note or an action in the plan;
- the care team (5: zorgcoördinatoren, studentbegeleiders): the triage queue, a signalled
  student's file, the absence worklist, referrals and their own actions;
- the providers' systems on the API (3): referrals list and detail, now and then the step
  'received', and a search of the sociale kaart;
- the municipality's advisor and the board (2): the monitor and the funding overview;
- leerplicht/RMC (2): the RMC list, the absence worklist, the students who did not arrive;
- the school's attendance coordinator (1 user): uploads the day's absence file every 2–4
  minutes through the import screen and follows its progress as the screen does (every 1 s);
- bare (every person, 1 in 6 tasks): /health/live/, a view that does no work, through the
  same server under the same load: the yardstick the page types are divided by.

Each request is named by its page type. Every person logs in through the login form and the
second factor; locust users that share a demo account (the demo has one RMC officer, two
monitor users) share its session, as tabs of one browser. A read that meets a dropped
connection is tried once more and counted as RETRY; LOAD_EVENTS (a file) gets every retry and
failure with its time, so load_test.py can count them around a kill.
"""

import itertools
import json
import os
import random
import re
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from load_client import Browser, RequestFailed, csrf_token
from locust import User, between, events, task
from locust.exception import RescheduleTask

PASSWORD = "demo-schakelpunt"  # noqa: S105 - the demo's known password (demo/builder.py)
BARE = "/health/live/"
STUDENT_LINK = re.compile(r'href="/studenten/(\d+)/"')
JOB_LINK = re.compile(r"/verzuim/importeren/(\d+)/")

_accounts: dict[str, Any] = {}
_turns: dict[str, Iterator[int]] = {}
# email -> the logged-in browser's cookies (None while its first user logs in)
_sessions: dict[str, Any] = {}
_events_file = None


def today() -> date:
    """The server's day (Europe/Amsterdam), for dates typed into forms."""
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def accounts() -> dict[str, Any]:
    if not _accounts:
        _accounts.update(json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text()))
    return _accounts


def next_of(group: str) -> Any:
    """The group's accounts in turn, so users of a group spread over distinct accounts."""
    pool = accounts()[group]
    turn = _turns.setdefault(group, itertools.count())
    return pool[next(turn) % len(pool)]


@events.request.add_listener
def _note(request_type: str, name: str, exception: BaseException | None, **_: Any) -> None:
    """Every retry and failure with its time, for counting around a kill."""
    global _events_file
    if request_type != "RETRY" and exception is None:
        return
    if _events_file is None:
        target = os.environ.get("LOAD_EVENTS")
        if not target:
            return
        _events_file = open(target, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the run
    kind = "retry" if request_type == "RETRY" else "failure"
    line = {"t": time.time(), "kind": kind, "name": name, "error": str(exception or "")[:200]}
    _events_file.write(json.dumps(line) + "\n")
    _events_file.flush()


def report(
    user: User, kind: str, name: str, ms: float, size: int, error: BaseException | None
) -> None:
    """One request into locust's statistics, under its page type."""
    user.environment.events.request.fire(
        request_type=kind,
        name=name,
        response_time=ms,
        response_length=size,
        exception=error,
        context={},
    )


class Person(User):
    """Someone at work in the browser: logs in once, then works with pauses in between."""

    abstract = True
    group = ""
    wait_time = between(3, 10)

    def on_start(self) -> None:
        self.browser = Browser(self.host, report=self._report)
        self.account = next_of(self.group)
        email = self.account["email"]
        while email in _sessions and _sessions[email] is None:
            time.sleep(0.2)  # another tab of this person is logging in
        if email in _sessions:
            self.browser.session.cookies.update(_sessions[email])
            return
        _sessions[email] = None
        for _attempt in range(3):
            try:
                self.browser.log_in(email, PASSWORD, self.account["totp_key"])
            except RequestFailed:
                time.sleep(5)
                continue
            _sessions[email] = self.browser.session.cookies
            return
        del _sessions[email]
        raise RescheduleTask

    def _report(
        self, kind: str, name: str, ms: float, size: int, error: BaseException | None
    ) -> None:
        report(self, kind, name, ms, size, error)

    def page(self, name: str, path: str, **kwargs: Any) -> str:
        try:
            return self.browser.get(name, path, **kwargs).text
        except RequestFailed as error:
            raise RescheduleTask from error

    def post(self, name: str, path: str, data: dict[str, str], form_html: str) -> None:
        try:
            self.browser.post_form(name, path, data, form_html)
        except RequestFailed as error:
            raise RescheduleTask from error


class Worker(Person):
    """A person at work on the pages, who also meets the bare view one task in six."""

    abstract = True

    @task(2)
    def bare(self) -> None:
        self.page("bare: /health/live/", BARE)


class Coach(Worker):
    weight = 10
    group = "coach"
    students: list[str]

    def on_start(self) -> None:
        super().on_start()
        self.students = []

    def a_student(self) -> str:
        if not self.students:
            self.students = STUDENT_LINK.findall(self.page("caseload", "/studenten/caseload/"))
        if not self.students:
            raise RescheduleTask
        return random.choice(self.students)

    @task(3)
    def caseload(self) -> None:
        self.students = STUDENT_LINK.findall(self.page("caseload", "/studenten/caseload/"))

    @task(2)
    def student_list(self) -> None:
        self.page("student list", "/studenten/")

    @task(4)
    def student_file(self) -> None:
        self.page("student file", f"/studenten/{self.a_student()}/")

    @task(1)
    def plan(self) -> None:
        """The plan from the file's link (a student without a plan has none)."""
        student = self.a_student()
        plan = f"/studenten/{student}/plan/"
        if f'href="{plan}"' in self.page("student file", f"/studenten/{student}/"):
            self.page("support plan", plan)

    @task(1)
    def contact_note(self) -> None:
        student = self.a_student()
        html = self.page("student file", f"/studenten/{student}/")
        self.post(
            "write: contact note",
            f"/studenten/{student}/contact/",
            {
                "kind": "conversation",
                "happened_on": today().isoformat(),
                "summary": "Kort gesprek over de week (belastingtest).",
            },
            html,
        )

    @task(1)
    def plan_action(self) -> None:
        student = self.a_student()
        html = self.page("student file", f"/studenten/{student}/")
        due = (today() + timedelta(days=14)).isoformat()
        self.post(
            "write: plan action",
            f"/studenten/{student}/plan/actie/",
            {
                "description": "Rooster doornemen (belastingtest)",
                "owner_name": "de student",
                "due_on": due,
            },
            html,
        )


class CareTeam(Worker):
    weight = 5
    group = "care_team"

    @task(4)
    def triage_and_signal(self) -> None:
        queue = self.page("triage queue", "/triage/")
        signalled = STUDENT_LINK.findall(queue)
        if signalled:
            self.page("student file", f"/studenten/{random.choice(signalled)}/")

    @task(2)
    def absence_worklist(self) -> None:
        self.page("absence worklist", "/verzuim/")

    @task(2)
    def referral_worklist(self) -> None:
        self.page("referral worklist", "/verwijzingen/")

    @task(1)
    def my_actions(self) -> None:
        self.page("my actions", "/acties/")


class Monitor(Worker):
    weight = 2
    group = "monitor"

    @task(4)
    def monitor(self) -> None:
        self.page("monitor", "/monitor/")

    @task(1)
    def funding(self) -> None:
        self.page("funding overview", "/financiering/")


class Attendance(Worker):
    weight = 2
    group = "attendance"

    @task(3)
    def rmc_list(self) -> None:
        self.page("RMC list", "/verzuim/rmc-lijst/")

    @task(2)
    def absence_worklist(self) -> None:
        self.page("absence worklist", "/verzuim/")

    @task(1)
    def non_arrivals(self) -> None:
        self.page("non-arrivals", "/nazorg/niet-verschenen/")


class Importer(Person):
    """The attendance coordinator: the day's file through the screen, then its progress."""

    fixed_count = 1
    group = "importer"
    wait_time = between(120, 240)

    @task
    def upload(self) -> None:
        daily = accounts()["files"]["daily"]
        form = self.page("absence import: form", "/verzuim/importeren/")
        content = Path(daily["path"]).read_bytes()
        try:
            answer = self.browser.request(
                "POST",
                "absence import: upload",
                "/verzuim/importeren/",
                expect=(302,),
                data={"csrfmiddlewaretoken": csrf_token(form)},
                files={"file": ("verzuim-dagelijks.csv", content, "text/csv")},
            )
        except RequestFailed as error:
            raise RescheduleTask from error
        job = JOB_LINK.search(answer.headers.get("Location", ""))
        if job is None:
            raise RescheduleTask
        path = f"/verzuim/importeren/{job.group(1)}/"
        self.page("absence import: job page", path)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            time.sleep(1)
            fragment = self.page("absence import: progress", path, headers={"HX-Request": "true"})
            if 'hx-trigger="every 1s"' not in fragment:
                if "Niets ingelezen" in fragment:
                    self._report(
                        "IMPORT", "absence import: result", 0, 0, RequestFailed("import failed")
                    )
                return
        self._report("IMPORT", "absence import: result", 0, 0, RequestFailed("not done in 10 min"))


class ProviderSystem(User):
    """A care provider's client registration on the API with its sleutel (docs/api.md)."""

    weight = 3
    wait_time = between(1, 5)

    def on_start(self) -> None:
        self.browser = Browser(
            self.host,
            report=lambda *args: report(self, *args),  # type: ignore[arg-type]
        )
        self.browser.use_token(next_of("api")["token"])

    def call(self, name: str, path: str, **kwargs: Any) -> Any:
        try:
            return self.browser.request(kwargs.pop("method", "GET"), name, path, **kwargs).json()
        except RequestFailed as error:
            raise RescheduleTask from error

    @task(4)
    def referrals(self) -> None:
        listed = self.call("API: referrals list", "/api/v1/referrals?pageSize=20")
        results = listed.get("results") or []
        if not results:
            return
        referral = random.choice(results)
        current = self.call("API: referral", f"/api/v1/referrals/{referral['id']}")
        if current.get("status") == "sent" and random.random() < 0.3:
            # Another system of the same provider may have taken the step first: 409 is fine.
            self.call(
                "API: referral step",
                f"/api/v1/referrals/{referral['id']}/receive",
                method="POST",
                json={"version": current.get("version")},
                expect=(200, 409),
            )

    @task(2)
    def services(self) -> None:
        self.call(
            "API: services search",
            f"/api/v1/services?q={random.choice(['schuld', 'jongeren', 'ggz', 'werk', ''])}",
        )

    @task(1)
    def bare(self) -> None:
        try:
            self.browser.get("bare: /health/live/", BARE)
        except RequestFailed as error:
            raise RescheduleTask from error
