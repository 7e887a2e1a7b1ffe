"""Structured logs (django-structlog, docs/operations.md): JSON lines on stdout in production,
readable lines on a developer's screen. Both run every line, also those of Django, huey and
other libraries, through the same structlog processors, so a request id reaches all of them.

Nothing here may add personal data: the request middleware logs the path without its query
string and the user's id, never a name or e-mail address (tests/test_logs_hold_no_personal_data.py).
"""

import logging
import re
from typing import Any

import structlog

# Applied to structlog's own events and to every standard-library record alike.
SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.stdlib.PositionalArgumentsFormatter(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
]


class NoTemplateContext(logging.Filter):
    """Drops Django's template-engine messages: at DEBUG it logs every variable a template
    misses with the whole context in the traceback, students' names included."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith("django.template")


def configure_structlog() -> None:
    """structlog hands its events to the standard library, whose handlers render them."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


# What PostgreSQL adds to a constraint error: the row's or the key's values ("DETAIL:  Failing
# row contains (1, 4051235, Fatima, …)", "Key (student_number)=(4051235) already exists").
_ROW_VALUES = re.compile(r"^\s*DETAIL:.*$|Failing row contains \(.*?\)|Key \(.*?\)=\(.*?\)", re.M)


def no_row_values(logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
    """Take the database's echo of row values out of an error and its traceback."""
    for key in ("exception", "event"):
        value = event.get(key)
        if isinstance(value, str) and (
            "DETAIL" in value or "Key (" in value or "row contains" in value
        ):
            event[key] = _ROW_VALUES.sub("[waarden weggelaten]", value)
    return event


def structured_formatter(*, json: bool) -> dict[str, Any]:
    """A logging formatter (dictConfig form) that renders a record as one JSON object or as
    a readable line. Tracebacks as text: a traceback with local variables could hold a
    student's data."""
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            no_row_values,
            renderer,
        ],
        "foreign_pre_chain": SHARED_PROCESSORS,
    }


def logging_config(*, json: bool, level: str) -> dict[str, Any]:
    """Django's LOGGING: JSON on stdout (one object a line) or readable lines on stderr."""
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "structured",
        "stream": "ext://sys.stdout" if json else "ext://sys.stderr",
        "filters": ["no_template_context"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": structured_formatter(json=json)},
        "filters": {"no_template_context": {"()": NoTemplateContext}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        # huey's consumer gives its logger a plain handler of its own unless it has one.
        "loggers": {"huey": {"handlers": ["console"], "level": level, "propagate": False}},
    }


def json_formatter() -> logging.Formatter:
    """The production formatter as an object (for a handler added at run time)."""
    options = structured_formatter(json=True)
    factory = options.pop("()")
    formatter: logging.Formatter = factory(**options)
    return formatter
