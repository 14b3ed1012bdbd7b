from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "consortia.insights"
    label = "insights"
    verbose_name = "Trust, engagement and network health"

    def ready(self):
        from consortia.core.worker import register_job

        from . import selectors

        register_job("insights.refresh_health", selectors.refresh_stale_snapshots)
