"""The register of processing activities for the privacy officer: a page and its CSV."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from schakelpunt.access.policy import privacy_officer_institutions
from schakelpunt.accounts.models import User

from .register_selectors import processing_register, register_csv, tables_without_personal_data


def _officer_only(request: HttpRequest) -> None:
    user: User = request.user  # type: ignore[assignment]
    if not privacy_officer_institutions(user):
        raise Http404


@login_required
def register_page(request: HttpRequest) -> HttpResponse:
    """Per processing activity: purpose, legal basis, data and where they are kept, receivers,
    retention and source. It names no student, so reading it is not a read of a file."""
    _officer_only(request)
    return render(
        request,
        "privacy/register/register.html",
        {"entries": processing_register(), "other_tables": tables_without_personal_data()},
    )


@login_required
def register_download(request: HttpRequest) -> HttpResponse:
    _officer_only(request)
    response = HttpResponse(register_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="register-van-verwerkingen.csv"'
    return response
