from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RefdataConfig(AppConfig):
    name = "schakelpunt.refdata"
    verbose_name = _("Referentiegegevens")
