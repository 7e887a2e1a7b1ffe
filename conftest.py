import os
import shutil
import sys

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config: pytest.Config) -> None:
    """SCHAKELPUNT_TEST_TODAY=2026-12-28 runs the suite as if it were that day (the clock
    keeps ticking from its start): a date sweep over holidays and school-year ends finds the
    tests that only pass on ordinary weekdays. Processes the tests start keep the real date."""
    today = os.environ.get("SCHAKELPUNT_TEST_TODAY")
    if today:
        import time_machine

        config._schakelpunt_travel = time_machine.travel(f"{today} 10:00 +01:00", tick=True)  # type: ignore[attr-defined]
        config._schakelpunt_travel.start()  # type: ignore[attr-defined]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("SCHAKELPUNT_TEST_TODAY"):
        return
    skip = pytest.mark.skip(reason="another clock than the moved one decides")
    for item in items:
        if item.get_closest_marker("outside_clock"):
            item.add_marker(skip)


def pytest_collection_finish(session: pytest.Session) -> None:
    """`--dist loadgroup` must keep each role's crawl in one process, or every role is crawled
    two to four times (pytest 9.2 with pytest-xdist 3.8 lost the groups without a word)."""
    if not getattr(session.config.option, "loadgroup", False):
        return  # not an xdist worker of a loadgroup run
    lost = [
        item.nodeid
        for item in session.items
        if item.get_closest_marker("xdist_group") and "@" not in item.nodeid
    ]
    if lost:
        message = (
            f"pytest-xdist did not group {len(lost)} tests marked xdist_group "
            f"(e.g. {lost[0]}): check the pytest and pytest-xdist versions"
        )
        print(message, file=sys.stderr)  # a worker's exception is not shown, only its crash
        raise pytest.UsageError(message)


@pytest.fixture
def refdata(db):  # type: ignore[no-untyped-def]
    """The CBS reference data and the regional school holidays; loaded again after a transactional test emptied the tables."""
    from schakelpunt.refdata.loader import load_reference_data
    from schakelpunt.refdata.models import Municipality, PostcodeArea, RmcRegion

    if not Municipality.objects.exists():
        load_reference_data(
            RmcRegion=RmcRegion, Municipality=Municipality, PostcodeArea=PostcodeArea
        )
    from schakelpunt.refdata.loader import load_school_holidays
    from schakelpunt.refdata.models import RegionalHoliday

    if not RegionalHoliday.objects.exists():
        load_school_holidays(RegionalHoliday=RegionalHoliday)


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_access_log_guards():  # type: ignore[no-untyped-def]
    """The access log refuses TRUNCATE and DELETE; transactional tests still empty it."""
    from tests.log_guards import allow_test_flush

    allow_test_flush()


@pytest.fixture
def world(refdata):  # type: ignore[no-untyped-def]
    from tests.world import build_world

    return build_world()


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's chromium driven by Playwright; never a downloaded browser."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"chromium is required in CI but was not found at {CHROMIUM}")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop; the ORM in the test thread is still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _dutch_unless_a_test_asks_otherwise():  # type: ignore[no-untyped-def]
    """A request in English leaves English active in the thread (LocaleMiddleware does not
    reset it): every test starts, and ends, in the default language."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _logs_and_metrics_hold_no_personal_data(request):  # type: ignore[no-untyped-def]
    """Every browser test doubles as a check that the product logs and measures no personal
    data: all loggers at DEBUG through the production (JSON) pipeline while the test clicks
    through the screens, then every line and a /metrics scrape are searched for each
    student's name, number and BSN and each guardian's name (docs/operations.md)."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    marker = request.node.get_closest_marker("django_db")
    transactional = "live_server" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )
    if not transactional and marker is None:
        yield  # no database, so no student whose data could leak
        return
    # Set up before the test's own fixtures, so the data is torn down after the search below.
    request.getfixturevalue("transactional_db" if transactional else "db")
    from tests.log_capture import captured_logs, personal_data_leaks

    with captured_logs() as logs:
        yield
    leaks = personal_data_leaks(logs.lines())
    if leaks:
        pytest.fail("Personal data in the logs or metrics:\n" + "\n".join(leaks[:20]))
