"""Reads about initiatives. Each selector owns its joins; visibility is a SQL filter."""

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, Value, When

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
    """The latest plan versions with who accepted each (two queries)."""
    return list(
        JointPlan.objects.filter(initiative=initiative)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("acceptances", queryset=PlanAcceptance.objects.select_related("organization"))
        )
        .order_by("-version")[:limit]
    )


def _requests():
    return Request.objects.select_related(
        "initiative__network", "from_organization", "from_person", "to_organization", "to_person"
    )


def requests_of_initiative(initiative):
    return _requests().filter(initiative=initiative).order_by("-created_at", "-id")


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
