from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "consortia.initiatives"
    label = "initiatives"
    verbose_name = "Initiatives, leadership terms, requests and commitments"

    def ready(self):
        from consortia.core.worker import register_job
        from consortia.initiatives import outcomes
        from consortia.initiatives.reminders import send_commitment_reminders

        outcomes.register()
        register_job("commitment reminders", send_commitment_reminders)

        from consortia.initiatives import waiting

        waiting.register()  # "Waiting for you": invitations, requests, nominations, commitments
