"""Everything accounts plugs into the rest of Consortia, from AccountsConfig.ready():
the permission funnel's person check, the person annotations, the hooks of networks and the
API's token authentication, the poll outcome, the worker's pruning job, the network section,
and the security log's listeners on allauth's, Django's and axes' signals."""

from allauth.account import signals as account_signals
from allauth.account.models import EmailAddress
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from allauth.socialaccount import signals as social_signals
from axes.signals import user_locked_out
from django.contrib.auth import signals as auth_signals
from django.db.models import Exists, OuterRef
from django.utils import timezone

from consortia.accounts import policy, services
from consortia.accounts.models import SecurityEvent
from consortia.core import hooks
from consortia.networks.models import Person

Kind = SecurityEvent.Kind
SIGNED_IN_AT = "accounts_signed_in_at"
SEEN_AT = "accounts_seen_at"


def _verified(prefix: str):
    return Exists(
        EmailAddress.objects.filter(
            user_id=OuterRef(f"{prefix}pk"),
            email__iexact=OuterRef(f"{prefix}email"),
            verified=True,
        )
    )


def _two_factor(prefix: str):
    return Exists(
        Authenticator.objects.filter(
            user_id=OuterRef(f"{prefix}pk"), type__in=services.TWO_FACTOR_TYPES
        )
    )


def _person_of(username):
    if not username:
        return None
    return Person.objects.filter(email__iexact=username).first()


# Security log listeners ---------------------------------------------------------------------


def on_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now
        # Every sign-in (allauth's, the admin's, a test's) gets a row in the sessions list, so
        # "sign out everywhere" and revoking on leaving an organization reach every session.
        from allauth.usersessions.models import UserSession

        from consortia.accounts.throttle import client_ip

        if not request.session.session_key:
            request.session.save()
        UserSession.objects.update_or_create(
            session_key=request.session.session_key,
            defaults={
                "user": user,
                "ip": client_ip(request) or "0.0.0.0",  # noqa: S104 - a value, not a bind
                "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
            },
        )
    services.security_log_record(
        kind=Kind.SIGNED_IN, person=user, request=request, detail=_how_signed_in(request, user)
    )


def _how_signed_in(request, user) -> str:
    """allauth records each authentication in the session: say which provider it was."""
    from allauth.account.internal.flows.login import get_authentication_records

    if request is None or not hasattr(request, "session"):
        return ""
    records = get_authentication_records(request, user)
    if records and records[-1].get("method") == "socialaccount":
        from django.conf import settings

        provider_id = records[-1].get("provider", "")
        apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
        names = {app.get("provider_id"): app.get("name") for app in apps}
        return f"with {names.get(provider_id) or provider_id}"
    return ""


def on_logged_out(sender, request, user, **kwargs):
    if user is not None and getattr(user, "pk", None):
        services.security_log_record(kind=Kind.SIGNED_OUT, person=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs):
    from consortia.accounts.throttle import username_of

    username = username_of(request, credentials)
    if not username:
        return  # a refused API token: counted by axes, not anyone's log
    services.security_log_record(
        kind=Kind.SIGN_IN_FAILED, person=_person_of(username), request=request
    )


def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    services.security_log_record(
        kind=Kind.LOCKED_OUT,
        person=_person_of(username),
        request=request,
        detail="by account" if username else "by address",
    )


def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    if authenticator.type in services.TWO_FACTOR_TYPES:
        services.security_log_record(
            kind=Kind.TWO_FACTOR_ENABLED,
            person=user,
            request=request,
            detail="security key" if authenticator.type == "webauthn" else "authenticator app",
        )
    elif authenticator.type == Authenticator.Type.RECOVERY_CODES:
        services.security_log_record(kind=Kind.RECOVERY_CODES, person=user, request=request)
    services.forget_cached(user)


def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    if authenticator.type in services.TWO_FACTOR_TYPES:
        services.security_log_record(
            kind=Kind.TWO_FACTOR_DISABLED,
            person=user,
            request=request,
            detail="security key" if authenticator.type == "webauthn" else "authenticator app",
        )
    services.forget_cached(user)


def on_authenticator_reset(sender, request, user, authenticator, **kwargs):
    services.security_log_record(kind=Kind.RECOVERY_CODES, person=user, request=request)


def on_authenticator_used(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        services.security_log_record(kind=Kind.RECOVERY_CODE_USED, person=user, request=request)


def on_mfa_failed(sender, request, user, authenticator, **kwargs):
    services.security_log_record(kind=Kind.TWO_FACTOR_FAILED, person=user, request=request)
    if request is not None:
        # A wrong code counts towards the account's lockout like a wrong password.
        auth_signals.user_login_failed.send(
            sender=__name__, credentials={"username": user.email}, request=request
        )


def on_password_changed(sender, request, user, **kwargs):
    services.security_log_record(kind=Kind.PASSWORD_CHANGED, person=user, request=request)


def on_password_reset(sender, request, user, **kwargs):
    services.security_log_record(kind=Kind.PASSWORD_RESET, person=user, request=request)


def on_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    if from_email_address is None:
        return  # the first address, at sign-up: not a change
    old = from_email_address.email
    services.security_log_record(
        kind=Kind.EMAIL_CHANGED,
        person=user,
        request=request,
        detail=f"{old} → {to_email_address.email}",
    )
    services.forget_cached(user)


def on_email_confirmed(sender, request, email_address, **kwargs):
    services.security_log_record(
        kind=Kind.EMAIL_VERIFIED,
        person=email_address.user,
        request=request,
        detail=email_address.email,
    )
    services.forget_cached(email_address.user)


def on_social_account_added(sender, request, sociallogin, **kwargs):
    services.security_log_record(
        kind=Kind.SSO_LINKED,
        person=sociallogin.user,
        request=request,
        detail=sociallogin.provider.name,
    )


def on_token_created(*, token):
    services.on_token_created(token=token)


def connect() -> None:
    from consortia.accounts import throttle
    from consortia.core.worker import register_job
    from consortia.networks import permissions
    from consortia.networks.pages import Section, register_section

    hooks.register_person_annotation("accounts_email_verified", _verified)
    hooks.register_person_annotation("accounts_two_factor", _two_factor)
    permissions.register_person_check(policy.person_check)
    permissions.register_network_lock(policy.TwoFactorLock)
    hooks.listen(hooks.PERSON_LEFT_ORGANIZATION, services.on_person_left_organization)
    hooks.listen(hooks.API_TOKEN_USED_FROM, services.on_token_used_from)
    hooks.listen(hooks.API_TOKEN_REFUSED, throttle.on_token_refused)
    hooks.listen(hooks.API_TOKEN_CREATED, on_token_created)
    hooks.listen(hooks.ADDRESS_PROVEN, services.on_address_proven)
    from consortia.accounts import demo

    hooks.listen(hooks.DEMO_PERSON_CREATED, demo.verify)
    policy.register()
    register_job("security_log_prune", services.security_log_prune)
    register_section(Section("security", "Security", "network_security", "Network"))
    from consortia.accounts import waiting

    waiting.register()  # network invitations to a verified address, on the dashboard

    uid = "consortia.accounts."
    pairs = [
        (auth_signals.user_logged_in, on_logged_in),
        (auth_signals.user_logged_out, on_logged_out),
        (auth_signals.user_login_failed, on_login_failed),
        (user_locked_out, on_locked_out),
        (mfa_signals.authenticator_added, on_authenticator_added),
        (mfa_signals.authenticator_removed, on_authenticator_removed),
        (mfa_signals.authenticator_reset, on_authenticator_reset),
        (mfa_signals.authenticator_used, on_authenticator_used),
        (mfa_signals.authentication_failed, on_mfa_failed),
        (account_signals.password_changed, on_password_changed),
        (account_signals.password_reset, on_password_reset),
        (account_signals.email_changed, on_email_changed),
        (account_signals.email_confirmed, on_email_confirmed),
        (social_signals.social_account_added, on_social_account_added),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=uid + receiver.__name__)
