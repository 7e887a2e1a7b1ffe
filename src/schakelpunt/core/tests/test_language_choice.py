"""The language menu names each language in that language ("English", not "Engels"), marked
with its own lang, so a reader who doesn't read Dutch finds their language (WCAG 3.1.2)."""

import re

from django.test import Client


def test_each_language_is_offered_in_its_own_words(db) -> None:
    for accept in ("nl", "en"):
        page = Client(HTTP_ACCEPT_LANGUAGE=accept).get("/account/inloggen/").content.decode()
        options = re.findall(r'<option value="(\w+)" lang="(\w+)"[^>]*>([^<]+)</option>', page)
        assert [(code, lang, name) for code, lang, name in options if code == lang] == [
            ("nl", "nl", "Nederlands"),
            ("en", "en", "English"),
        ], accept
