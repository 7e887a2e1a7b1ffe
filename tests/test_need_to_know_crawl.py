"""Need-to-know everywhere (issue 15, items 3 and 4): crawl the whole product as each role.

For one role at a time the crawler logs in, starts at the start page and opens every
same-site link it finds, and every URL pattern of the project with the real ids of the
hand-made world (`tests.crawl_world`) filled in: pages, downloads (CSV, Excel, PDF,
iCalendar) and the API. GET only. In every response it looks for the markers of every
student and asserts two properties:

- need-to-know: a marker of a part of a student's file appears only when the access policy
  grants that part of that student to the user, and the policy's finer decisions agree:
  a provider sees only what happened from its referral on and no concerns, a parent's phone
  only with the student's agreement, the student no concern held back from them (the
  content of a referral or a VO handover: when the policy lets the user open that record);
- every read is logged: a response that shows more than a student's name and programme wrote
  an access-log row naming that student for that user during that request.

All violations are collected and reported together, grouped by address and part. A page
that fails (500) fails the test too: it could not be checked. A GET that writes to the
database (other than the access log and the session) is reported as a warning.

The same crawl also reads the markup of every HTML page (issue 16, item 2), so pages are fetched
once: ids are unique on a page, every `for`, `aria-describedby`, `aria-labelledby` and
`aria-controls` points at an element that exists, and every help text in a form is named by
the `aria-describedby` of a field of that form (otherwise a screen reader never reads it).
Each role's findings are kept for the second test, which crawls only if the first did not run.
With NEED_TO_KNOW_CRAWL_REPORT=/path the counts of each role are also written as JSON.
"""

import functools
import io
import json
import os
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from schakelpunt.access.models import AccessLogEntry
from schakelpunt.access.parts import Action, Part
from schakelpunt.access.policy import (
    Grant,
    StudentAccess,
    actions_owned_by,
    concern_visible_to_student,
    emergency_shares_visible_to,
    guardian_may_be_involved,
    handovers_visible_to,
    is_own_file,
    may_configure_institution,
    may_download_own_data,
    may_see_guardian_contact,
    own_data_parts,
    parent_parts_for,
    provider_period_start,
    referrals_for_user,
    student_access,
    students_overseen_by,
    timeline_shows_concerns,
)
from schakelpunt.accounts.models import Programme, User
from schakelpunt.accounts.roles import Role
from schakelpunt.signals.models import Concern
from schakelpunt.students.models import Guardian
from tests.crawl_world import CrawlWorld, Marker, build_crawl_world

# The logins crawled: every role of accounts.roles (the parent: of Gijs, 15, whom they see,
# and of three they may not or only partly see), a coach who is on a support team, the
# care coordinator of the other school, a coach whose membership ended, a user without a role.
ROLES = [
    "coach",
    "coach2",
    "care_l1",
    "advisor_l2",
    "schakel",
    "absence",
    "worker_p1",
    "worker_p2",
    "rmc",
    "rmc_b",
    "leerplicht_b",
    "municipal",
    "governance",
    "privacy",
    "admin",
    "student",
    "parent",
    "care_roc2",
    "expired",
    "nobody",
]
MAX_REQUESTS = 3000
SITE = "http://testserver"
# A page with many filter combinations (the monitor) is opened this often per set of query
# parameters: enough for every student id in a parameter and every value of each filter.
MAX_PER_QUERY_SHAPE = 8
SKIP_PREFIXES = ("/static/", "/media/", "/i18n/", "/account/uitloggen/")
# Writes a GET may do: the access log itself, and the session of the logged-in client.
WRITES_ALLOWED_ON_GET = re.compile(r"^(access_|django_session|axes_)")
WRITE_SQL = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


@dataclass
class Findings:
    leaks: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    unlogged: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    writes: set[tuple[str, str]] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    # What was read, by content type (pages, JSON, CSV, Excel, PDF, iCalendar).
    kinds: Counter[str] = field(default_factory=Counter)
    # Every marker seen at all, allowed or not: what the world actually probes.
    seen: set[str] = field(default_factory=set)
    # Markup faults of HTML pages: (address, fault, detail), e.g. a duplicate id.
    markup: list[tuple[str, str, str]] = field(default_factory=list)
    pages_checked: int = 0
    # Dates a page shows as ISO text ("2026-12-09"): (address, the words around it).
    iso_dates: list[tuple[str, str]] = field(default_factory=list)


# --- URLs -------------------------------------------------------------------------------


def _templates(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    """Every URL pattern of the project as a template with {name} placeholders."""
    for entry in patterns:
        part = _pattern_template(entry.pattern)
        if part is None:
            continue
        if isinstance(entry, URLResolver):
            yield from _templates(entry.url_patterns, prefix + part)
        elif isinstance(entry, URLPattern):
            yield prefix + part


def _pattern_template(pattern: Any) -> str | None:
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern))
    if isinstance(pattern, RegexPattern):
        regex = str(pattern)
        if "format" in regex:  # DRF's format suffixes: the same views as JSON
            return None
        text = regex.lstrip("^").rstrip("$")
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
        text = text.replace("\\.", ".").replace("/?", "/")
        if re.search(r"[\\()\[\]*+?|^$]", text):
            return None
        return text
    return None


def _id_pools() -> dict[str, list[tuple[int, int | None]]]:
    """For each path parameter: the ids to try, with the student each belongs to."""
    from schakelpunt.accounts.models import Organisation
    from schakelpunt.directory.models import Contact, Service
    from schakelpunt.meetings.models import AgendaItem, Meeting
    from schakelpunt.referrals.models import Consent, Referral
    from schakelpunt.signals.models import AbsenceImportJob, AbsenceReport, Concern
    from schakelpunt.students.models import Guardian, Student
    from schakelpunt.support.models import (
        ContactNote,
        HelpRequest,
        PlanAction,
        SupportTeamMember,
        Trajectory,
    )
    from schakelpunt.transitions.models import AftercareContact, HandoverRecord, NonArrival

    def rows(model: Any, student: str | None = "student_id") -> list[tuple[int, int | None]]:
        fields = ["pk", student] if student else ["pk"]
        return [
            (row[0], row[1] if student else None)
            for row in model.objects.order_by("pk").values_list(*fields)
        ]

    students = [(pk, pk) for pk in Student.objects.order_by("pk").values_list("pk", flat=True)]
    organisations = rows(Organisation, None)
    return {
        "student_id": students,
        "pk": students + rows(Referral),
        "referral_id": rows(Referral),
        "meeting_id": rows(Meeting, None),
        "trajectory_id": rows(Trajectory),
        "consent_id": rows(Consent),
        "report_id": rows(AbsenceReport),
        "concern_id": rows(Concern),
        "contact_id": rows(AftercareContact, "departure__student_id")
        + rows(Contact, None)
        + rows(ContactNote),
        "record_id": rows(HandoverRecord),
        "item_id": rows(NonArrival) + rows(AgendaItem),
        "member_id": rows(SupportTeamMember),
        "action_id": rows(PlanAction, "plan__trajectory__student_id"),
        "job_id": rows(AbsenceImportJob, None),
        "organisation_id": organisations,
        "institution_id": organisations,
        "service_id": rows(Service, None),
        "guardian_id": rows(Guardian),
        "request_id": rows(HelpRequest),
    }


def _fill(template: str, pools: dict[str, list[tuple[int, int | None]]]) -> list[str]:
    """The template with real ids; a student's own records go with that student's id."""
    names = re.findall(r"{(\w+)}", template)
    if not names:
        return [template]
    if any(name not in pools for name in names):
        unknown = [n for n in names if n not in pools]
        fallback = sorted({pk for pool in pools.values() for pk, _s in pool})
        if len(unknown) > 1:  # e.g. <uidb64>/<token>: one try, not every pair of ids
            fallback = fallback[:1]
        pools = {**pools, **{n: [(pk, None) for pk in fallback] for n in unknown}}
    urls = []
    if names == ["student_id"] or len(names) == 1:
        for pk, _student in pools[names[0]]:
            urls.append(template.replace("{" + names[0] + "}", str(pk)))
        return urls
    others = [n for n in names if n != "student_id"]
    combos: list[dict[str, int]] = [{}]
    for name in others:
        combos = [{**c, name: pk} for c in combos for pk, _s in pools[name]]
    for combo in combos:
        students = {s for n in others for pk, s in pools[n] if pk == combo[n] and s is not None}
        for student_id in students or {pk for pk, _s in pools["student_id"]}:
            url = template.replace("{student_id}", str(student_id))
            for name, pk in combo.items():
                url = url.replace("{" + name + "}", str(pk))
            urls.append(url)
    return urls


def _pattern_urls() -> list[str]:
    pools = _id_pools()
    urls: list[str] = []
    for template in _templates(get_resolver().url_patterns):
        if "{format}" in template:  # DRF's format suffixes: the same views as JSON
            continue
        urls.extend("/" + url.lstrip("/") for url in _fill(template, pools))
    return urls


# --- reading a response -----------------------------------------------------------------


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _text(response: Any) -> str:
    """What a person or program receives: headers (file names) and the content as text."""
    body = _body(response)
    kind = response.get("Content-Type", "")
    header_text = " ".join(f"{k}: {v}" for k, v in response.items())
    if "spreadsheetml" in kind or body[:2] == b"PK":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        cells = [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        return header_text + "\n" + "\n".join(cells)
    if "pdf" in kind or body[:4] == b"%PDF":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body))
        return header_text + "\n" + "\n".join(page.extract_text() or "" for page in reader.pages)
    return header_text + "\n" + body.decode("utf-8-sig", errors="replace")


# Random per response (CSRF tokens, CSP nonces): a marker found inside one is chance.
RANDOM_TOKENS = re.compile(
    r'(csrfmiddlewaretoken" value="|"X-CSRFToken": "|nonce="|nonce-)[A-Za-z0-9+/=_-]+'
)


def _without_random_tokens(text: str) -> str:
    return RANDOM_TOKENS.sub(r"\1", text)


@functools.cache
def _whole(token: str) -> re.Pattern[str]:
    """The marker with no letter or digit right before or after it."""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(token)}(?![A-Za-z0-9])")


def _links(page: str, text: str) -> list[str]:
    """Same-site links of a page, relative ones ("?formaat=xlsx") resolved against it."""
    found = []
    for raw in re.findall(r'href="([^"]*)"', text):
        link = urljoin(SITE + page, unescape(raw).split("#", 1)[0])
        if link.startswith(SITE + "/"):
            found.append(link[len(SITE) :])
    return found


class _Forms(HTMLParser):
    """The GET forms of a page (filters, searches, periods) with the values each field offers."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._fields: dict[str, list[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "get":
                self._fields = {}
                self.forms.append((a.get("action", ""), self._fields))
            else:
                self._fields = None
        elif self._fields is None or not a.get("name"):
            return
        elif tag == "input" and a.get("type", "text") not in {"submit", "button", "file"}:
            values = self._fields.setdefault(a["name"], [])
            if a.get("value") and a["value"] not in values:
                values.append(a["value"])
        elif tag == "select":
            self._select = a["name"]
            self._fields.setdefault(a["name"], [])
        elif tag == "option" and self._select and self._fields is not None:
            self._fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None


# Attributes that name other elements by id: a screen reader follows them.
ID_REFERENCES = ("for", "aria-describedby", "aria-labelledby", "aria-controls")


class _Markup(HTMLParser):
    """Ids, the ids other elements point at, and the help texts of each form."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.references: list[tuple[str, str, str]] = []  # (attribute, id, tag)
        self.help_texts: list[tuple[int, str, str]] = []  # (form, id or "", text start)
        self.described: set[tuple[int, str]] = set()  # (form, id) named by aria-describedby
        self._form = -1  # the form being read; -1 outside a form
        self._forms = 0
        self._help: list[Any] | None = None  # [form, id, depth, words]
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = self._forms
            self._forms += 1
        if a.get("id"):
            self.ids[a["id"]] += 1
        for name in ID_REFERENCES:
            if name in a:
                for target in a[name].split() or [""]:
                    self.references.append((name, target, tag))
        for target in a.get("aria-describedby", "").split():
            self.described.add((self._form, target))
        if tag in {"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr"}:
            return
        self._depth += 1
        is_help = "help" in a.get("class", "").split() or a.get("id", "").endswith("_helptext")
        if is_help and self._help is None and self._form >= 0:
            self._help = [self._form, a.get("id", ""), self._depth, []]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = -1
        if tag in {"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr"}:
            return
        if self._help is not None and self._depth == self._help[2]:
            form, ident, _depth, words = self._help
            self.help_texts.append((form, ident, " ".join(" ".join(words).split()[:8])))
            self._help = None
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._help is not None:
            self._help[3].append(data)


def _markup_faults(html: str) -> list[tuple[str, str]]:
    """(fault, detail) for each duplicate id, dangling reference and unread help text."""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    faults = [("duplicate id", f"{ident} ({n}×)") for ident, n in parser.ids.items() if n > 1]
    for name, target, tag in parser.references:
        if not target or target not in parser.ids:
            faults.append((f"{name} points nowhere", f"<{tag} {name}={target!r}>"))
    for form, ident, words in parser.help_texts:
        if not ident or (form, ident) not in parser.described:
            faults.append(("help text not read", f"#{ident or '(no id)'}: {words}"))
    return faults


ISO_DATE = re.compile(r"\b(?:19|20)\d\d-\d\d-\d\d\b")


def _iso_dates(html: str) -> list[str]:
    """Dates shown to people as ISO text, with the words around each (attributes such as a
    date field's value or <time datetime> are for machines and not looked at)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return [text[max(0, m.start() - 50) : m.end() + 10] for m in ISO_DATE.finditer(text)]


def _form_urls(page: str, text: str) -> list[str]:
    """Each GET form submitted with its defaults, and once per other value of each field."""
    parser = _Forms()
    parser.feed(text)
    urls: list[str] = []
    for action, fields in parser.forms:
        path = unescape(action) or page.split("?", 1)[0]
        if not path.startswith("/"):
            continue
        base = {name: (values[0] if values else "") for name, values in fields.items()}
        variants = [base] + [
            {**base, name: value} for name, values in fields.items() for value in values[1:]
        ]
        urls.extend(f"{path}?{urlencode(v)}" for v in variants)
    return urls


def _with_other_ids(link: str, ids: list[int]) -> list[str]:
    """The link, and for a query parameter holding an id (`?student=3`) every other id too."""
    parts = urlsplit(link)
    query = parse_qsl(parts.query, keep_blank_values=True)
    variants = [link]
    for i, (name, value) in enumerate(query):
        if value.isdigit() and int(value) in ids:
            for other in ids:
                changed = [*query[:i], (name, str(other)), *query[i + 1 :]]
                variants.append(f"{parts.path}?{urlencode(changed)}")
    return variants


def _normalise(url: str) -> str:
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + ("?" + query if query else "")


# --- the crawl --------------------------------------------------------------------------


class Oracle:
    """The access policy, asked once per student (and per record) for this user."""

    def __init__(self, user: User, world: CrawlWorld) -> None:
        self.user = user
        self.students = world.students
        self.access = {key: student_access(user, s) for key, s in world.students.items()}
        self.since = {
            key: provider_period_start(user, s, self.access[key])
            for key, s in world.students.items()
        }
        self.records = {
            "referral": set(referrals_for_user(user).values_list("pk", flat=True)),
            "handover": set(handovers_visible_to(user).values_list("pk", flat=True)),
            "action": set(actions_owned_by(user).values_list("pk", flat=True)),
            "emergency_share": set(emergency_shares_visible_to(user).values_list("pk", flat=True)),
            # Programmes are the institution's structure: its functional administrator's.
            "programme": {
                p.pk
                for p in Programme.objects.select_related("team__location__institution")
                if may_configure_institution(user, p.team.location.institution)
            },
        }
        # A privacy officer names the students of their school on the log and the shares.
        self.overseen = set(students_overseen_by(user).values_list("pk", flat=True))
        # A parent: their child's name and the parts the child's age and choice allow.
        self.parent = {key: parent_parts_for(user, s) for key, s in world.students.items()}
        # The privacy officer's download on a student's request (AVG art. 15, docs/
        # student-rights.md): at its own address, what that student sees of their own file.
        self.on_request = {s.pk for s in world.students.values() if may_download_own_data(user, s)}

    def allows(self, marker: Marker, url: str = "") -> bool:
        if self._on_request(marker, url):
            return True
        parent_parts = self.parent[marker.student]
        if parent_parts and (marker.part == Part.IDENTITY or marker.parent_part in parent_parts):
            return True
        if marker.record is not None and marker.record[1] in self.records[marker.record[0]]:
            return True
        if marker.part == Part.IDENTITY and self.students[marker.student].pk in self.overseen:
            return True
        access = self.access[marker.student]
        if not access.allows(Action.VIEW, marker.part):
            return False
        since = self.since[marker.student]
        if marker.on is not None and since is not None and marker.on < since:
            return False
        if marker.about is not None:
            return self._about(marker.about, access)
        return True

    def _on_request(self, marker: Marker, url: str) -> bool:
        match = re.match(r"^/privacy/inzageverzoek/(\d+)/", url)
        student = self.students[marker.student]
        if match is None or int(match.group(1)) != student.pk:
            return False
        if student.pk not in self.on_request or marker.part not in own_data_parts():
            return False
        if marker.about is not None and marker.about[0] == "concern":
            return concern_visible_to_student(Concern.objects.get(pk=marker.about[1]))
        if marker.about is not None:
            own = StudentAccess((Grant("own_file", Role.STUDENT, own_data_parts()),))
            return self._about(marker.about, own)
        return True

    def as_structure(self, marker: Marker) -> bool:
        """Shown as the institution's structure (a programme to its administrator), not as
        a student's file: no access-log row is due."""
        return (
            marker.record is not None
            and marker.record[0] == "programme"
            and marker.record[1] in self.records["programme"]
        )

    def _about(self, about: tuple[str, int], access: StudentAccess) -> bool:
        kind, pk = about
        if kind == "guardian":
            guardian = Guardian.objects.select_related("student").get(pk=pk)
            involved = guardian_may_be_involved(
                guardian.student, guardian.student_consents, timezone.localdate()
            )
            return may_see_guardian_contact(access, guardian.student_consents, involved)
        concern = Concern.objects.select_related("student").get(pk=pk)
        if is_own_file(self.user, concern.student):
            return concern_visible_to_student(concern)
        return timeline_shows_concerns(access)


def _logged_students(user: User, after_pk: int) -> set[int]:
    rows = AccessLogEntry.objects.filter(pk__gt=after_pk, user=user)
    return set(rows.values_list("student_id", flat=True))


def crawl(role: str, world: CrawlWorld) -> Findings:
    user = world.users[role]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    oracle = Oracle(user, world)
    # One string may mark the same data in two records (a pupil's name on the VO handover
    # and in the student file): it may appear when any of them may be seen.
    tokens: dict[str, list[Marker]] = defaultdict(list)
    for m in world.markers:
        tokens[m.text.split()[-1]].append(m)
    found = Findings()
    student_ids = sorted(s.pk for s in world.students.values())
    queue = ["/", *_pattern_urls()]
    seen: set[str] = set()
    shapes: Counter[tuple[str, frozenset[str]]] = Counter()
    writes: list[str] = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        match = WRITE_SQL.match(sql)
        if match and not WRITES_ALLOWED_ON_GET.match(match.group(2)):
            writes.append(match.group(2))
        return execute(sql, params, many, context)

    while queue and found.requests < MAX_REQUESTS:
        url = _normalise(queue.pop(0))
        if url in seen or url.startswith(SKIP_PREFIXES):
            continue
        seen.add(url)
        parts = urlsplit(url)
        if parts.query:
            shape = (parts.path, frozenset(k for k, _v in parse_qsl(parts.query)))
            shapes[shape] += 1
            if shapes[shape] > MAX_PER_QUERY_SHAPE:
                continue
        last_log = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        writes.clear()
        with connection.execute_wrapper(watch):
            response = client.get(url, HTTP_ACCEPT="text/html,application/json")
        found.requests += 1
        found.statuses[response.status_code] += 1
        for table in writes:
            found.writes.add((url, table))
        # A health check says 503 when a job is late (no worker runs in the crawl): its answer,
        # not a failure. Its body is still read for markers below.
        health_answer = response.status_code == 503 and url.startswith("/health/")
        if response.status_code >= 500 and not health_answer:
            found.errors.append(url)
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append(response["Location"])
            continue
        if response.status_code != 200 and not health_answer:
            continue
        text = _without_random_tokens(_text(response))
        found.kinds[response.get("Content-Type", "").split(";")[0]] += 1
        if "text/html" in response.get("Content-Type", ""):
            for link in [*_links(url, text), *_form_urls(url, text)]:
                queue.extend(_with_other_ids(link, student_ids))
            found.pages_checked += 1
            html = _body(response).decode("utf-8", errors="replace")
            found.markup.extend((url, fault, detail) for fault, detail in _markup_faults(html))
            found.iso_dates.extend((url, words) for words in _iso_dates(html))
        logged: set[int] | None = None
        for token, markers in tokens.items():
            # A whole marker only: "90577" inside a longer number (a version stamp, an id)
            # is chance, not the crebo it marks.
            if token not in text or not _whole(token).search(text):
                continue
            found.seen.add(token)
            allowed = [m for m in markers if oracle.allows(m, url)]
            marker = (allowed or markers)[0]
            row = (role, url, marker.student, str(marker.part), token)
            if not allowed:
                found.leaks.append(row)
                continue
            if marker.needs_log and not oracle.as_structure(marker):
                if logged is None:
                    logged = _logged_students(user, last_log)
                if world.students[marker.student].pk not in logged:
                    found.unlogged.append(row)
    return found


def _grouped(rows: list[tuple[str, str, str, str, str]]) -> list[str]:
    """One line per role, address (ids as {id}) and part, with the students and markers."""
    groups: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for role, url, student, part, token in rows:
        shape = re.sub(r"/\d+/", "/{id}/", url)
        groups[(role, shape, part)].add(f"{student}:{token}")
    return [
        f"  {role:11} {part:10} {shape}  [{', '.join(sorted(items)[:6])}]"
        for (role, shape, part), items in sorted(groups.items())
    ]


@pytest.fixture
def crawl_world(refdata):  # type: ignore[no-untyped-def]
    return build_crawl_world()


# Each role's findings, so the markup test reads the crawl the need-to-know test made.
_CRAWLS: dict[str, Findings] = {}


# Roles whose crawl is known to fail, with the reason (none: every finding is fixed).
OPEN_FINDINGS: dict[str, str] = {}


def _crawl_params() -> list[Any]:
    """One xdist group per role: the markup and date tests then run in the process that made
    that role's crawl and read it, instead of crawling again (CI time, `--dist loadgroup`)."""
    params = []
    for r in ROLES:
        marks = [pytest.mark.xdist_group(f"crawl-{r}")]
        if r in OPEN_FINDINGS:
            marks.append(pytest.mark.xfail(reason=OPEN_FINDINGS[r], strict=False))
        params.append(pytest.param(r, marks=marks))
    return params


CRAWL_ROLES = [pytest.param(r, marks=pytest.mark.xdist_group(f"crawl-{r}")) for r in ROLES]


@pytest.mark.parametrize("role", _crawl_params())
def test_every_response_shows_only_what_the_policy_grants_and_is_logged(
    role: str, crawl_world: CrawlWorld
) -> None:
    found = _CRAWLS[role] = crawl(role, crawl_world)
    report_path = os.environ.get("NEED_TO_KNOW_CRAWL_REPORT")
    if report_path:  # a machine-readable summary for the closing note of issue 15
        with open(f"{report_path}.{role}.json", "w", encoding="utf-8") as out:
            json.dump(
                {
                    "role": role,
                    "requests": found.requests,
                    "statuses": dict(found.statuses),
                    "kinds": dict(found.kinds),
                    "seen": sorted(found.seen),
                    "leaks": found.leaks,
                    "unlogged": found.unlogged,
                    "writes_on_get": sorted(found.writes),
                    "errors": found.errors,
                },
                out,
                indent=1,
            )
    assert found.requests > 20, "the crawler hardly got anywhere"
    message = [f"{role}: {found.requests} requests"]
    if found.leaks:
        message.append(f"{len(found.leaks)} markers shown without a grant:")
        message.extend(_grouped(found.leaks))
    if found.unlogged:
        message.append(f"{len(found.unlogged)} markers shown without an access-log row:")
        message.extend(_grouped(found.unlogged))
    if found.errors:
        message.append("Pages that failed (500), so could not be checked:")
        message.extend(f"  {url}" for url in found.errors)
    for url, table in sorted(found.writes):
        # Not a need-to-know breach in itself, but a GET should not change anything (item 8).
        warnings.warn(f"{role}: GET {url} wrote to {table}", stacklevel=1)
    assert not (found.leaks or found.unlogged or found.errors), "\n".join(message)


@pytest.mark.django_db
@pytest.mark.parametrize("role", CRAWL_ROLES)
def test_every_page_has_unique_ids_and_existing_aria_targets(
    role: str, request: pytest.FixtureRequest
) -> None:
    """A label ticks the box of its own form; a screen reader reads each field's help text."""
    if role in _CRAWLS:  # read by the need-to-know test in this run: no second crawl
        found = _CRAWLS[role]
    else:
        found = _CRAWLS[role] = crawl(role, request.getfixturevalue("crawl_world"))
    assert found.pages_checked > 10, "the crawler hardly read a page"
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for url, fault, detail in found.markup:
        groups[(fault, re.sub(r"/\d+/", "/{id}/", url.split("?", 1)[0]))].add(detail)
    lines = [
        f"  {fault:28} {shape}  [{'; '.join(sorted(details)[:4])}]"
        for (fault, shape), details in sorted(groups.items())
    ]
    if found.markup:
        pytest.fail(
            f"{role}: {len(found.markup)} markup faults on {found.pages_checked} pages "
            f"({len(groups)} kinds by page):\n" + "\n".join(lines)
        )


@pytest.mark.django_db
@pytest.mark.parametrize("role", CRAWL_ROLES)
def test_every_page_shows_dates_the_dutch_way(role: str, request: pytest.FixtureRequest) -> None:
    """'9 december 2026', never '2026-12-09' (found on the plan page, issue 16)."""
    if role in _CRAWLS:  # read by the need-to-know test in this run: no second crawl
        found = _CRAWLS[role]
    else:
        found = _CRAWLS[role] = crawl(role, request.getfixturevalue("crawl_world"))
    assert found.pages_checked > 10, "the crawler hardly read a page"
    shown = sorted(
        {(re.sub(r"/\d+/", "/{id}/", url.split("?", 1)[0]), w) for url, w in found.iso_dates}
    )
    assert not shown, f"{role}: ISO dates on pages:\n" + "\n".join(f"  {u}: {w}" for u, w in shown)


# Students who live in one RMC region and study in another (tests.world.add_second_region):
# what each officer's crawl must have found of them. Leerplicht and RMC follow residence.
ACROSS_SEEN = {
    "rmc": ({"Zqx09"}, {"Zqx08", "DUOq08ref"}),  # Twente: the incomer, not the commuter
    "rmc_b": ({"Zqx08"}, {"Zqx09"}),  # IJssel-Vecht: the commuter only
    "leerplicht_b": ({"Zqx08"}, {"Zqx09"}),  # Zwolle: the commuter only
    "care_l1": ({"Zqx08"}, {"Zqx09"}),  # the commuter's own school
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [pytest.param(r, marks=pytest.mark.xdist_group(f"crawl-{r}")) for r in sorted(ACROSS_SEEN)],
)
def test_crawl_reaches_students_across_regions(role: str, request: pytest.FixtureRequest) -> None:
    """The crawl probes the border crossers: each officer finds those living in their area
    on their pages, and never the others (which the need-to-know test then also reports)."""
    if role in _CRAWLS:
        found = _CRAWLS[role]
    else:
        found = _CRAWLS[role] = crawl(role, request.getfixturevalue("crawl_world"))
    shown, hidden = ACROSS_SEEN[role]
    assert shown <= found.seen, f"{role} never saw {sorted(shown - found.seen)}"
    assert not hidden & found.seen, f"{role} saw {sorted(hidden & found.seen)}"
