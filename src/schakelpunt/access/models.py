"""The append-only access log: who read, changed or exported which part of whose file."""

import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .parts import Action, Part


class AppendOnlyError(Exception):
    """The access log is never changed or deleted."""


class AccessLogQuerySet(models.QuerySet["AccessLogEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The access log is append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The access log is append-only.")


class AccessLogEntry(models.Model):
    # Entries written in one request share an event id, so a view of five parts is one visit.
    event_id = models.UUIDField(_("gebeurtenis"), default=uuid.uuid4, db_index=True)
    at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("gebruiker"),
    )
    # Kept as written: the name and organisation at the time of access.
    user_display = models.CharField(_("naam gebruiker"), max_length=300)
    role = models.CharField(_("rol"), max_length=200)
    # No foreign key: the log outlives the student record it speaks of.
    student_id = models.BigIntegerField(_("student"), db_index=True)
    action = models.CharField(_("handeling"), max_length=10, choices=Action.choices)
    part = models.CharField(_("onderdeel"), max_length=20, choices=Part.choices)
    path = models.CharField(_("adres"), max_length=300, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "part"]
        verbose_name = _("regel toegangslog")
        verbose_name_plural = _("toegangslog")
        indexes = [models.Index(fields=["student_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_display} {self.action} {self.part}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The access log is append-only.")

    @property
    def role_display(self) -> str:
        from .policy import describe_roles

        return describe_roles(self.role)
