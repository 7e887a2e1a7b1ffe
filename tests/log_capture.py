"""Every log line the product writes during a test, as production renders it (JSON), with
every logger at DEBUG: the proof that logs and metrics hold no personal data
(tests/test_logs_hold_no_personal_data.py, the autouse fixture in conftest.py)."""

import io
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from schakelpunt.operations.logs import json_formatter

# Test tooling, not the product: factory_boy logs the values it builds a student from.
NOT_THE_PRODUCT = ("factory", "faker")


class _ProductOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(NOT_THE_PRODUCT)


@dataclass
class CapturedLogs:
    stream: io.StringIO = field(default_factory=io.StringIO)

    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()


@contextmanager
def captured_logs(level: int = logging.DEBUG) -> Iterator[CapturedLogs]:
    """All loggers at `level` (not settings.DEBUG), rendered by the production formatter."""
    captured = CapturedLogs()
    handler = logging.StreamHandler(captured.stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(_ProductOnly())
    root = logging.getLogger()
    # The filters of the configured handler (settings.LOGGING) apply here too.
    for product_handler in root.handlers:
        for product_filter in product_handler.filters:
            handler.addFilter(product_filter)
    loggers = [root] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    levels = [(logger, logger.level) for logger in loggers]
    # A logger that does not pass records up (huey's) gets the handler itself.
    attached = [root] + [logger for logger in loggers[1:] if not logger.propagate]
    # The configured handlers print what they printed before (DEBUG goes to the capture only).
    quieted = [
        (existing, existing.level, logger.getEffectiveLevel())
        for logger in attached
        for existing in logger.handlers
    ]
    for existing, before, effective in quieted:
        existing.setLevel(max(before, effective))
    for logger in loggers:
        if logger.level != logging.NOTSET or logger is root:
            logger.setLevel(level)
    for logger in attached:
        logger.addHandler(handler)
    try:
        yield captured
    finally:
        for logger in attached:
            logger.removeHandler(handler)
        for logger, before in levels:
            logger.setLevel(before)
        for existing, before, _effective in quieted:
            existing.setLevel(before)


def personal_data_patterns(values: Iterable[str]) -> dict[str, re.Pattern[str]]:
    """One whole-word, case-sensitive pattern per value (a name inside a longer word is not
    that name); values shorter than two characters say nothing on their own."""
    return {
        value: re.compile(rf"(?<!\w){re.escape(value)}(?!\w)")
        for value in {v.strip() for v in values}
        if len(value) >= 2
    }


def lines_naming(lines: Iterable[str], patterns: dict[str, re.Pattern[str]]) -> list[str]:
    return [
        f"{value!r} in: {line}"
        for line in lines
        for value, pattern in patterns.items()
        if pattern.search(line)
    ]


def personal_data() -> list[str]:
    """Every student's first and last name, number and BSN, and every guardian's name."""
    from schakelpunt.students.models import Guardian, Student

    values: list[str] = []
    for row in Student.objects.values_list("first_name", "last_name", "student_number", "bsn"):
        values.extend(row)
    values.extend(Guardian.objects.values_list("name", flat=True))
    return values


def metrics_lines() -> list[str]:
    """A /metrics scrape, without the sample values (a count is no student number)."""
    from django.test import Client

    text = Client().get("/metrics").content.decode()
    return [line.rsplit(" ", 1)[0] for line in text.splitlines() if not line.startswith("#")]


def personal_data_leaks(log_lines: list[str]) -> list[str]:
    patterns = personal_data_patterns(personal_data())
    return lines_naming(log_lines, patterns) + [
        f"(metrics) {leak}" for leak in lines_naming(metrics_lines(), patterns)
    ]
