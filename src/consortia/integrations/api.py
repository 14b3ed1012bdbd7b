"""REST operations: webhook endpoints of your organization, their delivery log, test and resend.

Team leaders only; endpoints of other organizations answer 404. The same permission functions
and services as the pages.
"""

from ninja import Path, Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from consortia.core.pagination import Pagination
from consortia.core.schemas import BODY_ERRORS, ERRORS, MAX_ID

from . import catalog, permissions, selectors, services
from .schemas import (
    WebhookAttemptOut,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPatch,
    WebhookEndpointSecretOut,
    WebhookEventTypeGroupOut,
    WebhookMessageDetailOut,
    WebhookMessageOut,
)

router = Router(tags=["webhooks"])
EndpointId = Path(..., ge=1, le=MAX_ID, description="The endpoint's id.")
MessageId = Path(..., ge=1, le=MAX_ID, description="The message's id.")
StatusFilter = Query(
    None, description="Only messages in this state.", pattern="^(pending|succeeded|failed|skipped)$"
)


def _with_secret(endpoint, secret: str):
    endpoint.secret = secret  # shown in this answer only; never stored in the clear
    return endpoint


@router.get(
    "/webhooks/event-types",
    response={200: list[WebhookEventTypeGroupOut], **ERRORS},
    summary="List the event types webhooks can carry",
)
def list_webhook_event_types(request):
    """Groups of event types (subscribe with `group.*`), and `*` for everything."""
    return [
        {"group": group, "label": label, "wildcard": f"{group}.*", "types": list(types)}
        for group, (label, types) in catalog.GROUPS.items()
    ]


@router.get(
    "/webhooks/endpoints",
    response={200: list[WebhookEndpointOut], **ERRORS},
    summary="List your organization's webhook endpoints",
)
@paginate(Pagination)
def list_webhook_endpoints(request):
    """Every endpoint of your organization, in every network (team leaders), but those of a
    network you may not see inside now (e.g. it requires two-factor authentication)."""
    permissions.require_integrations_manager(request.auth)
    return selectors.endpoints_of(request.auth)


@router.post(
    "/webhooks/endpoints",
    response={201: WebhookEndpointSecretOut, **BODY_ERRORS},
    summary="Register a webhook endpoint",
)
def create_webhook_endpoint(request, payload: WebhookEndpointIn):
    """The answer holds the signing secret (`whsec_…`): it is never shown again."""
    permissions.require_integrations_manager(request.auth)
    network = permissions.get_network_for_endpoints(request.auth, payload.network)
    endpoint, secret = services.endpoint_create(
        actor=request.auth,
        network=network,
        url=payload.url,
        event_types=payload.event_types,
        description=payload.description,
        enabled=payload.enabled,
    )
    return Status(201, _with_secret(endpoint, secret))


@router.get(
    "/webhooks/endpoints/{endpoint_id}",
    response={200: WebhookEndpointOut, **ERRORS},
    summary="Get a webhook endpoint",
)
def get_webhook_endpoint(request, endpoint_id: int = EndpointId):
    """One endpoint of your organization (without its secret)."""
    return permissions.get_endpoint_for(request.auth, endpoint_id)


@router.patch(
    "/webhooks/endpoints/{endpoint_id}",
    response={200: WebhookEndpointOut, **BODY_ERRORS},
    summary="Change a webhook endpoint",
)
def update_webhook_endpoint(request, payload: WebhookEndpointPatch, endpoint_id: int = EndpointId):
    """Enabling a disabled endpoint clears its failure state."""
    endpoint = permissions.get_endpoint_for(request.auth, endpoint_id)
    return services.endpoint_update(
        actor=request.auth, endpoint=endpoint, **payload.dict(exclude_unset=True)
    )


@router.post(
    "/webhooks/endpoints/{endpoint_id}/resume",
    response={200: WebhookEndpointOut, **ERRORS},
    summary="Resume a paused webhook endpoint",
)
def resume_webhook_endpoint(request, endpoint_id: int = EndpointId):
    """A paused endpoint (its creator is locked out of the network, e.g. by two-factor
    authentication it requires, or left the organization) delivers again, for you: its held
    messages are sent. 422 when it is not paused."""
    endpoint = permissions.get_endpoint_for(request.auth, endpoint_id)
    return services.endpoint_resume(actor=request.auth, endpoint=endpoint)


@router.delete(
    "/webhooks/endpoints/{endpoint_id}",
    response={204: None, **ERRORS},
    summary="Remove a webhook endpoint",
)
def delete_webhook_endpoint(request, endpoint_id: int = EndpointId):
    """The endpoint and its delivery log are removed."""
    endpoint = permissions.get_endpoint_for(request.auth, endpoint_id)
    services.endpoint_delete(actor=request.auth, endpoint=endpoint)
    return Status(204, None)


@router.post(
    "/webhooks/endpoints/{endpoint_id}/rotate-secret",
    response={200: WebhookEndpointSecretOut, **ERRORS},
    summary="Rotate a webhook endpoint's secret",
)
def rotate_webhook_secret(request, endpoint_id: int = EndpointId):
    """A new secret (shown this once); the previous one also signs during the overlap."""
    endpoint = permissions.get_endpoint_for(request.auth, endpoint_id)
    endpoint, secret = services.endpoint_rotate_secret(actor=request.auth, endpoint=endpoint)
    return _with_secret(endpoint, secret)


@router.post(
    "/webhooks/endpoints/{endpoint_id}/test",
    response={202: WebhookMessageOut, **ERRORS},
    summary="Send a test event",
)
def send_webhook_test(request, endpoint_id: int = EndpointId):
    """Queues a `webhook.test` message; `consortia worker` sends it."""
    endpoint = permissions.get_endpoint_for(request.auth, endpoint_id)
    return Status(202, services.endpoint_send_test(actor=request.auth, endpoint=endpoint))


@router.get(
    "/webhooks/endpoints/{endpoint_id}/messages",
    response={200: list[WebhookMessageOut], **ERRORS},
    summary="List an endpoint's messages (the delivery log)",
)
@paginate(Pagination)
def list_webhook_messages(request, endpoint_id: int = EndpointId, status: str = StatusFilter):
    """The delivery log, newest first."""
    endpoint = permissions.get_endpoint_for(request.auth, endpoint_id)
    return selectors.messages_of(endpoint, status=status)


@router.get(
    "/webhooks/endpoints/{endpoint_id}/messages/{message_id}",
    response={200: WebhookMessageDetailOut, **ERRORS},
    summary="Get a message and its attempts",
)
def get_webhook_message(request, endpoint_id: int = EndpointId, message_id: int = MessageId):
    """A message with every attempt: outcome, status code, duration, response excerpt."""
    endpoint = permissions.get_endpoint_for(request.auth, endpoint_id)
    return permissions.get_message_for(request.auth, endpoint, message_id)


@router.get(
    "/webhooks/endpoints/{endpoint_id}/messages/{message_id}/attempts",
    response={200: list[WebhookAttemptOut], **ERRORS},
    summary="List a message's attempts",
)
@paginate(Pagination)
def list_webhook_attempts(request, endpoint_id: int = EndpointId, message_id: int = MessageId):
    """Every attempt to deliver the message, newest first."""
    endpoint = permissions.get_endpoint_for(request.auth, endpoint_id)
    return selectors.attempts_of(permissions.get_message_for(request.auth, endpoint, message_id))


@router.post(
    "/webhooks/endpoints/{endpoint_id}/messages/{message_id}/resend",
    response={202: WebhookMessageOut, **ERRORS},
    summary="Resend a message",
)
def resend_webhook_message(request, endpoint_id: int = EndpointId, message_id: int = MessageId):
    """The same `webhook-id` again, with a fresh retry schedule."""
    endpoint = permissions.get_endpoint_for(request.auth, endpoint_id)
    message = permissions.get_message_for(request.auth, endpoint, message_id)
    return Status(202, services.message_resend(actor=request.auth, message=message))
