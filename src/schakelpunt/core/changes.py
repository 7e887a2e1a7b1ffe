"""One way for screens to carry out a change: the service decides, the user hears why."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest


def run_change(request: HttpRequest, change: Callable[[], Any], done: str) -> bool:
    """Run `change`; on success say `done`. A refusal by the access policy is the same 404
    as "not there"; a rule the change breaks is shown as the service's Dutch message(s)."""
    try:
        change()
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    messages.success(request, done)
    return True


def form_errors_as_messages(request: HttpRequest, form: Any) -> None:
    """A form's errors as messages on the next page, each with its field's label."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))
