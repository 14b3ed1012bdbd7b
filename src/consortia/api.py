"""The one NinjaAPI: every app contributes a Router.

Errors have two shapes, whatever raised them:
- `{"detail": "sentence"}` for 401 (not signed in, bad token), 403 (visible but not allowed),
  404 (missing, or not visible to the caller — the two look the same), 413 (a body over
  DATA_UPLOAD_MAX_MEMORY_SIZE);
- `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}` for 422, both when the input does
  not match the schema (raised by Ninja) and when a service refuses it (a django
  ValidationError): one format for clients to show next to their fields.
"""

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    ValidationError,
)
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from consortia.accounts.api import router as accounts_router
from consortia.accounts.throttle import TooManyAttempts
from consortia.agenda.api import router as agenda_router
from consortia.core.api import router as core_router
from consortia.core.auth import api_auth
from consortia.decisions.api import router as decisions_router
from consortia.healthchecks.api import router as healthchecks_router
from consortia.initiatives.api import router as initiatives_router
from consortia.insights.api import router as insights_router
from consortia.integrations.api import router as integrations_router
from consortia.ledger.api import router as ledger_router
from consortia.matching.api import router as matching_router
from consortia.metrics.api import router as metrics_router
from consortia.networks.api import invitations_router, networks_router, organizations_router
from consortia.overlap.api import router as overlap_router
from consortia.reviews.api import router as reviews_router
from consortia.sharing.api import router as sharing_router


class ConsortiaAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # Short, stable ids (`list_networks`) make readable generated clients.
        return operation.view_func.__name__


api = ConsortiaAPI(
    title="Consortia API",
    version="1",
    description="The REST API of a Consortia partnership network. Authenticate with a personal "
    "access token (`Authorization: Bearer cns_…`) created under Settings → API tokens, or with "
    "the browser session (CSRF token required for writes).\n\n"
    'Lists take `limit` and `offset` and answer `{"items": [...], "count": total}`. '
    "Objects you may not know about answer 404; actions you may not take answer 403 with a "
    "sentence saying why; input that cannot be accepted answers 422 with field errors, and "
    "nothing changes.",
    urls_namespace="api",
    auth=api_auth,
)


def validation_error_items(exc: ValidationError) -> list[dict]:
    """A django ValidationError in Ninja's 422 format: field errors point at the body field
    (`["body", "payload", field]`), errors about the request as a whole have an empty loc."""
    items = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            loc = [] if field == NON_FIELD_ERRORS else ["body", "payload", field]
            for error in errors:
                for message in error.messages:
                    items.append({"loc": loc, "msg": message, "type": "value_error"})
    else:
        for message in exc.messages:
            items.append({"loc": [], "msg": message, "type": "value_error"})
    return items


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc: AuthenticationError):
    response = api.create_response(request, {"detail": str(exc)}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="Consortia API"'
    return response


@api.exception_handler(TooManyAttempts)
def on_too_many_attempts(request, exc: TooManyAttempts):
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request, exc: RequestDataTooBig):
    # Django's answer is an HTML page; a client reads a sentence in the API's shape.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = f"The request body is larger than this server accepts ({limit:,} bytes)."
    return api.create_response(request, {"detail": message}, status=413)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return api.create_response(request, {"detail": validation_error_items(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    message = str(exc) or "You are not allowed to do this."
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(Http404)
def on_not_found(request, exc: Http404):
    # Missing and invisible look the same; the message never names what was looked for.
    message = str(exc) if str(exc) else "Not found."
    return api.create_response(request, {"detail": message}, status=404)


api.add_router("/", core_router)
api.add_router("/", accounts_router)
api.add_router("/", organizations_router)
api.add_router("/", networks_router)
api.add_router("/", invitations_router)
api.add_router("/", initiatives_router)
api.add_router("/", decisions_router)
api.add_router("/", sharing_router)
api.add_router("/", metrics_router)
api.add_router("/", ledger_router)
api.add_router("/", insights_router)
api.add_router("/", reviews_router)
api.add_router("/", overlap_router)
api.add_router("/", integrations_router)
api.add_router("/", matching_router)
api.add_router("/", healthchecks_router)
api.add_router("/", agenda_router)
