"""Every page has an icon: /favicon.ico was a 404 on every page (issue 16)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client


@pytest.mark.django_db
def test_every_page_names_its_icon_and_favicon_ico_finds_it():
    client = Client()
    page = client.get("/account/inloggen/").content.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert icons, "the page names no icon"
    for href in icons:
        assert finders.find(href.removeprefix("/static/")), href
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/static/") and location.endswith(".ico")
    found = finders.find(location.removeprefix("/static/"))
    assert found
    with open(found, "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file
