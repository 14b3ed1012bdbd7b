"""Who decides a pending admission when the network's rule is not team leaders' approvals.

Networks decide admissions by approvals themselves (`services.admission_evaluate`). Another
rule is decided by the app that implements it, which plugs in here from its `AppConfig.ready`,
the way apps plug their outcomes into decisions::

    from consortia.networks import admission
    from consortia.networks.models import Network

    admission.register(Network.AdmissionRule.VOTE, services.admission_poll_open)

The decider is called with the pending membership when an organization applies or accepts an
invitation, inside the same transaction. So membership does not depend on voting: the
decisions app depends on membership.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_DECIDERS: dict[str, Callable] = {}


def register(rule: str, decider: Callable) -> None:
    """Let `decider(membership)` start the decision on pending memberships under `rule`."""
    _DECIDERS[rule] = decider


def start(membership) -> None:
    """Start deciding a pending membership under its network's rule; approvals need nothing
    started (team leaders decide on the members page)."""
    from consortia.networks.models import Network

    rule = membership.network.admission_rule
    if rule == Network.AdmissionRule.TEAM_LEADER_APPROVALS:
        return
    decider = _DECIDERS.get(rule)
    if decider is None:
        raise ImproperlyConfigured(
            f"No installed app decides admissions under the rule {rule!r} "
            "(the decisions app registers 'vote')."
        )
    decider(membership)
