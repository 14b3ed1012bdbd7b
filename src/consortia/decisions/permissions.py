"""Who may see polls, vote, see live results and read the published ballots.

Polls belong to a network's active members: anyone else gets 404 for them (the network's own
permissions decide who is an active member). Voting is for the team leader of an organization
in the poll's electorate, or a delegate it named; services.ballot_cast checks that again inside
its transaction.
"""

from django.http import Http404
from django.utils import timezone

from consortia.decisions import services
from consortia.decisions.models import Poll
from consortia.networks import permissions as network_permissions


def get_poll_for(person, slug: str, poll_id: int, *, settle: bool = True) -> tuple:
    """(network, poll) if the person's organization is an active member of the network; a poll
    read after its closing time is settled on the spot (its result stored, its action applied)."""
    network = network_permissions.get_network_for(person, slug, need="member")
    poll = Poll.objects.filter(network=network, pk=poll_id).first()
    if poll is None:
        raise Http404("No such poll")
    poll.network = network
    if settle:
        now = timezone.now()
        state = poll.state_at(now)
        if state == Poll.State.CLOSED and poll.outcome_applied_at is None:
            services.poll_settle(poll, now=now)
        elif state == Poll.State.OPEN and poll.electorate_taken_at is None:
            services.ensure_electorate(poll, now=now)
    return network, poll


def results_visible(poll: Poll, *, now=None) -> bool:
    """Live results unless the author hid them until the close; always after the close."""
    state = poll.state_at(now or timezone.now())
    if state == Poll.State.SCHEDULED:
        return False
    return state == Poll.State.CLOSED or not poll.hide_results_until_close


def can_create(person, network) -> bool:
    return network_permissions.can_act(person, network) and person.is_team_leader
