"""View guards that ask the access policy, for pages that are not about one student."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from .policy import may_open_student_files


def worklist_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A staff worklist (triage, absence, RMC, aftercare, non-arrivals): only for roles that
    open other students' files; everyone else gets the same 404 as for a page that is not
    there, rather than an empty staff list."""

    @login_required
    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_open_student_files(request.user):  # type: ignore[arg-type]
            raise Http404
        return view(request, *args, **kwargs)

    return guarded
