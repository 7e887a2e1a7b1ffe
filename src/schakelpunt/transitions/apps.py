from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransitionsConfig(AppConfig):
    name = "schakelpunt.transitions"
    verbose_name = _("In- en uitstroom")
