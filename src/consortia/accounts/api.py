"""Your sessions, security log and personal data; and the token endpoint that exchanges an
e-mail address and password (and two-factor code) for an API token, throttled like sign-in."""

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.http import Http404
from ninja import Path, Router
from ninja.errors import AuthenticationError
from ninja.pagination import paginate
from ninja.responses import Status

from consortia.accounts import mfa_secrets, selectors, services, throttle
from consortia.accounts.schemas import (
    AccountSessionOut,
    SecurityEventOut,
    SignOutOthersIn,
    SignOutOthersOut,
    TokenExchangeIn,
)
from consortia.core import services as core_services
from consortia.core.pagination import Pagination
from consortia.core.schemas import BODY_ERRORS, ERRORS, MAX_ID, ErrorOut, TokenCreatedOut

router = Router(tags=["account"])


def _session_out(session, current_key) -> dict:
    return {
        "id": session.pk,
        "ip": session.ip,
        "user_agent": session.user_agent,
        "created_at": session.created_at,
        "last_seen_at": session.last_seen_at,
        "current": session.session_key == current_key,
    }


def _current_key(request):
    session = getattr(request, "session", None)
    return session.session_key if session is not None else None


@router.get(
    "/me/sessions", response={200: list[AccountSessionOut], **ERRORS}, summary="My sessions"
)
def list_my_sessions(request):
    """Where you are signed in with a browser, most recently active first."""
    key = _current_key(request)
    return [_session_out(s, key) for s in services.sessions_of(request.auth)]


@router.delete(
    "/me/sessions/{session_id}",
    response={200: AccountSessionOut, **ERRORS},
    summary="Sign out one of my sessions",
)
def end_my_session(request, session_id: int = Path(..., ge=1, le=MAX_ID)):
    """End one of your browser sessions (not the one this request uses)."""
    key = _current_key(request)
    session = UserSession.objects.filter(pk=session_id, user=request.auth).first()
    if session is None:
        raise Http404("No such session")
    out = _session_out(session, key)
    services.session_end(actor=request.auth, session_id=session_id, current_key=key)
    return out


@router.post(
    "/me/sign-out-others",
    response={200: SignOutOthersOut, **BODY_ERRORS},
    summary="Sign out everywhere else",
)
def sign_out_others(request, payload: SignOutOthersIn):
    """End every browser session of yours but the one this request uses (all of them when you
    call with a token), and revoke your API tokens if asked — the calling token included."""
    ended, revoked = services.sessions_end_others(
        actor=request.auth,
        current_key=_current_key(request),
        revoke_tokens=payload.revoke_tokens,
        request=request,
    )
    return {"sessions_ended": ended, "tokens_revoked": revoked}


@router.get(
    "/me/security-log",
    response={200: list[SecurityEventOut], **ERRORS},
    summary="My security log",
)
@paginate(Pagination)
def list_my_security_log(request):
    """Sign-ins, failures, lockouts, two-factor, token and password changes, newest first."""
    return [
        {
            "kind": e.kind,
            "label": e.get_kind_display(),
            "detail": e.detail,
            "ip": e.ip,
            "user_agent": e.user_agent,
            "created_at": e.created_at,
        }
        for e in selectors.security_events_for(person=request.auth)[:1000]
    ]


@router.get("/me/export", response={200: dict, **ERRORS}, summary="Download my personal data")
def export_my_data(request):
    """Everything Consortia holds about you, as JSON (never secrets)."""
    return services.personal_data(person=request.auth, request=request)


class SecurityKeyOnly(Exception):
    """The person's second factor is a security key or passkey, which no API client can use."""


def _code_ok(person, code: str | None) -> bool:
    """Whether `code` is a current TOTP code or an unused recovery code of the person (True
    without an authenticator app). mfa_secrets.Unreadable when none of their secrets can be
    decrypted: no code can be checked, and the caller says why."""
    authenticators = {a.type: a for a in Authenticator.objects.filter(user=person)}
    totp = authenticators.get(Authenticator.Type.TOTP)
    if totp is None:
        # A security key or passkey cannot answer here: such an account gets no token for a
        # password alone (the caller says where to make one).
        if Authenticator.Type.WEBAUTHN in authenticators:
            raise SecurityKeyOnly
        return True
    code = (code or "").strip()
    if not code:
        return False
    recovery = authenticators.get(Authenticator.Type.RECOVERY_CODES)
    matched, none_readable = mfa_secrets.check_code([a for a in (totp, recovery) if a], code)
    if none_readable:
        raise mfa_secrets.Unreadable("no two-factor secret of the person can be decrypted")
    return matched is not None


@router.post(
    "/auth/token",
    auth=None,
    response={201: TokenCreatedOut, 429: ErrorOut, **BODY_ERRORS},
    summary="Exchange a password for an API token",
)
def exchange_token(request, payload: TokenExchangeIn):
    """Create an API token with your e-mail address, password and, if you use two-factor
    authentication, a current code. Failed attempts count towards the sign-in lockout (per
    account and per address): a locked-out client gets 429 with the time to try again."""
    email = payload.email.strip().lower()
    credentials = {"email": email}
    until = throttle.locked_until(request, credentials)
    if until is not None:
        message, seconds = throttle.retry_message(until)
        raise throttle.TooManyAttempts(message, seconds)
    person = authenticate(request, email=email, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        until = throttle.locked_until(request, credentials)
        message, seconds = throttle.retry_message(until) if until else ("Try again later.", 60)
        raise throttle.TooManyAttempts(message, seconds)
    if person is None:
        raise AuthenticationError(message="The e-mail address or password is not correct.")
    try:
        code_ok = _code_ok(person, payload.code)
    except mfa_secrets.Unreadable:
        # The server's fault, not a wrong code: no failure counted, no token, a clear answer.
        mfa_secrets.report_unreadable(person, "API token exchange")
        raise AuthenticationError(message=mfa_secrets.unreadable_message(person)) from None
    except SecurityKeyOnly:
        raise AuthenticationError(
            message="This account's second factor is a security key or passkey, which an API "
            "client cannot use: create a token on the web instead (Settings → API tokens, "
            "/settings/tokens/), or add an authenticator app to use this endpoint."
        ) from None
    if not code_ok:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        raise AuthenticationError(message="A valid two-factor code is needed for this account.")
    token, raw = core_services.api_token_create(actor=person, name=payload.name)
    token.token = raw
    return Status(201, token)
