"""The event types an endpoint may subscribe to, and how each one's reach is decided.

An endpoint lists exact types (`poll.closed`), whole groups (`poll.*`) or everything (`*`);
anything else is refused. Types are the verbs of the event log (`core.events.emit`), plus
`webhook.test` for "Send a test event".

Reach. Events about a shared item (ITEM_TYPES) reach an organization that may see the item now
(`sharing.audience`, the feed's rule); every other event reaches the organizations its audience
names (`networks.selectors.event_visible_to_organization_q`, the activity page's rule).
"""

import re

TEST_TYPE = "webhook.test"

GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "network": (
        "Membership of the network",
        (
            "network.founded",
            "network.applied",
            "network.organization_invited",
            "network.invitation_accepted",
            "network.invitation_declined",
            "network.request_withdrawn",
            "network.admission_approved",
            "network.admitted",
            "network.not_admitted",
            "network.admission_rule_changed",
            "network.left",
            "network.removed",
        ),
    ),
    "agreement": (
        "Charter and NDA",
        (
            "agreement.accepted",
            "agreement.amended",
            "agreement.nda_adopted",
            "agreement.nda_accepted",
        ),
    ),
    "organization": (
        "Your organization",
        (
            "organization.created",
            "organization.updated",
            "organization.colleague_invited",
            "organization.invitation_declined",
            "organization.member_joined",
            "organization.member_updated",
        ),
    ),
    "poll": (
        "Polls",
        (
            "poll.created",
            "poll.opened",
            "poll.ballot_cast",
            "poll.ballot_changed",
            "poll.made_secret",
            "poll.closed",
            "poll.outcome_recorded",
        ),
    ),
    "initiative": (
        "Initiatives",
        (
            "initiative.proposed",
            "initiative.active",
            "initiative.completed",
            "initiative.cancelled",
            "initiative.join_requested",
            "initiative.invited",
            "initiative.joined",
            "initiative.join_declined",
            "initiative.left",
            "initiative.nominated",
            "initiative.nomination_accepted",
            "initiative.nomination_declined",
            "initiative.election_opened",
            "initiative.leader_granted",
            "initiative.recall_opened",
            "initiative.leader_recalled",
            "initiative.extension_opened",
            "initiative.extended",
            "initiative.plan_revised",
            "initiative.plan_accepted",
        ),
    ),
    "request": (
        "Requests",
        (
            "request.sent",
            "request.accepted",
            "request.declined",
            "request.countered",
            "request.counter_accepted",
            "request.withdrawn",
        ),
    ),
    "commitment": (
        "Commitments",
        (
            "commitment.delivered",
            "commitment.missed",
            "commitment.withdrawn",
            "commitment.renegotiated",
        ),
    ),
    "challenge": (
        "Challenges",
        (
            "challenge.shared",
            "challenge.edited",
            "challenge.commented",
            "challenge.audience_changed",
            "challenge.offer_received",
            "challenge.offer_accepted",
            "challenge.offer_declined",
            "challenge.resolved",
            "challenge.converted",
        ),
    ),
    "post": (
        "Posts",
        ("post.shared", "post.edited", "post.commented", "post.audience_changed"),
    ),
    "document": (
        "Documents",
        (
            "document.shared",
            "document.edited",
            "document.commented",
            "document.audience_changed",
            "document.version_added",
        ),
    ),
    "nda": ("Bilateral NDAs", ("nda.proposed", "nda.accepted", "nda.declined", "nda.withdrawn")),
    "metric": (
        "Metrics",
        (
            "metric.created",
            "metric.proposed",
            "metric.standard",
            "metric.retired",
            "metric.measurements_recorded",
            "metric.measurements_imported",
        ),
    ),
    "goal": ("Goals", ("goal.set", "goal.changed", "goal.removed")),
    "ledger": (
        "Ledger",
        ("ledger.investment", "ledger.return", "ledger.deleted", "ledger.settings_changed"),
    ),
    "review": (
        "Joint reviews",
        (
            "review.scheduled",
            "review.schedule_set",
            "review.added",
            "review.held",
            "review.entry_added",
            "review.kudos",
            "review.signed_off",
            "review.completed",
        ),
    ),
}

KNOWN: frozenset[str] = frozenset(t for _, types in GROUPS.values() for t in types)

# Events about a shared item whose reach is the item's audience and level, evaluated at
# delivery: what any reader of the item can see in the feed. (Offers, audience changes and
# conversions stay with the item's own organization: each partner sees only its own offer.)
ITEM_TYPES: frozenset[str] = frozenset(
    f"{kind}.{what}"
    for kind in ("challenge", "post", "document")
    for what in ("shared", "edited", "commented")
) | {"document.version_added", "challenge.resolved"}

_SHAPE = re.compile(r"^(\*|[a-z_]+\.\*|[a-z_]+\.[a-z_]+)$")


def clean_event_types(values) -> list[str]:
    """Validate a list of subscriptions; ValueError names the first unknown one."""
    if isinstance(values, str):
        values = [v for v in re.split(r"[\s,]+", values) if v]
    if not isinstance(values, list | tuple) or not values:
        raise ValueError("Choose at least one event type.")
    cleaned: list[str] = []
    for raw in values:
        value = str(raw).strip()
        if not _SHAPE.match(value):
            raise ValueError(f"“{value[:60]}” is not an event type (e.g. poll.closed, poll.*, *).")
        if value.endswith(".*") and value[:-2] not in GROUPS:
            raise ValueError(f"“{value}” names no group of event types.")
        if value != "*" and not value.endswith(".*") and value not in KNOWN:
            raise ValueError(f"“{value}” is not an event type Consortia sends.")
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > 200:
        raise ValueError("At most 200 event types.")
    return cleaned


def matches(subscriptions, event_type: str) -> bool:
    if event_type == TEST_TYPE:
        return True
    group = event_type.split(".", 1)[0]
    if group not in GROUPS:
        return False  # e.g. the webhook.* events of this app: not offered
    return "*" in subscriptions or event_type in subscriptions or f"{group}.*" in subscriptions


def choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """For forms: each group's `group.*` and its exact types."""
    return [
        (label, [(f"{group}.*", f"All {label.lower()} events"), *((t, t) for t in types)])
        for group, (label, types) in GROUPS.items()
    ]
