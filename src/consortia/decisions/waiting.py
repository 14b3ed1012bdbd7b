"""Polls waiting for the organization's ballot (core.waiting), closing soonest first.
Registered by DecisionsConfig.ready()."""

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from consortia.core import waiting
from consortia.core.waiting import Action, Item
from consortia.decisions import outcomes
from consortia.decisions.models import Ballot, Poll, PollVoter
from consortia.networks import permissions as network_permissions


def _custom_electorate_actions() -> list[str]:
    """Outcomes whose electorate is not the network's members (e.g. an initiative's
    participants): a poll of theirs counts only once its electorate is taken."""
    return [name for name, _ in outcomes.choices(include_system=True) if _has_electorate(name)]


def _has_electorate(name: str) -> bool:
    action = outcomes.get(name)
    return action is not None and action.electorate is not None


def polls_to_vote(person, now):
    """Open polls of the organization's networks in whose electorate it is (or will be, when
    the electorate is taken on first read) and in which it has not voted yet."""
    org_id = network_permissions.org_id_of(person)
    if org_id is None:
        return [], 0
    in_electorate = Exists(PollVoter.objects.filter(poll=OuterRef("pk"), organization_id=org_id))
    not_taken_yet = Q(electorate_taken_at__isnull=True) & ~Q(
        action__in=_custom_electorate_actions()
    )
    rows, count = waiting.capped(
        Poll.objects.filter(
            network_id__in=network_permissions.active_network_ids(org_id),
            opens_at__lte=now,
            closes_at__gt=now,
            result__isnull=True,
        )
        .filter(in_electorate | not_taken_yet)
        .filter(network_permissions.viewer_lock_q(person))
        .filter(~Exists(Ballot.objects.filter(poll=OuterRef("pk"), organization_id=org_id)))
        .select_related("network")
        .order_by("closes_at", "pk")
    )
    votes = person.votes_for_organization
    items = []
    for poll in rows:
        url = reverse("poll_detail", args=[poll.network.slug, poll.pk])
        items.append(
            Item(
                key=f"poll-{poll.pk}",
                title=poll.title,
                url=url,
                detail=poll.get_kind_display(),
                due_label="closes",
                network=poll.network.name,
                due=poll.closes_at,
                note="" if votes else "Your team leader or delegate votes",
                actions=[Action("Vote", url, method="get")] if votes else [],
            )
        )
    return items, count


def register() -> None:
    waiting.register("polls", "Polls to vote in", polls_to_vote, order=20)
