"""The English catalogue: the .po file is the source (edit it in Poedit or Weblate), `make
messages` merges new Dutch texts into it and compiles it; these tests keep it whole and current."""

import ast
import os
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from tests.world import client_for

import schakelpunt
from schakelpunt.accounts.roles import Role
from schakelpunt.accounts.services import membership_create

SOURCE = Path(schakelpunt.__file__).parent
LOCALE = SOURCE / "locale" / "en" / "LC_MESSAGES"
MAKE_MESSAGES = "run `make messages` and translate the new texts in django.po"


def _key(entry: polib.POEntry | polib.MOEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def test_every_dutch_text_has_a_reviewed_english_translation():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert [e.msgid for e in po.untranslated_entries()] == [], MAKE_MESSAGES
    assert [e.msgid for e in po.fuzzy_entries()] == [], "review the fuzzy translations"
    assert [e.msgid for e in po if e.msgid_plural and not all(e.msgstr_plural.values())] == []


def test_the_compiled_catalogue_is_the_po_file():
    po = {_key(e): e for e in polib.pofile(str(LOCALE / "django.po"))}
    mo = {_key(e): e for e in polib.mofile(str(LOCALE / "django.mo")) if e.msgid}
    assert set(po) == set(mo), "django.mo is stale: run `make messages`"
    for key, entry in po.items():
        if entry.msgid_plural:
            assert mo[key].msgstr_plural == entry.msgstr_plural, key
        else:
            assert mo[key].msgstr == entry.msgstr, key


@pytest.mark.slow
def test_the_catalogue_holds_every_text_in_the_code(tmp_path):
    """What `make messages` would extract today, into a copy, compared with the catalogue."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) is needed in CI to check the catalogue")
        pytest.skip("GNU gettext (xgettext) is not installed: apt install gettext")
    copy = tmp_path / "schakelpunt"
    shutil.copytree(
        SOURCE,
        copy,
        ignore=shutil.ignore_patterns("locale", "tests", "migrations", "__pycache__", "static"),
    )
    cwd = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command(
                "makemessages",
                locale=["en"],
                no_location=True,
                no_obsolete=True,
                verbosity=0,
            )
    finally:
        os.chdir(cwd)
    in_code = {_key(e) for e in polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po"))}
    in_catalogue = {_key(e) for e in polib.pofile(str(LOCALE / "django.po"))}
    assert sorted(in_code - in_catalogue, key=str) == [], MAKE_MESSAGES
    assert sorted(in_catalogue - in_code, key=str) == [], "texts no longer in the code: " + (
        MAKE_MESSAGES
    )


def test_translations_are_marked_with_names_xgettext_knows():
    """makemessages finds `_`, `gettext_lazy`, `ngettext`, … by name: a text marked with an
    alias of its own (`gettext_lazy as _lazy`) is never extracted, so it stays Dutch in English."""
    aliases = []
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                aliases += [
                    f"{path.relative_to(SOURCE)}: {a.name} as {a.asname}"
                    for a in node.names
                    if a.asname not in (None, "_")
                ]
    assert aliases == []


def test_interface_is_dutch_by_default_and_english_on_request(db):
    dutch = Client().get("/account/inloggen/").content.decode()
    assert "Wachtwoord vergeten?" in dutch
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/account/inloggen/"})
    english = client.get("/account/inloggen/").content.decode()
    assert "Forgot your password?" in english
    assert 'lang="en"' in english


def test_browser_language_does_not_switch_the_interface(db):
    english_browser = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = english_browser.get("/account/inloggen/")
    assert "Wachtwoord vergeten?" in page.content.decode()
    assert page["Content-Language"] == "nl"


def test_handing_a_concern_over_reads_to_a_colleague_in_english(world):
    """'Aan' on the triage card means 'to' (hand over to), not 'on'."""
    anna = world.students["t1"]
    care = client_for(world.users["care_l1"])
    care.post(
        f"/triage/student/{anna.pk}/",
        {"text": "Anna oogt moe.", "life_domains": ["mental_health"], "urgency": "normal"},
    )
    care.post("/i18n/setlang/", {"language": "en", "next": "/triage/"})
    page = care.get("/triage/").content.decode()
    assert "Hand over" in page
    assert '">To</label>' in page
    assert '">On</label>' not in page


def test_the_role_grants_say_to_whom_in_english(world):
    """The same 'Aan' heads the column of who received a role: 'To', not 'On'."""
    roc = world.users["coach"].memberships.first().organisation
    membership_create(user=world.users["nobody"], organisation=roc, role=Role.GOVERNANCE)
    privacy = client_for(world.users["privacy"])
    privacy.post("/i18n/setlang/", {"language": "en", "next": "/beheer/rollen/"})
    page = privacy.get("/beheer/rollen/").content.decode()
    assert '<th scope="col">To</th>' in page
    assert '<th scope="col">On</th>' not in page
