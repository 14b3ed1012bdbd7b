"""Reads about polls: lists, the poll page's figures and the chart of a result."""

from django.db.models import Count, Q
from django.utils import timezone

from consortia.decisions import permissions, services
from consortia.decisions.models import Ballot, Poll, PollOption, PollVoter
from consortia.networks.permissions import org_id_of


def settle_network(network, *, now=None) -> None:
    """Settle this network's polls whose time has passed (a list read closes them too)."""
    now = now or timezone.now()
    for poll in Poll.objects.filter(
        network=network, closes_at__lte=now, outcome_applied_at__isnull=True
    ):
        poll.network = network
        services.poll_settle(poll, now=now)


def polls_of(network, *, now=None):
    """(current polls, closed polls queryset): open and scheduled first, by closing time."""
    now = now or timezone.now()
    settle_network(network, now=now)
    base = Poll.objects.filter(network=network).annotate(
        voters_count=Count("voters", distinct=True), ballots_count=Count("ballots", distinct=True)
    )
    current = list(base.filter(closes_at__gt=now).order_by("closes_at", "id"))
    closed = base.filter(closes_at__lte=now).order_by("-closes_at", "-id")
    return current, closed


def poll_page(poll: Poll, person, *, now=None) -> dict:
    """Everything the poll page shows, in a number of queries that does not grow with voters."""
    now = now or timezone.now()
    org_id = org_id_of(person)
    options = list(PollOption.objects.filter(poll=poll))
    poll.__dict__["_labels"] = [o.label for o in options]
    counts = PollVoter.objects.filter(poll=poll).aggregate(
        voters=Count("id"), mine=Count("id", filter=Q(organization_id=org_id))
    )
    ballots = Ballot.objects.filter(poll=poll).aggregate(
        total=Count("id"), mine=Count("id", filter=Q(organization_id=org_id))
    )
    poll.voters_count, poll.ballots_count = counts["voters"], ballots["total"]
    my_ballot = None
    if ballots["mine"] and not poll.secret:
        my_ballot = Ballot.objects.filter(poll=poll, organization_id=org_id).first()
    _prefill(options, my_ballot.choice if my_ballot else None)
    state = poll.state_at(now)
    result = None
    if permissions.results_visible(poll, now=now):
        if poll.result is not None:
            result = poll.result
        elif ballots["total"]:
            result = services.compute_result(poll, electorate=counts["voters"])
    return {
        "poll": poll,
        "state": state,
        "options": options,
        "voters_count": counts["voters"],
        "ballots_count": ballots["total"],
        "in_electorate": bool(counts["mine"]),
        "has_voted": bool(ballots["mine"]),
        "my_ballot": my_ballot,
        "my_choice": (my_ballot.choice or {}).get("choice") if my_ballot else None,
        "can_vote": (
            state == Poll.State.OPEN and bool(counts["mine"]) and person.votes_for_organization
        ),
        "result": result,
        "chart": chart(poll, result) if result else None,
        "recount_command": recount_command(poll, result) if result else "",
    }


def recount_command(poll: Poll, result: dict) -> str:
    """The `consortia tally` command line that recounts the exported file."""
    parts = ["consortia tally", "--method", result["method"].replace("_", "-")]
    for name, value in result.get("options", {}).items():
        parts += [f"--{name.replace('_', '-')}", str(value)]
    return " ".join([*parts, f"poll-{poll.pk}-ballots.json"])


def _prefill(options, choice: dict | None) -> None:
    """Show an open poll's current ballot in the form, so changing it starts from it."""
    choice = choice or {}
    ranks = {}
    for position, tier in enumerate(choice.get("ranking", []), 1):
        for label in tier if isinstance(tier, list) else [tier]:
            ranks[label] = position
    approved = set(choice.get("approve", []))
    scores = choice.get("scores", {})
    for option in options:
        option.current_rank = ranks.get(option.label, "")
        option.current_score = scores.get(option.label, "")
        option.approved = option.label in approved


def _bars(values: dict, *, maximum=None) -> list[dict]:
    top = maximum or max([v for v in values.values() if v is not None] or [0]) or 1
    return [
        {"label": label, "value": value or 0, "width": round(100 * (value or 0) / top, 1)}
        for label, value in values.items()
    ]


def chart(poll: Poll, result: dict) -> dict:
    """What the outcome chart draws: bars, a pairwise matrix or runoff rounds."""
    details = result["tally"]["details"]
    method = result["method"]
    if method in ("yes_no", "consensus"):
        return {"type": "bars", "bars": _bars(details["counts"])}
    if method == "approval":
        return {"type": "bars", "bars": _bars(details["approvals"])}
    if method == "score":
        return {"type": "bars", "bars": _bars(details["sums"])}
    if method == "irv":
        rounds = details["rounds"]
        return {
            "type": "rounds",
            "rounds": [
                {**r, "bars": _bars(r["counts"], maximum=details["total_weight"] or 1)}
                for r in rounds
            ],
        }
    candidates = details["candidates"]
    pairwise = details["pairwise"]
    rows = [
        {
            "label": a,
            "cells": [
                {
                    "value": "—" if a == b else pairwise[a][b],
                    "wins": a != b and pairwise[a][b] > pairwise[b][a],
                }
                for b in candidates
            ],
        }
        for a in candidates
    ]
    return {"type": "matrix", "candidates": candidates, "rows": rows}
