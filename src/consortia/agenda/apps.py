from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "consortia.agenda"
    label = "agenda"
    verbose_name = "Partnering agenda"

    def ready(self):
        from . import waiting

        waiting.register()  # "Waiting for you": prospects' next steps due this week or late
