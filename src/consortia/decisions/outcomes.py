"""What a poll does when it closes: a registry of actions, applied exactly once by poll_settle().

Other apps register their own actions at import time (from their AppConfig.ready())::

    from consortia.decisions.outcomes import register

    @register("initiative.elect_leader", label="Elect an initiative leader",
              kinds=("ranked", "consensus"), validate=check_payload)
    def elect_leader(poll, result):
        ...

``validate(network, payload) -> payload`` runs when the poll is created and raises
ValidationError for a payload that cannot work; ``excluded(poll) -> set of organization ids``
names organizations that do not vote (the one whose removal is decided); ``electorate(poll) ->
organization ids`` replaces the default electorate (the network's active member organizations),
e.g. with the participants of an initiative; the action function
receives the poll and the stored result (``result["passed"]``, ``result["winners"]``) and runs
inside the settling transaction, after the conditional UPDATE that makes it run only once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consortia.core.events import emit
from consortia.core.models import Audience
from consortia.core.notifications import notify
from consortia.core.validators import validate_name
from consortia.networks.models import Agreement, Network, NetworkMembership, Person

Status = NetworkMembership.Status
# A removed organization stays a member this many days after the vote unless the poll says
# otherwise (0 to REMOVAL_NOTICE_MAX).
REMOVAL_NOTICE_DAYS = 30
REMOVAL_NOTICE_MAX = 90
DECISION_KINDS = ("yes_no", "consensus")


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    apply: Callable
    kinds: tuple[str, ...] = DECISION_KINDS
    validate: Callable | None = None
    excluded: Callable | None = None
    electorate: Callable | None = None
    system_only: bool = False
    # Polls of this action close as soon as every voter has voted, unless their author says
    # otherwise when creating them.
    close_when_all_voted: bool = False
    extra: dict = field(default_factory=dict)
    # ``subject(poll) -> (label, url) | None``: what the poll decides about (an initiative for
    # its leader election), linked from the poll page so that a voter can go back to it.
    subject: Callable | None = None


_REGISTRY: dict[str, Action] = {}


def register(
    name: str,
    func: Callable | None = None,
    *,
    label: str | None = None,
    kinds=DECISION_KINDS,
    validate=None,
    excluded=None,
    electorate=None,
    system_only: bool = False,
    close_when_all_voted: bool = False,
    subject=None,
):
    """Register the function applying the outcome of polls with action `name`, as a decorator
    (``@register("x", label=...)``) or directly (``register("x", func)``). The function is
    called as ``func(poll, result)``."""

    def decorator(func):
        _REGISTRY[name] = Action(
            name=name,
            label=label or name.replace("_", " ").replace(".", ": ").capitalize(),
            apply=func,
            kinds=tuple(kinds),
            validate=validate,
            excluded=excluded,
            electorate=electorate,
            system_only=system_only,
            close_when_all_voted=close_when_all_voted,
            subject=subject,
        )
        return func

    return decorator(func) if func is not None else decorator


def get(name: str) -> Action | None:
    return _REGISTRY.get(name)


def subject(poll) -> tuple[str, str] | None:
    """(label, url) of what the poll decides about, when its action names one."""
    action = _REGISTRY.get(poll.action) if poll.action else None
    return action.subject(poll) if action is not None and action.subject is not None else None


def choices(*, include_system: bool = False) -> list[tuple[str, str]]:
    return [
        (action.name, action.label)
        for action in _REGISTRY.values()
        if include_system or not action.system_only
    ]


# Built-in actions -------------------------------------------------------------------------


def _membership(network, payload) -> NetworkMembership:
    membership_id = payload.get("membership") if isinstance(payload, dict) else None
    membership = (
        NetworkMembership.objects.select_related("organization")
        .filter(network=network, pk=membership_id)
        .first()
        if isinstance(membership_id, int)
        else None
    )
    if membership is None:
        raise ValidationError({"action_payload": "Name the membership the poll decides on."})
    return membership


def _validate_admit(network, payload) -> dict:
    membership = _membership(network, payload)
    if not membership.is_pending:
        raise ValidationError(f"{membership.organization} is not waiting for admission.")
    return {
        "membership": membership.pk,
        "organization": membership.organization.name,
        "requested_at": membership.created_at.isoformat(),
    }


def _validate_remove(network, payload) -> dict:
    membership = _membership(network, payload)
    if membership.status != Status.ACTIVE:
        raise ValidationError(f"{membership.organization} is not an active member.")
    reason = (payload.get("reason") or "").strip() if isinstance(payload.get("reason"), str) else ""
    if not reason:
        raise ValidationError(
            {"reason": "State the reason for the removal; the organization will read it."}
        )
    notice = payload.get("notice_days", REMOVAL_NOTICE_DAYS)
    if type(notice) is not int or not 0 <= notice <= REMOVAL_NOTICE_MAX:
        raise ValidationError(
            {"notice_days": f"Give the notice period in days, from 0 to {REMOVAL_NOTICE_MAX}."}
        )
    return {
        "membership": membership.pk,
        "organization": membership.organization.name,
        "organization_id": membership.organization_id,
        "reason": reason[:2000],
        "notice_days": notice,
    }


def _excluded_remove(poll) -> set[int]:
    org_id = poll.action_payload.get("organization_id")
    return {org_id} if org_id else set()


def _validate_amend(network, payload) -> dict:
    text = payload.get("text") if isinstance(payload, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise ValidationError({"charter_text": "Write the amended charter text."})
    title = payload.get("title") if isinstance(payload.get("title"), str) else ""
    return {"text": text.strip(), "title": validate_name(title.strip(), "action_payload")[:200]}


def _validate_admission_rule(network, payload) -> dict:
    payload = payload if isinstance(payload, dict) else {}
    rule = payload.get("rule")
    if rule not in Network.AdmissionRule.values:
        raise ValidationError(
            {"admission_rule": "Choose approvals by team leaders or a vote of the members."}
        )
    approvals = payload.get("approvals_required", network.approvals_required)
    if rule == Network.AdmissionRule.TEAM_LEADER_APPROVALS and (
        type(approvals) is not int or not 1 <= approvals <= 50
    ):
        raise ValidationError(
            {"approvals_required": "Choose between 1 and 50 approving organizations."}
        )
    if rule == Network.AdmissionRule.VOTE:
        approvals = network.approvals_required
    if rule == network.admission_rule and approvals == network.approvals_required:
        raise ValidationError(
            {"admission_rule": "This is already how the network admits organizations."}
        )
    return {"rule": rule, "approvals_required": approvals}


@register(
    "admit",
    label="Admit an organization",
    validate=_validate_admit,
    system_only=True,
    close_when_all_voted=True,
)
def admit(poll, result) -> None:
    """Admit the applicant when the poll passes, otherwise reject it (replaces the interim rule)."""
    membership = (
        NetworkMembership.objects.select_for_update()
        .select_related("organization", "network")
        .filter(pk=poll.action_payload.get("membership"))
        .first()
    )
    if (
        membership is None
        or not membership.is_pending
        or membership.created_at.isoformat() != poll.action_payload.get("requested_at")
    ):
        return  # withdrawn, decided or asked again meanwhile: this poll no longer decides it
    now = timezone.now()
    if result.get("passed"):
        membership.status, membership.decided_at, membership.joined_at = Status.ACTIVE, now, now
        membership.save(update_fields=["status", "decided_at", "joined_at"])
        verb, summary = "network.admitted", f"{membership.organization} was admitted by vote"
    else:
        membership.status, membership.decided_at = Status.REJECTED, now
        membership.save(update_fields=["status", "decided_at"])
        verb, summary = "network.not_admitted", f"{membership.organization} was not admitted"
    emit(
        actor=None,
        organization=membership.organization,
        network=poll.network,
        verb=verb,
        obj=membership,
        audience=Audience.NETWORK,
        summary=f"{summary} ({poll.title})",
    )


@register(
    "remove",
    label="Remove a member organization",
    validate=_validate_remove,
    excluded=_excluded_remove,
)
def remove(poll, result) -> None:
    """Remove the member when the poll passes, effective when the notice period after the close
    ends: the row says "removed" at once, with ended_at at the end of the notice, and
    NetworkMembership.active_q() counts it as active until then (derived from the clock, no
    worker needed).

    The organization keeps its own profile and people (organizations always see themselves)
    and can export its data; after the notice it loses access to the network's member pages.
    """
    if not result.get("passed"):
        return
    membership = (
        NetworkMembership.objects.select_for_update()
        .select_related("organization")
        .filter(pk=poll.action_payload.get("membership"))
        .first()
    )
    if membership is None or membership.status != Status.ACTIVE:
        return
    notice = poll.action_payload.get("notice_days", 0)  # polls from before the notice period
    ended_at = poll.closes_at + timedelta(days=notice)
    membership.status, membership.ended_at = Status.REMOVED, ended_at
    membership.save(update_fields=["status", "ended_at"])
    emit(
        actor=None,
        organization=membership.organization,
        network=poll.network,
        verb="network.removed",
        obj=membership,
        audience=Audience.NETWORK,
        summary=f"{membership.organization} was removed by vote"
        + (f", effective {ended_at:%Y-%m-%d %H:%M} UTC" if notice else "")
        + f": {poll.action_payload.get('reason', '')}",
    )
    # The organization hears it from the network, by name, with the reason and the date.
    when = f"{ended_at:%Y-%m-%d %H:%M} UTC"
    notify(
        recipients=Person.objects.filter(
            org_membership__organization_id=membership.organization_id, is_active=True
        ),
        kind="network.removed",
        title=f"{poll.network} voted to remove {membership.organization}",
        body=f"Reason given: {poll.action_payload.get('reason', '')}\n"
        + (
            f"{membership.organization} stays a member until {when}. "
            if notice
            else "The removal takes effect now. "
        )
        + "Your organization keeps its own profile, people and data, and can export what it "
        "shared in the network.",
        url=reverse("network_detail", args=[poll.network.slug]),
    )


@register("amend_charter", label="Amend the charter", validate=_validate_amend)
def amend_charter(poll, result) -> None:
    """Publish the amended charter as the next version; members accept it before acting again."""
    if not result.get("passed"):
        return
    latest = (
        Agreement.objects.filter(network=poll.network, kind=Agreement.Kind.CHARTER)
        .order_by("-version")
        .first()
    )
    version = (latest.version if latest else 0) + 1
    agreement = Agreement.objects.create(
        network=poll.network,
        kind=Agreement.Kind.CHARTER,
        version=version,
        title=poll.action_payload.get("title") or (latest.title if latest else "Charter"),
        text=poll.action_payload["text"],
        created_by=poll.created_by,
    )
    poll.network.__dict__.pop("_current_charter", None)
    poll.network.__dict__.pop("_charter_accepted", None)
    emit(
        actor=None,
        network=poll.network,
        verb="agreement.amended",
        obj=agreement,
        audience=Audience.NETWORK,
        summary=f"The charter was amended by vote (version {version}); "
        "each member accepts it before acting again",
    )


@register(
    "admission_rule",
    label="Change how organizations are admitted",
    validate=_validate_admission_rule,
)
def change_admission_rule(poll, result) -> None:
    """Switch the network between admission by team leaders' approvals and admission by poll.

    Pending applications follow the new rule at once: under "vote" each gets its admission
    poll; under "approvals" the approvals already given are counted again (a poll already open
    still decides if it closes first: whichever decides first wins, the other finds nothing
    pending)."""
    if not result.get("passed"):
        return
    network = Network.objects.select_for_update().get(pk=poll.network_id)
    rule = poll.action_payload["rule"]
    approvals = poll.action_payload.get("approvals_required", network.approvals_required)
    network.admission_rule, network.approvals_required = rule, approvals
    network.save(update_fields=["admission_rule", "approvals_required"])
    poll.network.admission_rule, poll.network.approvals_required = rule, approvals
    described = (
        "by a yes/no poll of the member organizations"
        if rule == Network.AdmissionRule.VOTE
        else f"by approval of {approvals} member organization{'s' if approvals != 1 else ''}"
    )
    emit(
        actor=None,
        network=network,
        verb="network.admission_rule_changed",
        obj=network,
        audience=Audience.NETWORK,
        summary=f"The members voted to admit organizations {described} from now on",
    )
    from consortia.networks import services as network_services

    # Invitations wait for the invited organization, not for the members: only applications.
    pending = NetworkMembership.objects.select_related("organization", "network").filter(
        network=network, status=Status.APPLIED
    )
    for membership in pending:
        if rule == Network.AdmissionRule.VOTE:
            from consortia.decisions.models import Poll
            from consortia.decisions.services import admission_poll_open

            already = Poll.objects.filter(
                action="admit",
                outcome_applied_at__isnull=True,
                action_payload__membership=membership.pk,
            ).exists()
            if not already:
                admission_poll_open(membership)
        else:
            network_services.admission_evaluate(membership)
