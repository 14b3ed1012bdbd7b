from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "consortia.metrics"
    label = "metrics"
    verbose_name = "Standard metrics, measurements and goals"
