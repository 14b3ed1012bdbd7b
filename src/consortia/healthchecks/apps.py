from django.apps import AppConfig


class HealthchecksConfig(AppConfig):
    name = "consortia.healthchecks"
    label = "healthchecks"
    verbose_name = "Partnership health checks"

    def ready(self):
        from consortia.core import hooks
        from consortia.core.worker import register_job
        from consortia.networks.pages import Section, register_section

        from . import services
        from . import waiting as waiting_for_you

        register_job("healthchecks.unseal_due", services.unseal_due)
        hooks.listen(hooks.REVIEW_SNAPSHOT, services.review_snapshot_section)
        hooks.listen(hooks.CALENDAR_EVENTS, services.calendar_events)
        waiting_for_you.register()  # "Waiting for you": health checks to answer
        register_section(Section("health_checks", "Health checks", "healthcheck_list", "Measure"))
