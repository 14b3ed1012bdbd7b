"""Session time-outs and re-authentication before sensitive actions.

- Idle: a session unused for SESSION_IDLE_SECONDS ends; absolute: SESSION_MAX_SECONDS after
  signing in it ends whatever the activity. The last-seen time is written at most every tenth
  of the idle time-out, so an ordinary request costs no query.
- Sensitive actions (creating an API token, changing the e-mail address, two-factor
  changes, deleting the account) need a sign-in within ACCOUNT_REAUTHENTICATION_TIMEOUT:
  otherwise the person confirms their password (or code) first and comes back.
"""

import time

from allauth.account import app_settings as allauth_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.flows.reauthentication import suspend_request
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import urlencode
from ninja.utils import check_csrf

from consortia.accounts.models import SecurityEvent
from consortia.accounts.wiring import SEEN_AT, SIGNED_IN_AT


def seen_precision() -> float:
    """How stale "last seen" may get before a request writes it: a tenth of the idle time-out
    (6 minutes of the default hour), at least a minute, at most ten. Most requests write
    nothing; a session may end up to this much before the full idle time."""
    return min(max(60, settings.SESSION_IDLE_SECONDS / 10), 600)


# (url name, methods) of the web pages whose POST is a sensitive action; API operations by id.
SENSITIVE_PAGES = {"tokens", "account_delete"}
SENSITIVE_API_PATHS = {"/api/v1/tokens"}


def recently_authenticated(request) -> bool:
    """Signed in or confirmed their password (or code) within the re-authentication window."""
    records = get_authentication_records(request, request.user)
    if not records:
        return False
    latest = max(record.get("at", 0) for record in records)
    return time.time() - latest < allauth_settings.REAUTHENTICATION_TIMEOUT


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            expired = self._expired(request)
            if expired:
                from consortia.accounts import services

                services.security_log_record(
                    kind=SecurityEvent.Kind.SESSION_EXPIRED,
                    person=user,
                    request=request,
                    detail=expired,
                )
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, f"You were signed out: {expired}. Sign in again.")
                    return redirect(
                        reverse("login") + "?" + urlencode({"next": request.get_full_path()})
                    )
        return self.get_response(request)

    def _expired(self, request) -> str:
        session = request.session
        now = timezone.now().timestamp()
        signed_in = session.get(SIGNED_IN_AT)
        seen = session.get(SEEN_AT)
        if signed_in is None or seen is None:
            # A session from before these settings: start counting now.
            session[SIGNED_IN_AT] = signed_in or now
            session[SEEN_AT] = now
            return ""
        if now - signed_in > settings.SESSION_MAX_SECONDS:
            hours = settings.SESSION_MAX_SECONDS // 3600
            return f"sessions last at most {hours} hour{'s' if hours != 1 else ''}"
        if now - seen > settings.SESSION_IDLE_SECONDS:
            minutes = settings.SESSION_IDLE_SECONDS // 60
            return f"{minutes} minute{'s' if minutes != 1 else ''} without activity"
        if now - seen >= seen_precision():
            session[SEEN_AT] = now
            UserSession.objects.filter(session_key=session.session_key).update(
                last_seen_at=timezone.now()
            )
        return ""


class SensitiveActionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if request.path.startswith("/api/"):
            # Only a browser session is asked to confirm; a token call creates tokens with
            # the token's own authority (and POST /auth/token checks the password).
            if "authorization" in request.headers:
                return None
            if check_csrf(request) is not None:
                return None  # the API answers the missing CSRF token itself
            if (
                request.method == "POST"
                and request.path.rstrip("/") in SENSITIVE_API_PATHS
                and not recently_authenticated(request)
            ):
                return JsonResponse(
                    {
                        "detail": "Confirm it is you before creating an API token: sign in "
                        "again, or use POST /api/v1/auth/token with your password."
                    },
                    status=403,
                )
            return None
        if match.url_name in SENSITIVE_PAGES and not recently_authenticated(request):
            # allauth keeps the POST and replays it once the person confirmed it is them.
            return suspend_request(request, reverse("account_reauthenticate"))
        return None


def _provider_origins() -> list[str]:
    from urllib.parse import urlsplit

    origins = []
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    for app in apps:
        parts = urlsplit(app.get("settings", {}).get("server_url", ""))
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


class SingleSignOnFormActionMiddleware:
    """Let the sign-in form lead to the configured OpenID Connect providers.

    Starting single sign-on posts a form to this site, which redirects to the provider; browsers
    apply the page's `form-action` to that redirect too, so the strict policy (`'self'`) would
    stop it. The providers' origins come from the settings on each request (operators add
    providers by settings), and only those are added."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        origins = _provider_origins()
        if origins and response.get("Content-Type", "").startswith("text/html"):
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), *origins]
            response._csp_update = update
        return response


class UnreadableTwoFactorMiddleware:
    """allauth's two-factor settings pages read the stored secrets (the recovery codes and
    their count). When SECRET_KEY changed without the old key in SECRET_KEY_FALLBACKS they
    cannot be decrypted: the person lands on their security overview with the reason and the
    operator gets a warning (accounts.mfa_secrets), instead of a 500. (The code checks refuse
    on their own form first: accounts.forms, accounts.api.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from consortia.accounts import mfa_secrets

        if not isinstance(exception, mfa_secrets.Unreadable):
            return None
        user = getattr(request, "user", None)
        person = user if user is not None and user.is_authenticated else None
        mfa_secrets.report_unreadable(person, request.path)
        if person is not None:
            messages.error(request, mfa_secrets.unreadable_message(person))
        return redirect("account_security")
