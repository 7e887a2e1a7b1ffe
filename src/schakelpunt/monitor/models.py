from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MonitorSnapshot(models.Model):
    """A dashboard or table as shown: counts already protected, no names. Kept so that a page
    is a read, recomputed when it is older than allowed (see `snapshots`)."""

    scope = models.CharField(_("populatie"), max_length=40)  # gemeente:GM0153, regio:MC12, …
    period = models.CharField(_("periode"), max_length=20)
    kind = models.CharField(_("soort"), max_length=40)  # dashboard, tabel:gemeente, …
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField(_("berekend op"), default=timezone.now)

    class Meta:
        verbose_name = _("monitorberekening")
        verbose_name_plural = _("monitorberekeningen")
        constraints = [
            models.UniqueConstraint(fields=["scope", "period", "kind"], name="one_snapshot_each")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.period} {self.kind}"
