from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "schakelpunt.students"
    verbose_name = _("Studenten")
