"""REST operations: trust, engagement and network health (active members of the network)."""

from django.utils import timezone
from ninja import Path, Query, Router
from ninja.pagination import paginate

from consortia.core.pagination import Pagination
from consortia.core.schemas import ERRORS, SLUG_PATTERN
from consortia.networks.permissions import org_id_of

from . import permissions, selectors
from . import trust as trust_math
from .schemas import (
    EngagementOut,
    EvidencePage,
    HealthOut,
    NetworkTrustOut,
    TrustEvidenceOut,
    TrustOut,
)

router = Router(tags=["insights"])
NetworkSlug = Path(..., max_length=60, pattern=SLUG_PATTERN, description="The network's slug.")
Page = Query(...)
OrgSlug = Path(..., max_length=160, pattern=SLUG_PATTERN, description="The organization's slug.")


def _rows(data):
    return [{**o, "organization_id": o["id"], "organization": o["name"]} for o in data]


@router.get(
    "/networks/{slug}/trust",
    response={200: list[TrustOut], **ERRORS},
    summary="Trust index of every member organization",
)
@paginate(Pagination)
def list_trust(request, slug: str = NetworkSlug):
    """Highest first. The index is explained at `/networks/{slug}/organizations/{org}/trust`."""
    network = permissions.get_network_for(request.auth, slug)
    return _rows(selectors.health_orgs(network))


@router.get(
    "/networks/{slug}/organizations/{org_slug}/trust",
    response={200: TrustEvidenceOut, **ERRORS},
    summary="An organization's trust index with its evidence",
)
def organization_trust(
    request,
    slug: str = NetworkSlug,
    org_slug: str = OrgSlug,
    page: EvidencePage = Page,
):
    """The index, its formula and the commitments behind it (latest due date first)."""
    network = permissions.get_network_for(request.auth, slug)
    organization = permissions.get_member_organization(network, org_slug)
    today = timezone.localdate()
    summary = selectors.trust_of(network, organization, today=today)
    commitments = selectors.evidence(network, organization)
    rows = selectors.describe_evidence(commitments[page.offset : page.offset + page.limit], today)
    return {
        "organization_id": organization.pk,
        "organization": organization.name,
        **summary,
        "formula": trust_math.FORMULA,
        "explanation": trust_math.EXPLANATION,
        "count": commitments.count(),
        "evidence": [
            {
                "commitment_id": r["commitment"].pk,
                "title": r["commitment"].title,
                "initiative_id": r["commitment"].initiative_id,
                "initiative": r["commitment"].initiative.title,
                "due_on": r["commitment"].due_on,
                "status": r["commitment"].status,
                **{k: r[k] for k in ("outcome", "counted", "on_time", "settled_on", "age_days")},
                "weight": r["weight"],
            }
            for r in rows
        ],
    }


@router.get(
    "/networks/{slug}/engagement",
    response={200: list[EngagementOut], **ERRORS},
    summary="Engagement of every member organization",
)
@paginate(Pagination)
def list_engagement(request, slug: str = NetworkSlug):
    """Breadth (people, departments active in 90 days), depth, polls and requests; by name."""
    network = permissions.get_network_for(request.auth, slug)
    return _rows(sorted(selectors.health_orgs(network), key=lambda o: o["name"].lower()))


@router.get(
    "/networks/{slug}/health",
    response={200: HealthOut, **ERRORS},
    summary="The network's health",
)
def network_health(request, slug: str = NetworkSlug):
    """Members, active initiatives, participation, trust distribution, fairness, and sharing:
    the pairs your organization is part of, and totals for the network (who shares with whom
    among others is theirs to know)."""
    network = permissions.get_network_for(request.auth, slug)
    data = selectors.health(network)
    org_id = org_id_of(request.auth)
    pairs = []
    for partner in selectors.sharing_partners(request.auth, network):
        if partner["sent"]:
            pairs.append(
                {
                    "from_organization_id": org_id,
                    "to_organization_id": partner["organization_id"],
                    "items": partner["sent"],
                }
            )
        if partner["received"]:
            pairs.append(
                {
                    "from_organization_id": partner["organization_id"],
                    "to_organization_id": org_id,
                    "items": partner["received"],
                }
            )
    return {
        **data,
        "trust_histogram": data["histogram"],
        "sharing_pairs": pairs,
        "sharing_pair_count": data["sharing_totals"]["pairs"],
        "sharing_totals": data["sharing_totals"],
    }


@router.get(
    "/organizations/{org_slug}/trust",
    response={200: list[NetworkTrustOut], **ERRORS},
    summary="An organization's trust index in each network you share with it",
)
def organization_trust_everywhere(request, org_slug: str = OrgSlug):
    """One row per network in which both your organization and this one are active members;
    the evidence is at `/networks/{slug}/organizations/{org_slug}/trust`."""
    rows = []
    organization, networks = permissions.shared_networks(request.auth, org_slug)
    today = timezone.localdate()
    for network in networks:
        summary = selectors.trust_of(network, organization, today=today)
        rows.append(
            {
                "network": network.slug,
                "organization_id": organization.pk,
                "organization": organization.name,
                "slug": organization.slug,
                **summary,
            }
        )
    return rows
