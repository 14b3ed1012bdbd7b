from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "consortia.networks"
    label = "networks"
    verbose_name = "Networks and organizations"

    def ready(self):
        # "Waiting for you" on the dashboard: admissions to decide, charters to accept.
        from consortia.networks import waiting

        waiting.register()
        from consortia.core.selectors import register_notification_filter
        from consortia.networks.selectors import notifications_inside_reach

        register_notification_filter(notifications_inside_reach)
