from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "consortia.decisions"
    label = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        # The built-in outcomes (admit, remove, amend_charter) register themselves on import.
        from consortia.core.worker import register_job
        from consortia.decisions import outcomes, services  # noqa: F401
        from consortia.networks import admission
        from consortia.networks.models import Network

        # Under the "vote" admission rule, a pending membership is decided by a poll (whose
        # "admit" outcome admits or rejects it): membership does not know about voting.
        admission.register(Network.AdmissionRule.VOTE, services.admission_poll_open)

        # Nothing correct depends on these running: a poll closes and settles when it is read.
        # The worker settles polls nobody reads (so outcomes and notices go out on time) and
        # reminds organizations that have not voted 24 hours before the close.
        register_job("decisions.settle_closed_polls", services.settle_closed_polls)
        register_job("decisions.remind_closing_polls", services.remind_closing_polls)

        from consortia.decisions import waiting

        waiting.register()  # "Waiting for you": polls the organization has not voted in
