from django.apps import AppConfig

UNREAD = "core_unread_notifications"


class CoreConfig(AppConfig):
    name = "consortia.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from consortia.core.notifications import send_daily_digests
        from consortia.core.worker import register_job

        register_job("daily digests", send_daily_digests)

        from consortia.core import hooks
        from consortia.core.selectors import unread_notifications

        # The header's unread count, loaded with the person in the query that loads them.
        hooks.register_person_annotation(UNREAD, unread_notifications)
