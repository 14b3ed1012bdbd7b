from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "consortia.integrations"
    label = "integrations"
    verbose_name = "Integrations and operations"

    def ready(self):
        from consortia.core.events import register_listener
        from consortia.core.worker import register_job

        from . import delivery, ops, waiting

        register_listener(delivery.on_event)
        waiting.register()
        # The heartbeat first: /readyz says the worker is alive even while deliveries are slow.
        register_job("integrations.heartbeat", ops.record_heartbeat)
        register_job("integrations.webhooks", delivery.deliver_due)
        register_job("integrations.webhook_log_prune", delivery.prune)
