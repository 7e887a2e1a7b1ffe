"""What the write endpoints of a school's systems share: which institution a request writes
into, strict request bodies, and turning the importers' row errors into `invalidParams`.

A connected system writes into its own organisation only; a person logged in on a screen
names the institution in the body (`institution`), and the access policy decides."""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from schakelpunt.accounts.models import Organisation, User
from schakelpunt.accounts.roles import OrganisationKind
from schakelpunt.api.permissions import request_client
from schakelpunt.api.problems import problem_response
from schakelpunt.api.serializers import RejectUnknownFieldsMixin

# The policy function of the endpoint: may_import_students, may_write_programmes, ...
MayWrite = Callable[[User, Organisation], bool]


class StrictSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    """Refuses fields it does not know, so a typing error in a field name never passes as
    'left out' (and, for a student, empties that field)."""


class InstitutionField(serializers.IntegerField):
    """The institution a person writes for; a system may leave it out (its own)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)  # a number the database can hold
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Het nummer van de instelling. Een koppeling laat het weg: zij levert altijd "
                "aan voor de eigen instelling."
            ),
        )
        super().__init__(**kwargs)


class WriteRefused(Exception):
    """The request may not write into that institution; `response` says why."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.data)
        self.response = response


def writing_institution(
    request: Request, given: int | None, may_write: MayWrite, refusal: str
) -> Organisation:
    """The institution this request writes into, or WriteRefused (a problem+json answer).

    A system: its own organisation, and a different `institution` is refused. A person: the
    institution they name, if the policy lets them write there; an unknown number and a
    refusal look the same (403), so nobody learns which institutions exist."""
    user: User = request.user  # type: ignore[assignment]
    client = request_client(request)
    if client is not None:
        if given is not None and given != client.organisation_id:
            raise WriteRefused(
                problem_response(
                    status.HTTP_403_FORBIDDEN,
                    _("Een koppeling levert alleen aan voor de eigen instelling."),
                    instance=request.path,
                )
            )
        institution = client.organisation
    else:
        if given is None:
            raise WriteRefused(
                invalid_rows_response(request, [(("institution",), _("Kies de instelling."))])
            )
        found = Organisation.objects.filter(pk=given, kind=OrganisationKind.MBO_INSTITUTION).first()
        if found is None:
            raise WriteRefused(
                problem_response(status.HTTP_403_FORBIDDEN, refusal, instance=request.path)
            )
        institution = found
    if not may_write(user, institution):
        raise WriteRefused(
            problem_response(status.HTTP_403_FORBIDDEN, refusal, instance=request.path)
        )
    return institution


def body_too_large(request: Request, advice: str) -> Response | None:
    """413 before the body is read, when it is more than this installation accepts
    (DATA_UPLOAD_MAX_MEMORY_SIZE; Django would otherwise answer a bare 400). `advice` says
    how many rows fit in one request."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if limit is None or length <= limit:
        return None
    return problem_response(
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        _(
            "De aanvraag is %(size).1f MB; deze installatie neemt hoogstens %(limit).1f MB per "
            "aanvraag aan. Er is niets opgeslagen. %(advice)s"
        )
        % {"size": length / 1_000_000, "limit": limit / 1_000_000, "advice": advice},
        instance=request.path,
    )


def pointer(path: Iterable[str | int]) -> str:
    """A place in the request body as a JSON pointer: ("days", 3, "date") -> #/days/3/date."""
    return "#" + "".join(f"/{token}" for token in path)


def invalid_rows_response(
    request: Request, problems: Iterable[tuple[Sequence[str | int], str]]
) -> Response:
    """400 naming each wrong value by its place in the body (ADR errors, and invalidParams
    with the same names as DRF's own validation errors); nothing was saved."""
    return problem_response(
        status.HTTP_400_BAD_REQUEST,
        _("Een of meer waarden kloppen niet; er is niets opgeslagen."),
        instance=request.path,
        errors=[
            {
                "in": "body",
                "location": {"pointer": pointer(path)},
                "code": "invalid",
                "detail": message,
            }
            for path, message in problems
        ],
    )
