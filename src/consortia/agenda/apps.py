from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "consortia.agenda"
    label = "agenda"
    verbose_name = "Partnering agenda"
