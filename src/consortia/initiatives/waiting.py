"""What waits for an organization in its initiatives (core.waiting): invitations to join,
requests to answer, nominations to accept and commitments due within a week or overdue.
Registered by InitiativesConfig.ready(). Each section is one query (core.waiting.capped)."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from consortia.core import waiting
from consortia.core.waiting import Action, Item
from consortia.networks.permissions import org_id_of

from . import permissions, selectors
from .models import Commitment, Initiative, Nomination, Participation, Request

HOME = "/"
DUE_WITHIN = timedelta(days=7)
OPEN_INITIATIVE = Q(initiative__status__in=[Initiative.Status.PROPOSED, Initiative.Status.ACTIVE])


def _detail_url(initiative) -> str:
    return reverse("initiative_detail", args=[initiative.network.slug, initiative.pk])


def _action_url(initiative, action: str) -> str:
    return reverse("initiative_action", args=[initiative.network.slug, initiative.pk, action])


def invitations(person, now):
    """Initiatives that invited the organization; its team leaders answer."""
    org_id = org_id_of(person)
    if org_id is None:
        return [], 0
    rows, count = waiting.capped(
        Participation.objects.filter(
            OPEN_INITIATIVE,
            organization_id=org_id,
            status=Participation.Status.INVITED,
            initiative__in=permissions.initiatives_visible_to(person),
        )
        .select_related("initiative__network")
        .order_by("created_at", "pk")
    )
    leader = person.is_team_leader
    items = []
    for p in rows:
        initiative = p.initiative
        fields = {"participation": p.pk, "next": HOME}
        items.append(
            Item(
                key=f"participation-{p.pk}",
                title=f"Join “{initiative}”",
                url=_detail_url(initiative),
                detail=f"Runs {initiative.starts_on:%d %b %Y} to {initiative.ends_on:%d %b %Y}",
                network=initiative.network.name,
                note="" if leader else "Your team leader answers",
                actions=[
                    Action("Accept", _action_url(initiative, "accept"), fields=fields),
                    Action(
                        "Decline", _action_url(initiative, "decline"), fields=fields, primary=False
                    ),
                ]
                if leader
                else [],
            )
        )
    return items, count


def requests(person, now):
    """Requests to the organization waiting for its answer, and the other dates partners
    proposed for the organization's own requests; soonest due first."""
    org_id = org_id_of(person)
    if org_id is None:
        return [], 0
    rows, count = waiting.capped(
        selectors._requests()
        .filter(
            Q(to_organization_id=org_id, status=Request.Status.OPEN)
            | Q(from_organization_id=org_id, status=Request.Status.COUNTERED),
            initiative__in=permissions.initiatives_visible_to(person),
        )
        .order_by("due_on", "pk")
    )
    items = [
        Item(
            key=f"request-{r.pk}",
            title=r.title,
            url=reverse("my_requests") + f"#request-{r.pk}",
            detail=(
                f"From {r.from_organization}"
                if r.to_organization_id == org_id
                else f"{r.to_organization} proposes {r.counter_due_on:%d %b %Y}"
            ),
            network=r.initiative.network.name,
            due=r.due_on,
            overdue=r.due_on < timezone.localdate(now),
            actions=_request_actions(r, org_id),
            template="initiatives/waiting_request.html",
            obj=r,
        )
        for r in rows
    ]
    return items, count


def _request_actions(r, org_id) -> list[Action]:
    """The answers as data (the API); the page shows them with their reason fields."""

    def url(action):
        return reverse("request_action", args=[r.pk, action])

    if r.to_organization_id == org_id:
        return [
            Action("Accept", url("accept"), fields={"next": HOME}),
            Action("Decline…", url("decline"), fields={"reason": ""}, primary=False),
            Action("Propose another date…", url("counter"), fields={"due_on": ""}, primary=False),
        ]
    return [Action(f"Agree to {r.counter_due_on:%d %b}", url("counter-accept"))]


def nominations(person, now):
    """Nominations of the person to lead an initiative, not answered yet."""
    if org_id_of(person) is None:
        return [], 0
    rows, count = waiting.capped(
        Nomination.objects.filter(
            OPEN_INITIATIVE,
            person=person,
            accepted_at__isnull=True,
            declined_at__isnull=True,
            initiative__in=permissions.initiatives_visible_to(person),
        )
        .select_related("initiative__network", "nominated_by")
        .order_by("created_at", "pk")
    )
    items = []
    for n in rows:
        fields = {"nomination": n.pk, "next": HOME}
        by = f" by {n.nominated_by}" if n.nominated_by else ""
        items.append(
            Item(
                key=f"nomination-{n.pk}",
                title=f"Lead “{n.initiative}”",
                url=_detail_url(n.initiative),
                detail=f"Nominated{by}; accept to stand in the election",
                network=n.initiative.network.name,
                actions=[
                    Action("Accept", _action_url(n.initiative, "nomination-accept"), fields=fields),
                    Action(
                        "Decline",
                        _action_url(n.initiative, "nomination-decline"),
                        fields=fields,
                        primary=False,
                    ),
                ],
            )
        )
    return items, count


def commitments(person, now):
    """Open commitments of the organization due within a week, or overdue; soonest first."""
    org_id = org_id_of(person)
    if org_id is None:
        return [], 0
    today = timezone.localdate(now)
    rows, count = waiting.capped(
        selectors.commitments_of(person)
        .filter(status=Commitment.Status.OPEN, due_on__lte=today + DUE_WITHIN)
        .order_by("due_on", "pk")
    )
    items = [
        Item(
            key=f"commitment-{c.pk}",
            title=c.title,
            url=reverse("my_commitments") + f"#commitment-{c.pk}",
            detail=f"For {c.request.from_organization} in {c.initiative}",
            network=c.initiative.network.name,
            due=c.due_on,
            overdue=c.due_on < today,
            actions=[
                Action(
                    "Mark delivered",
                    reverse("commitment_action", args=[c.pk, "deliver"]),
                    fields={"next": HOME},
                )
            ],
            template="initiatives/waiting_commitment.html",
            obj=c,
        )
        for c in rows
    ]
    return items, count


def register() -> None:
    waiting.register("initiative_invitations", "Invitations to initiatives", invitations, order=30)
    waiting.register(
        "requests",
        "Requests to answer",
        requests,
        order=40,
        more_url=lambda: reverse("my_requests"),
        more_label="All requests",
    )
    waiting.register("nominations", "Nominations to accept", nominations, order=45)
    waiting.register(
        "commitments",
        "Commitments due",
        commitments,
        order=80,
        more_url=lambda: reverse("my_commitments"),
        more_label="All commitments",
    )
