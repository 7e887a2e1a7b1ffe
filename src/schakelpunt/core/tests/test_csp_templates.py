"""The Content-Security-Policy allows no inline script or style: the templates have none.

The browser test (tests/test_browser_csp.py) sees the pages it opens; this one reads every
template, so that a page no test opens cannot bring an inline script back.
"""

import re
from pathlib import Path

from django.conf import settings
from django.test import Client

SRC = Path(__file__).resolve().parents[2]
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "htmx script attribute": re.compile(r"\shx-on\b|\shx-vals\s*=\s*['\"]js:", re.I),
}


def test_no_template_has_inline_script_or_style() -> None:
    found = [
        f"{path.relative_to(SRC)}: {what}"
        for path in SRC.rglob("templates/**/*.html")
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert not found, found


def test_every_page_carries_the_policy(db) -> None:  # type: ignore[no-untyped-def]
    header = Client().get("/account/inloggen/")["Content-Security-Policy"]
    directives = {d.strip() for d in header.split(";")}
    assert {"script-src 'self'", "style-src 'self'", "object-src 'none'"} <= directives
    assert "unsafe" not in header
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["frame-ancestors"] == ["'none'"]
