from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "consortia.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from consortia.core.notifications import send_daily_digests
        from consortia.core.worker import register_job

        register_job("daily digests", send_daily_digests)
