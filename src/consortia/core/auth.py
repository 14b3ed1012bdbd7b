"""How API callers prove who they are: a personal access token, or the browser session.

Tokens come first, so a script that also happens to carry a session cookie is judged by its
token. A token that is present but unknown or revoked is refused outright (401) rather than
falling back to the session, so a revoked token can never keep working by accident.
"""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from consortia.core import hooks
from consortia.core.models import ApiToken, hash_token

# Recording every use would turn each read into a write; a minute is precise enough to tell
# whether a token is still in use.
LAST_USED_PRECISION = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def person_for_token(raw: str, request: HttpRequest | None = None):
    """The active person owning the unrevoked token `raw`, or None. One query, plus one
    UPDATE at most once a minute per token (or when it is used from another address)."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("person__org_membership__organization")
        .annotate(**hooks.person_annotations("person__"))
        .filter(digest=hash_token(raw), revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    if token is None:
        return None
    hooks.copy_person_annotations(token, token.person)
    now = timezone.now()
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    changes = {}
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        changes["last_used_at"] = now
    if address and address != token.last_used_ip:
        changes["last_used_ip"] = address
        hooks.call(hooks.API_TOKEN_USED_FROM, token=token, address=address, request=request)
    if changes:
        ApiToken.objects.filter(pk=token.pk).update(**changes)
    return token.person


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cns_…` with a personal access token."""

    openapi_description = "A personal access token created under Settings → API tokens."

    def __call__(self, request: HttpRequest):
        header = request.headers.get(self.header, "")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer":
            return None  # no token: let the session decide
        person = self.authenticate(request, raw.strip())
        if person is None:
            # Counted per client address (accounts locks out an address that keeps guessing).
            hooks.call(hooks.API_TOKEN_REFUSED, request=request)
            raise AuthenticationError(message="The API token is not valid or has been revoked.")
        return person

    def authenticate(self, request: HttpRequest, token: str):
        person = person_for_token(token, request)
        if person is not None:
            request.user = person
        return person


class SessionAuth(APIKeyCookie):
    """The browser session of a signed-in person; writes need the CSRF token
    (header `X-CSRFToken` with the value of the `csrftoken` cookie)."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "The web app's session cookie. Unsafe methods need the X-CSRFToken header."
    )

    def _get_key(self, request: HttpRequest):
        # Ninja checks CSRF before knowing whether there is a session at all; check it only for
        # an actual session, so an anonymous call gets 401 and a token call is never affected.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if (
            request.method not in SAFE_METHODS
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise HttpError(
                403,
                "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie's value.",
            )
        return user


token_auth = TokenAuth()
session_auth = SessionAuth()
api_auth = [token_auth, session_auth]
