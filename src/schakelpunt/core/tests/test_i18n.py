from pathlib import Path

import polib
from django.test import Client

import schakelpunt

LOCALE = Path(schakelpunt.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def test_english_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(LOCALE / "django.mo"))}
    for entry in po:
        if not entry.msgid_plural:
            assert compiled.get(entry.msgid) == entry.msgstr, entry.msgid


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
