"""Reads about initiatives. Each selector owns its joins; visibility is a SQL filter."""

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from consortia.core.paging import first_rows
from consortia.networks.permissions import org_id_of

from . import permissions
from .models import (
    Commitment,
    Initiative,
    JointPlan,
    Nomination,
    Participation,
    PlanAcceptance,
    Request,
)

FILTERS = ("all", "active", "proposed", "mine")
# Open commitments first, then by due date.
OPEN_FIRST = Case(When(status="open", then=Value(0)), default=Value(1), output_field=IntegerField())
# The initiative page names the first organizations that accepted a plan version, then says
# "and N more" (initiative_detail.html has the same number).
ACCEPTANCES_SHOWN = 25


def initiatives_for(*, person, network, filter: str = "all"):
    """The initiatives of `network` the person may see, with participant counts."""
    initiatives = permissions.initiatives_visible_to(person, network)
    if filter == "active":
        initiatives = initiatives.filter(status=Initiative.Status.ACTIVE)
    elif filter == "proposed":
        initiatives = initiatives.filter(status=Initiative.Status.PROPOSED)
    elif filter == "mine":
        initiatives = initiatives.filter(
            Exists(
                Participation.objects.filter(
                    initiative=OuterRef("pk"),
                    organization_id=org_id_of(person),
                    status=Participation.Status.ACTIVE,
                )
            )
        )
    return (
        initiatives.select_related("proposed_by")
        .annotate(
            participant_count=Count(
                "participations", filter=Q(participations__status=Participation.Status.ACTIVE)
            )
        )
        .order_by("-created_at", "-id")
    )


def participations(initiative):
    return (
        Participation.objects.filter(initiative=initiative)
        .select_related("organization", "team_leader")
        .order_by("organization__name", "id")
    )


def nominations(initiative):
    return Nomination.objects.filter(initiative=initiative).select_related("person", "organization")


def plans(initiative, limit: int = 5):
    """The latest plan versions with everyone who accepted each (two queries), for the API."""
    return list(
        JointPlan.objects.filter(initiative=initiative)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("acceptances", queryset=PlanAcceptance.objects.select_related("organization"))
        )
        .order_by("-version")[:limit]
    )


def plan_overview(initiative, *, org_id, limit: int = 5, shown: int = ACCEPTANCES_SHOWN):
    """The latest plan versions for the initiative page (two queries, bounded whatever the
    number of participants): each with its first `shown` acceptances (`plan.shown_acceptances`),
    `acceptance_count`, and `accepted_by_me` (whether organization `org_id` accepted it)."""
    accepted = PlanAcceptance.objects.filter(plan=OuterRef("pk"))
    plans = list(
        JointPlan.objects.filter(initiative=initiative)
        .select_related("created_by")
        .annotate(
            acceptance_count=Coalesce(
                Subquery(accepted.order_by().values("plan").annotate(n=Count("pk")).values("n")),
                0,
            ),
            accepted_by_me=Exists(accepted.filter(organization_id=org_id))
            if org_id is not None
            else Value(False),
        )
        .order_by("-version")[:limit]
    )
    # The first `shown` acceptances of each plan: ranked on the bare table, then only those
    # joined to their organizations (a sliced Prefetch joins every acceptance before ranking).
    first = (
        PlanAcceptance.objects.filter(plan__in=[plan.pk for plan in plans])
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("plan_id")], order_by=["accepted_at", "id"])
        )
        .filter(rank__lte=shown)
        .values("pk")
    )
    by_plan: dict[int, list] = {plan.pk: [] for plan in plans}
    if plans:
        for acceptance in (
            PlanAcceptance.objects.filter(pk__in=first)
            .select_related("organization")
            .order_by("accepted_at", "id")
        ):
            by_plan[acceptance.plan_id].append(acceptance)
    for plan in plans:
        plan.shown_acceptances = by_plan[plan.pk]
    return plans


def _requests():
    return Request.objects.select_related(
        "initiative__network", "from_organization", "from_person", "to_organization", "to_person"
    )


def requests_of_initiative(initiative):
    return _requests().filter(initiative=initiative).order_by("-created_at", "-id")


def initiative_page_requests(initiative, limit: int) -> list:
    """The initiative page's newest `limit` requests (one query): each row's initiative is the
    page's own, attached rather than joined and built again for every row."""
    rows = first_rows(
        Request.objects.filter(initiative=initiative)
        .select_related("from_organization", "from_person", "to_organization", "to_person")
        .order_by("-created_at", "-id"),
        limit,
    )
    for row in rows:
        row.initiative = initiative
    return rows


def commitments_of_initiative(initiative):
    return (
        Commitment.objects.filter(initiative=initiative)
        .select_related("owner_organization", "owner_person", "request__from_organization")
        .order_by(OPEN_FIRST, "due_on", "id")
    )


def requests_inbox(person):
    """Requests addressed to the person's organization (or to them), newest first, limited to
    networks where the organization is an active member."""
    org_id = org_id_of(person)
    return (
        _requests()
        .filter(
            to_organization_id=org_id,
            initiative__in=permissions.initiatives_visible_to(person),
        )
        .order_by("-created_at", "-id")
    )


def requests_sent(person):
    org_id = org_id_of(person)
    return (
        _requests()
        .filter(
            from_organization_id=org_id,
            initiative__in=permissions.initiatives_visible_to(person),
        )
        .order_by("-created_at", "-id")
    )


def commitments_of(person):
    """Commitments the person's organization made, open ones first by due date."""
    org_id = org_id_of(person)
    return (
        Commitment.objects.filter(
            owner_organization_id=org_id,
            initiative__in=permissions.initiatives_visible_to(person),
        )
        .select_related(
            "initiative__network",
            "owner_organization",
            "owner_person",
            "request__from_organization",
        )
        .order_by(OPEN_FIRST, "due_on", "id")
    )
