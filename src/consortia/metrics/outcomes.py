"""Poll actions of the metrics app: adopt a catalog metric as standard, or retire it.

Payload ``{"metric": id}``; the electorate is the network's active members (the default).
Opened through services.metric_poll_open (system-only: the page's button checks the metric's
state and that no other poll about it is open).
"""

from django.core.exceptions import ValidationError

from .models import Metric


def _validate(wanted_from: tuple[str, ...]):
    def validate(network, payload) -> dict:
        metric_id = payload.get("metric") if isinstance(payload, dict) else None
        metric = (
            Metric.objects.filter(network=network, pk=metric_id, scope="network").first()
            if isinstance(metric_id, int) and not isinstance(metric_id, bool)
            else None
        )
        if metric is None:
            raise ValidationError({"action_payload": "Name the catalog metric the poll decides."})
        if metric.status not in wanted_from:
            raise ValidationError(f"“{metric.name}” is {metric.get_status_display().lower()}.")
        return {"metric": metric.pk, "name": metric.name}

    return validate


def apply_adopt(poll, result) -> None:
    from . import services

    if result.get("passed"):
        services.metric_set_status(
            (poll.action_payload or {}).get("metric"),
            Metric.Status.STANDARD,
            source=f"adopted by poll #{poll.pk}",
        )


def apply_retire(poll, result) -> None:
    from . import services

    if result.get("passed"):
        services.metric_set_status(
            (poll.action_payload or {}).get("metric"),
            Metric.Status.RETIRED,
            source=f"retired by poll #{poll.pk}",
        )


def register() -> bool:
    from django.apps import apps

    if not apps.is_installed("consortia.decisions"):
        return False
    from consortia.decisions.outcomes import register as register_action

    from .services import ADOPT_ACTION, RETIRE_ACTION

    register_action(
        ADOPT_ACTION,
        apply_adopt,
        label="Adopt a standard metric",
        kinds=("yes_no", "consensus"),
        validate=_validate((Metric.Status.PROPOSED, Metric.Status.RETIRED)),
        system_only=True,
    )
    register_action(
        RETIRE_ACTION,
        apply_retire,
        label="Retire a standard metric",
        kinds=("yes_no", "consensus"),
        validate=_validate((Metric.Status.STANDARD,)),
        system_only=True,
    )
    return True
