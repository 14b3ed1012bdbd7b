from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "consortia.networks"
    label = "networks"
    verbose_name = "Networks and organizations"

    def ready(self):
        # "Waiting for you" on the dashboard: admissions to decide, charters to accept.
        from consortia.networks import waiting

        waiting.register()
