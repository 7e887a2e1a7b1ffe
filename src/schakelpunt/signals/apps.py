from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignalsConfig(AppConfig):
    name = "schakelpunt.signals"
    verbose_name = _("Signalen")

    def ready(self) -> None:
        # The yearly partition job lives outside tasks.py, which huey finds by itself.
        from . import partition_tasks  # noqa: F401
