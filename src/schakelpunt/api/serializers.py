"""Serializer conventions shared by the endpoints of /api/v1/."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers


class RejectUnknownFieldsMixin:
    """A field the serializer does not know is refused (400, code `unknown_field`) instead of
    silently dropped, so a typing error in a client never looks like a saved value:

        class StudentWriteSerializer(RejectUnknownFieldsMixin, serializers.Serializer): ...

    Read-only fields count as unknown in a request body too: a client cannot set them.
    Nested serializers that use the mixin check their own level."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {
                name
                for name, field in self.fields.items()  # type: ignore[attr-defined]
                if not field.read_only and not isinstance(field, serializers.HiddenField)
            }
            unknown = sorted(str(key) for key in data if key not in writable)
            if unknown:
                raise serializers.ValidationError(
                    {
                        key: [
                            serializers.ErrorDetail(
                                _("Dit veld bestaat niet (of kan niet worden gezet)."),
                                code="unknown_field",
                            )
                        ]
                        for key in unknown
                    }
                )
        return super().to_internal_value(data)  # type: ignore[misc]
