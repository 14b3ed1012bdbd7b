"""Paused webhook endpoints in the dashboard's "Waiting for you" (core.waiting): an endpoint
whose creator is locked out of its network or left the organization sends nothing until a team
leader resumes it (permissions.delivering_q), so the team leaders who may resume it — of the
owning organization, not locked in the endpoint's network — see it waiting. Registered from
IntegrationsConfig.ready()."""

from django.urls import reverse

from consortia.core import waiting
from consortia.core.waiting import Action, Item
from consortia.networks.permissions import org_id_of, viewer_lock_q

from .models import Endpoint
from .permissions import delivering_ids


def paused_endpoints(person, now):
    org_id = org_id_of(person)
    if org_id is None or not person.is_team_leader:
        return [], 0
    rows, count = waiting.capped(
        Endpoint.objects.filter(viewer_lock_q(person), organization_id=org_id, enabled=True)
        .exclude(pk__in=delivering_ids())
        .select_related("network", "created_by")
        .order_by("network__name", "pk")
    )
    items = []
    for endpoint in rows:
        url = reverse("integrations_endpoint", args=[endpoint.pk])
        creator = endpoint.created_by or "a removed account"
        items.append(
            Item(
                key=f"webhook-{endpoint.pk}",
                title=f"Webhook paused: {endpoint.url}",
                url=url,
                detail=f"Created by {creator}; it sends nothing until a team leader resumes it.",
                network=str(endpoint.network),
                actions=[Action("Open the endpoint", url, method="get")],
            )
        )
    return items, count


def register() -> None:
    waiting.register("paused_webhooks", "Paused webhooks", paused_endpoints, order=90)
