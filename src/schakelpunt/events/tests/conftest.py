from collections.abc import Iterator

import pytest

from .receiver import Receiver, run_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from run_receiver()


@pytest.fixture(autouse=True)
def _loopback_receivers(settings) -> None:  # type: ignore[no-untyped-def]
    """The test receiver listens on http://127.0.0.1; a short timeout keeps a hang short."""
    settings.EVENTS_ALLOW_LOOPBACK_HTTP = True
    settings.EVENTS_TIMEOUT = 0.5
