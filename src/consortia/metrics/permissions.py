"""Who may see which metrics and measurements, and who may write them.

The sharing rule, as SQL filters: a measurement with visibility "organization" is seen by that
organization's people; "initiative" by the people of the initiative's active participants;
"network" by the people of the network's active member organizations
(NetworkMembership.active_q). An organization always sees its own measurements. Private
metrics are seen by their owner organization, or by the participants of their initiative.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from consortia.initiatives.models import Participation
from consortia.networks import permissions as network_permissions

from .models import Measurement, Metric

NOTHING = Q(pk__in=[])


def _is_active_member(person, network) -> bool:
    membership = network_permissions.membership_of(person, network)
    return membership is not None and membership.is_active


def participating_initiative_ids(org_id):
    """Subquery: the initiatives in which the organization is an active participant."""
    return Participation.objects.filter(
        organization_id=org_id, status=Participation.Status.ACTIVE
    ).values("initiative_id")


def metric_q(person, network) -> Q:
    org_id = network_permissions.org_id_of(person)
    if org_id is None or not _is_active_member(person, network):
        return NOTHING
    return (
        Q(scope=Metric.Scope.NETWORK)
        | Q(scope=Metric.Scope.ORGANIZATION, owner_organization_id=org_id)
        | Q(
            scope=Metric.Scope.INITIATIVE,
            owner_initiative_id__in=participating_initiative_ids(org_id),
        )
    )


def metrics_visible_to(person, network):
    return Metric.objects.filter(metric_q(person, network), network=network)


def measurement_q(person, network, *, prefix: str = "") -> Q:
    """The measurements (or rollups, which carry the same audience fields) `person` may see."""
    org_id = network_permissions.org_id_of(person)
    if org_id is None:
        return NOTHING
    V = Measurement.Visibility
    q = Q(**{f"{prefix}visibility": V.ORGANIZATION, f"{prefix}organization_id": org_id})
    if _is_active_member(person, network):
        q |= Q(**{f"{prefix}visibility": V.NETWORK})
        q |= Q(
            **{
                f"{prefix}visibility": V.INITIATIVE,
                f"{prefix}initiative_id__in": participating_initiative_ids(org_id),
            }
        )
    return q


def measurements_visible_to(person, network):
    org_id = network_permissions.org_id_of(person)
    q = measurement_q(person, network)
    if org_id is not None:
        q |= Q(organization_id=org_id)
    return Measurement.objects.filter(q, metric__network=network)


def get_network_for(person, slug: str):
    """Metrics pages are for active members; everyone else gets 404."""
    network = network_permissions.get_network_for(person, slug)
    if not _is_active_member(person, network):
        raise Http404("No such network")
    return network


def get_metric_for(person, network, pk) -> Metric:
    metric = (
        metrics_visible_to(person, network)
        .select_related("owner_organization", "owner_initiative")
        .filter(pk=pk)
        .first()
    )
    if metric is None:
        raise Http404("No such metric")
    metric.network = network  # already loaded: spares a query for every later use
    return metric


def require_can_record(person, metric: Metric) -> int:
    """The person's organization id, if it may record measurements of `metric`."""
    network_permissions.require_acting_member(person, metric.network)
    org_id = network_permissions.org_id_of(person)
    if metric.status == Metric.Status.RETIRED:
        raise PermissionDenied(f"“{metric.name}” is retired: it takes no new measurements.")
    if metric.scope == Metric.Scope.ORGANIZATION and metric.owner_organization_id != org_id:
        raise Http404("No such metric")
    return org_id
