"""The one NinjaAPI: every app contributes a Router."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Consortia API",
    version="1",
    description="The REST API of a Consortia partnership network. Authenticate with a personal "
    "access token (`Authorization: Bearer cns_…`) created under Settings → API tokens, or with "
    "the browser session (CSRF token required for writes).",
    urls_namespace="api",
)
