"""Pages of a collection as the API Design Rules' pagination module asks (docs/api.md):
`page` (from 1) and `pageSize` in the query, navigation in an RFC 8288 `Link` header with
`first`, `prev`, `next` and `last` (a relation without a target is left out), the body an
object with `count` and `results`. Every list is ordered on a unique key, so pages never
overlap or skip (the views order on `pk` last)."""

from typing import Any

from django.core.paginator import InvalidPage
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class QueryParameterInvalid(exceptions.ValidationError):
    """A bad value for a query key: 400, with the key named (`in: query`)."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__({name: [detail]})
        self.location = "query"


class PageNumberLinkPagination(pagination.BasePagination):
    page_query_param = "page"
    page_size_query_param = "pageSize"
    default_page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(
        self, queryset: QuerySet[Any] | list[Any], request: Request, view: Any = None
    ) -> list[Any]:
        self.request = request
        number = self._positive(self.page_query_param, default=1)
        size = self._positive(self.page_size_query_param, default=self.default_page_size)
        if size > self.max_page_size:
            raise QueryParameterInvalid(
                self.page_size_query_param,
                _("Hoogstens %(max)d per pagina.") % {"max": self.max_page_size},
            )
        paginator = DjangoPaginator(queryset, size)
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            raise exceptions.NotFound(
                _("Pagina %(page)d bestaat niet; de laatste is %(last)d.")
                % {"page": number, "last": paginator.num_pages}
            ) from None
        return list(self.page)

    def _positive(self, name: str, *, default: int) -> int:
        raw = self.request.query_params.get(name)
        if raw is None:
            return default
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise QueryParameterInvalid(name, _("Moet een geheel getal van 1 of meer zijn."))
        return int(raw)

    def _url(self, number: int) -> str:
        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_links(self) -> dict[str, str]:
        page = self.page
        last = page.paginator.num_pages
        links = {"first": self._url(1)}
        if page.has_previous():
            links["prev"] = self._url(page.previous_page_number())
        if page.has_next():
            links["next"] = self._url(page.next_page_number())
        links["last"] = self._url(last)
        return links

    def get_paginated_response(self, data: Any) -> Response:
        response = Response({"count": self.page.paginator.count, "results": data})
        response["Link"] = ", ".join(
            f'<{url}>; rel="{rel}"' for rel, url in self.get_links().items()
        )
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "minimum": 0,
                    "description": _("Het aantal in de hele verzameling."),
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": _("Het nummer van de pagina, vanaf 1."),
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": _("Het aantal per pagina."),
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.default_page_size,
                },
            },
        ]
