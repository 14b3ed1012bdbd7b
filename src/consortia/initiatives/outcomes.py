"""The "elect an initiative leader" poll action, registered with the decisions app.

Payload (checked when the poll is created):
- consensus poll on one nominee: ``{"initiative": id, "person": person id}``;
- ranked (or approval/score) poll: ``{"initiative": id, "candidates": [person ids]}``; the
  validator turns it into ``{"candidates": {"<nominee name>": person id}}`` and the poll's
  option labels must be those names, since winners come back as labels.
Only nominees who accepted their nomination can stand. A tie elects nobody (a new poll is
needed); the term is the initiative's period, granted through services.elect_leader.

Two more actions belong to the participants: "initiative.recall_leader" (payload
``{"initiative": id, "term": id, "reason": text}``; a passed poll ends that term now) and
"initiative.extend_term" (payload ``{"initiative": id, "new_end": "YYYY-MM-DD", "term": id or
null}``; a passed poll moves the initiative's end and the term's end). The electorate of all
three is the participating organizations, snapshotted when the poll opens. They are
system-only: services.leader_election_open, leader_recall_open and term_extension_open check
who may open them and that only one of each kind is open at a time.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.urls import reverse

from consortia.networks.models import Person

from . import services
from .models import Initiative, LeadershipTerm, Nomination, Participation

ACTION = services.ELECT_ACTION
RECALL = services.RECALL_ACTION
EXTEND = services.EXTEND_ACTION


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


def electorate(poll) -> list[int]:
    """The participating organizations vote, one vote each."""
    return list(
        Participation.objects.filter(
            initiative_id=(poll.action_payload or {}).get("initiative"),
            initiative__network_id=poll.network_id,
            status=Participation.Status.ACTIVE,
        ).values_list("organization_id", flat=True)
    )


def _poll_initiative(poll) -> Initiative | None:
    return Initiative.objects.filter(
        network=poll.network, pk=(poll.action_payload or {}).get("initiative")
    ).first()


def subject(poll) -> tuple[str, str] | None:
    """The initiative an election, recall or extension poll is about, for the poll page."""
    initiative = _poll_initiative(poll)
    if initiative is None:
        return None
    return initiative.title, reverse("initiative_detail", args=[poll.network.slug, initiative.pk])


def validate_recall(network, payload) -> dict:
    initiative = _initiative(network, payload)
    term_id = payload.get("term")
    term = (
        LeadershipTerm.objects.filter(initiative=initiative, pk=term_id).first()
        if isinstance(term_id, int) and not isinstance(term_id, bool)
        else None
    )
    if term is None:
        raise ValidationError({"action_payload": "Name the leadership term to recall."})
    reason = payload.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError({"reason": "State the reason for the recall."})
    return {"initiative": initiative.pk, "term": term.pk, "reason": reason.strip()[:2000]}


def apply_recall(poll, result) -> None:
    """End the recalled term now when two thirds of the participants say yes."""
    if not result.get("passed"):
        return
    initiative = _poll_initiative(poll)
    if initiative is not None:
        services.leader_recall(
            initiative, poll.action_payload.get("term"), source=f"recall poll #{poll.pk}"
        )


def _new_end(payload) -> date | None:
    try:
        return date.fromisoformat(payload.get("new_end"))
    except (TypeError, ValueError):
        return None


def validate_extend(network, payload) -> dict:
    initiative = _initiative(network, payload)
    new_end = _new_end(payload)
    if new_end is None:
        raise ValidationError({"new_end": "Give the new end date."})
    if new_end <= initiative.ends_on:
        raise ValidationError({"new_end": "The new end must be after the current end."})
    term_id = payload.get("term")
    if term_id is not None and not (
        isinstance(term_id, int)
        and LeadershipTerm.objects.filter(initiative=initiative, pk=term_id).exists()
    ):
        raise ValidationError({"action_payload": "Name the leadership term to extend."})
    return {"initiative": initiative.pk, "new_end": new_end.isoformat(), "term": term_id}


def apply_extend(poll, result) -> None:
    """Move the initiative's end, and the current term's, when the participants agree."""
    if not result.get("passed"):
        return
    initiative = _poll_initiative(poll)
    new_end = _new_end(poll.action_payload or {})
    if initiative is not None and new_end is not None:
        services.term_extend(
            initiative,
            new_end,
            poll.action_payload.get("term"),
            source=f"extension poll #{poll.pk}",
        )


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
        electorate=electorate,
        system_only=True,
        subject=subject,
    )
    register_action(
        RECALL,
        apply_recall,
        label="Recall an initiative leader",
        kinds=("yes_no",),
        validate=validate_recall,
        electorate=electorate,
        system_only=True,
        subject=subject,
    )
    register_action(
        EXTEND,
        apply_extend,
        label="Extend an initiative and its leader's term",
        kinds=("consensus",),
        validate=validate_extend,
        electorate=electorate,
        system_only=True,
        subject=subject,
    )
    return True
