from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "consortia.metrics"
    label = "metrics"
    verbose_name = "Standard metrics, measurements and goals"

    def ready(self):
        from consortia.core.worker import register_job
        from consortia.metrics import outcomes
        from consortia.metrics.services import advance_import_jobs

        outcomes.register()
        register_job("measurement imports", advance_import_jobs)
