from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "schakelpunt.events"
    label = "events"
    verbose_name = "Gebeurtenissen voor gekoppelde systemen"
