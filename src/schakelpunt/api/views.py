"""The two resources of /api/v1/ that need no sleutel: the landing resource and the OpenAPI
document (ADR /core/publish-openapi: readable without logging in, from any origin). Neither
holds personal data: the document names fields, never their values (decision 0027)."""

from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiJsonRenderer2
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import permissions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .middleware import api_version
from .schema import server_url

# The document only changes with the code: made once per address and language, as making it
# costs a tenth of a second or more and anyone may ask for it.
_DOCUMENTS: dict[tuple[str, str], Any] = {}
_MAX_DOCUMENTS = 16


@receiver(setting_changed)
def _forget_documents(*, setting: str, **kwargs: Any) -> None:
    if setting in ("SPECTACULAR_SETTINGS", "REST_FRAMEWORK", "ROOT_URLCONF"):
        _DOCUMENTS.clear()


class ApiLandingView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="getLanding",
        tags=["api"],
        summary="Startpunt",
        description="De naam en versie van de API, met een verwijzing naar dit document.",
        auth=[],
        responses=inline_serializer(
            "Landing",
            fields={
                "naam": serializers.CharField(),
                "versie": serializers.CharField(),
                "openapi": serializers.URLField(help_text="Het adres van dit document."),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "naam": "Schakelpunt API",
                "versie": api_version(),
                "openapi": request.build_absolute_uri("/api/v1/openapi.json"),
            }
        )


class OpenApiDocumentView(SpectacularAPIView):
    """The document as JSON, for anyone; a wrong or missing sleutel does not matter here."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    renderer_classes = [OpenApiJsonRenderer2, OpenApiJsonRenderer]

    @extend_schema(
        operation_id="getOpenapi",
        tags=["api"],
        summary="Dit document",
        description="Het OpenAPI-document van deze API, voor iedereen leesbaar.",
        auth=[],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="Het OpenAPI-document.")},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        language = request.GET.get("lang") or translation.get_language() or ""
        key = (server_url(request), language)
        if key in _DOCUMENTS:
            response = Response(_DOCUMENTS[key])
        else:
            response = super().get(request, *args, **kwargs)
            if response.status_code == 200 and len(_DOCUMENTS) < _MAX_DOCUMENTS:
                _DOCUMENTS[key] = response.data
        response["Access-Control-Allow-Origin"] = "*"
        return response
