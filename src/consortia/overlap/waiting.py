"""Overlap discovery in the dashboard's "Waiting for you" (core.waiting): proposals a partner
made to the person's organization, and runs a partner started that it has not joined. Only
team leaders answer either; only the organization's own partnerships are read (in SQL).
Registered from OverlapConfig.ready()."""

from django.db.models import Q
from django.urls import reverse

from consortia.core import waiting
from consortia.core.waiting import Action, Item
from consortia.networks import permissions as network_permissions

from .models import Partnership, Run


def _leader_org_id(person):
    if not getattr(person, "is_authenticated", False) or not person.is_team_leader:
        return None
    return network_permissions.org_id_of(person)


def proposals(person, now):
    org_id = _leader_org_id(person)
    if org_id is None:
        return [], 0
    rows, count = waiting.capped(
        Partnership.objects.filter(
            status=Partnership.Status.PROPOSED,
            counterparty_id=org_id,
            network_id__in=network_permissions.active_network_ids(org_id),
        )
        .filter(network_permissions.viewer_lock_q(person))
        .select_related("network", "proposer")
        .order_by("created_at", "pk")
    )
    items = []
    for partnership in rows:
        url = reverse("overlap_home", args=[partnership.network.slug])
        items.append(
            Item(
                key=f"overlap-proposal-{partnership.pk}",
                title=f"{partnership.proposer} proposes overlap discovery",
                url=url,
                network=partnership.network.name,
                detail="Compare customer lists without revealing the rest",
                actions=[Action("Review the proposal", url, method="get")],
            )
        )
    return items, count


def runs_to_join(person, now):
    org_id = _leader_org_id(person)
    if org_id is None:
        return [], 0
    rows, count = waiting.capped(
        Run.objects.filter(
            status__in=Run.ACTIVE,
            deadline__gt=now,
            sides__organization_id=org_id,
            sides__joined_at__isnull=True,
        )
        .filter(Q(partnership__proposer_id=org_id) | Q(partnership__counterparty_id=org_id))
        .filter(network_id__in=network_permissions.active_network_ids(org_id))
        .filter(network_permissions.viewer_lock_q(person))
        .select_related("network", "initiator")
        .order_by("deadline", "pk")
    )
    items = []
    for run in rows:
        url = reverse("overlap_run", args=[run.network.slug, run.uuid])
        items.append(
            Item(
                key=f"overlap-run-{run.pk}",
                title=f"{run.initiator} started an overlap run",
                url=url,
                network=run.network.name,
                due=run.deadline,
                due_label="expires",
                actions=[Action("Join the run", url, method="get")],
            )
        )
    return items, count


def register() -> None:
    waiting.register("overlap_proposals", "Overlap discovery proposals", proposals, order=65)
    waiting.register("overlap_runs", "Overlap runs to join", runs_to_join, order=66)
