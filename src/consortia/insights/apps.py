from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "consortia.insights"
    label = "insights"
    verbose_name = "Trust, engagement and network health"
