"""The people around a student. Trajectories and plans build on this (issue 3)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SupportTeamMember(models.Model):
    """A professional who is part of one student's support team."""

    student = models.ForeignKey(
        "students.Student",
        on_delete=models.CASCADE,
        related_name="support_team",
        verbose_name=_("student"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="support_teams",
        verbose_name=_("teamlid"),
    )
    role_description = models.CharField(_("rol in het team"), max_length=100)
    added_on = models.DateField(_("toegevoegd op"), default=timezone.localdate)
    ended_on = models.DateField(_("gestopt op"), null=True, blank=True)

    class Meta:
        verbose_name = _("lid van ondersteuningsteam")
        verbose_name_plural = _("leden van ondersteuningsteam")

    def __str__(self) -> str:
        return f"{self.user} ({self.role_description})"
