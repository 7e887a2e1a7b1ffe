"""The append-only access log: who read, changed or exported which part of whose file."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schakelpunt.core.append_only import AppendOnlyError as AppendOnlyError  # re-exported
from schakelpunt.core.append_only import AppendOnlyModel, AppendOnlyQuerySet

from .chain import GENESIS
from .parts import Action, EntryKind, Part


class AccessLogEntry(AppendOnlyModel):
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
    # A list names many students in one event; the student's own view shows only details.
    kind = models.CharField(
        _("soort"), max_length=10, choices=EntryKind.choices, default=EntryKind.DETAIL
    )
    # The hash chain (access/chain.py): position and SHA-256 over the content and the
    # previous entry's hash, so an edited, removed or moved row shows in `accesslog verify`.
    sequence = models.PositiveBigIntegerField(_("volgnummer"), unique=True)
    entry_hash = models.CharField(_("hash"), max_length=64)
    # Logboek Dataverwerkingen / NEN 7513 (issue 19): why, on which legal ground, on whose
    # behalf, and whether emergency access was used. Empty on rows written before the
    # register; `hash_version` 2 chains these fields too (access/chain.py).
    activity = models.CharField(_("verwerking"), max_length=30, blank=True, db_default="")
    legal_basis = models.CharField(_("grondslag"), max_length=20, blank=True, db_default="")
    on_behalf_of = models.CharField(_("namens"), max_length=300, blank=True, db_default="")
    emergency = models.BooleanField(_("noodtoegang"), db_default=False)
    hash_version = models.PositiveSmallIntegerField(_("hashversie"), db_default=1)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "part"]
        verbose_name = _("regel toegangslog")
        verbose_name_plural = _("toegangslog")
        indexes = [models.Index(fields=["student_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_display} {self.action} {self.part}"

    @property
    def role_display(self) -> str:
        from .policy import describe_roles

        return describe_roles(self.role)


class AccessDecision(AppendOnlyModel):
    """A refused attempt: someone asked for a student that exists but that the access policy
    does not let them see (the 404 they got is the same as for "not there"). Kept apart from
    the access log, append-only, so the privacy officer can see probing."""

    at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("gebruiker"),
    )
    user_display = models.CharField(_("naam gebruiker"), max_length=300)
    role = models.CharField(_("rol"), max_length=200, blank=True)
    on_behalf_of = models.CharField(_("namens"), max_length=300, blank=True)
    # No foreign key: the record outlives the student it speaks of.
    student_id = models.BigIntegerField(_("student"), db_index=True)
    action = models.CharField(_("handeling"), max_length=10, choices=Action.choices)
    part = models.CharField(_("onderdeel"), max_length=20, choices=Part.choices)
    path = models.CharField(_("adres"), max_length=300, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("geweigerde poging")
        verbose_name_plural = _("geweigerde pogingen")
        indexes = [models.Index(fields=["student_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_display} {self.action} {self.part}"


class AccessLogChainHead(models.Model):
    """The end of the hash chain, one row: appends lock it so writers never fork the chain,
    and `accesslog verify` compares it with the last entry (a cut-off tail shows)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    length = models.PositiveBigIntegerField(_("aantal regels"), default=0)
    last_hash = models.CharField(_("laatste hash"), max_length=64)
    # Where the chain starts now that its oldest part was deleted after five years
    # (access/retention.py, docs/decisions/0029): the place and hash of the last entry
    # deleted; 0 and GENESIS while nothing was ever deleted.
    anchor_sequence = models.PositiveBigIntegerField(
        _("begin van de keten"), default=0, db_default=0
    )
    anchor_hash = models.CharField(
        _("hash vóór het begin"), max_length=64, default=GENESIS, db_default=GENESIS
    )
    # The permit the database's guards read while that deletion runs, set and cleared inside
    # its one transaction: entries up to this place, older than this moment (and five years).
    purge_through = models.PositiveBigIntegerField(_("wissen tot en met"), default=0, db_default=0)
    purge_before = models.DateTimeField(_("wissen van vóór"), null=True, blank=True)

    class Meta:
        verbose_name = _("einde van de keten van het toegangslog")
        verbose_name_plural = _("einde van de keten van het toegangslog")

    def __str__(self) -> str:
        return f"{self.length} {self.last_hash}"
