"""The "elect an initiative leader" poll action, registered with the decisions app.

Payload (checked when the poll is created):
- consensus poll on one nominee: ``{"initiative": id, "person": person id}``;
- ranked (or approval/score) poll: ``{"initiative": id, "candidates": [person ids]}``; the
  validator turns it into ``{"candidates": {"<nominee name>": person id}}`` and the poll's
  option labels must be those names, since winners come back as labels.
Only nominees who accepted their nomination can stand. A tie elects nobody (a new poll is
needed); the term is the initiative's period, granted through services.elect_leader.
"""

from django.core.exceptions import ValidationError

from consortia.networks.models import Person

from . import services
from .models import Initiative, Nomination

ACTION = "initiative.elect_leader"


def _initiative(network, payload) -> Initiative:
    initiative_id = payload.get("initiative") if isinstance(payload, dict) else None
    initiative = (
        Initiative.objects.filter(network=network, pk=initiative_id).first()
        if isinstance(initiative_id, int) and not isinstance(initiative_id, bool)
        else None
    )
    if initiative is None:
        raise ValidationError({"action_payload": "Name the initiative whose leader is elected."})
    if initiative.status not in (Initiative.Status.PROPOSED, Initiative.Status.ACTIVE):
        raise ValidationError(f"“{initiative}” is {initiative.get_status_display().lower()}.")
    return initiative


def _nominees(initiative, person_ids) -> dict[str, int]:
    if (
        not isinstance(person_ids, list)
        or not person_ids
        or not all(isinstance(pk, int) and not isinstance(pk, bool) for pk in person_ids)
    ):
        raise ValidationError({"action_payload": "Name the nominees who stand."})
    accepted = {
        n.person_id: n.person.name
        for n in Nomination.objects.filter(
            initiative=initiative, person_id__in=person_ids, accepted_at__isnull=False
        ).select_related("person")
    }
    missing = set(person_ids) - set(accepted)
    if missing:
        raise ValidationError(
            {"action_payload": "Only nominees who accepted their nomination can stand."}
        )
    return {name: pk for pk, name in accepted.items()}


def validate(network, payload) -> dict:
    initiative = _initiative(network, payload)
    if "person" in payload:
        candidates = _nominees(initiative, [payload["person"]])
        return {"initiative": initiative.pk, "person": next(iter(candidates.values()))}
    return {
        "initiative": initiative.pk,
        "candidates": _nominees(initiative, payload.get("candidates")),
    }


def apply(poll, result) -> None:
    """Grant the term to the winner; nothing happens if the poll failed or tied."""
    if not result.get("passed"):
        return
    payload = poll.action_payload or {}
    initiative = Initiative.objects.filter(
        network=poll.network, pk=payload.get("initiative")
    ).first()
    if initiative is None:
        return
    if "person" in payload:
        person_id = payload["person"]
    else:
        winners = result.get("winners") or []
        if len(winners) != 1:
            return
        person_id = (payload.get("candidates") or {}).get(winners[0])
    person = Person.objects.filter(pk=person_id).first() if person_id else None
    if person is None:
        return
    try:
        services.elect_leader(initiative, person, source=f"election poll #{poll.pk}")
    except ValidationError:
        return  # the winner's organization left meanwhile: the participants elect again


def register() -> bool:
    """Register the action if the decisions app is installed (called from AppConfig.ready)."""
    from django.apps import apps

    if not apps.is_installed("consortia.decisions"):
        return False
    try:
        from consortia.decisions.outcomes import register as register_action
    except ImportError:  # pragma: no cover - an older decisions app
        return False
    register_action(
        ACTION,
        apply,
        label="Elect an initiative leader",
        kinds=("consensus", "ranked", "approval", "score"),
        validate=validate,
    )
    return True
