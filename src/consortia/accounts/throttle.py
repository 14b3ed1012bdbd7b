"""Sign-in throttling with django-axes: failures are counted in the database per account and
per client address; a locked-out client is told when it may try again (page, API, admin).

Failed bearer tokens count against the client address too, so guessing tokens is as slow as
guessing passwords.
"""

from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

CREDENTIAL_KEYS = ("email", "username", "login")


def username_of(request, credentials) -> str | None:
    """The account an attempt names: allauth passes `email`, the admin's form `username`."""
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        for key in CREDENTIAL_KEYS:
            value = source.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip().lower()[:254]
    return None


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_HOPS proxies the address the
    outermost trusted proxy saw (X-Forwarded-For, counted from the right, so a client cannot
    choose its own address by sending the header)."""
    from django.conf import settings

    hops = settings.TRUSTED_PROXY_HOPS
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops][:45]
    return request.META.get("REMOTE_ADDR") or None


def locked_until(request, credentials=None):
    """When the lockout that applies to this request ends, or None if it is not locked."""
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    if not handler.is_locked(request, credentials):
        return None
    limit = get_failure_limit(request, credentials)
    cool_off = get_cool_off(request) or timedelta(0)
    latest = None
    for attempts in handler.get_user_attempts(request, credentials):
        rows = list(attempts.values_list("attempt_time", "failures_since_start"))
        if sum(failures for _, failures in rows) >= limit:
            newest = max(time for time, _ in rows)
            latest = newest if latest is None else max(latest, newest)
    if latest is None:
        return timezone.now() + cool_off
    return latest + cool_off


def retry_message(until) -> tuple[str, int]:
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1)
    minutes = max(1, round(seconds / 60))
    when = f"{until:%H:%M} UTC"
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return (
        f"Too many failed sign-ins from this account or this address. "
        f"Try again at {when} (in {wait}).",
        seconds,
    )


def lockout_response(request, original_response=None, credentials=None):
    """axes calls this instead of the view's answer while the client is locked out."""
    until = locked_until(request, credentials) or timezone.now() + (
        get_cool_off(request) or timedelta(minutes=15)
    )
    message, seconds = retry_message(until)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(
            request,
            "accounts/locked_out.html",
            {"message": message, "until": until},
            status=429,
        )
    response["Retry-After"] = str(seconds)
    return response


class TooManyAttempts(Exception):
    """Raised where a refused credential locks the client out; the API answers 429."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def on_token_refused(*, request) -> None:
    """A bearer token that matches nothing counts as a failed sign-in of the client address;
    once the address is locked out the answer becomes 429 with the time to try again. (A valid
    token keeps working: tokens are 256-bit random, the lockout slows scanning down.)"""
    credentials = {"username": None}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    until = locked_until(request, credentials)
    if until is not None:
        message, seconds = retry_message(until)
        raise TooManyAttempts(message, seconds)
