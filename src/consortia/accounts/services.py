"""Writes about accounts: verification, sessions and tokens, the security log, personal data,
single sign-on membership and the network's two-factor rule."""

import logging
from datetime import timedelta

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.core import context as allauth_context
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from consortia.accounts.models import OrganizationDomain, SecurityEvent, TokenAddress
from consortia.core.events import emit
from consortia.core.models import ApiToken, Audience
from consortia.networks.models import OrgMembership, Person

log = logging.getLogger(__name__)
Kind = SecurityEvent.Kind
# What counts as two-factor authentication (recovery codes alone do not).
TWO_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


# Questions other apps ask ------------------------------------------------------------------


def email_is_verified(person) -> bool:
    """Whether the person proved they own the address they sign in with (the public answer
    for other apps, e.g. to show network invitations addressed to it). Free when the person
    was loaded for a request (annotated), one query otherwise."""
    if not getattr(person, "pk", None):
        return False
    cached = getattr(person, "accounts_email_verified", None)
    if cached is not None:
        return bool(cached)
    verified = EmailAddress.objects.filter(
        user_id=person.pk, email__iexact=person.email, verified=True
    ).exists()
    person.accounts_email_verified = verified
    return verified


def has_two_factor(person) -> bool:
    if not getattr(person, "pk", None):
        return False
    cached = getattr(person, "accounts_two_factor", None)
    if cached is not None:
        return bool(cached)
    enabled = Authenticator.objects.filter(user_id=person.pk, type__in=TWO_FACTOR_TYPES).exists()
    person.accounts_two_factor = enabled
    return enabled


def forget_cached(person) -> None:
    for name in ("accounts_email_verified", "accounts_two_factor"):
        person.__dict__.pop(name, None)


# The security log ---------------------------------------------------------------------------


def _request_facts(request) -> tuple[str | None, str]:
    request = request if request is not None else allauth_context.request
    if request is None:
        return None, ""
    from consortia.accounts.throttle import client_ip

    return client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:200]


def security_log_record(*, kind: str, person=None, request=None, detail: str = ""):
    """Append to the person's security log (address and browser from the current request)."""
    ip, agent = _request_facts(request)
    return SecurityEvent.objects.create(
        person=person if getattr(person, "pk", None) else None,
        kind=kind,
        ip=ip,
        user_agent=agent,
        detail=detail[:300],
    )


def security_log_prune(now=None) -> int:
    """Delete entries older than SECURITY_LOG_DAYS (a `consortia worker` job)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SECURITY_LOG_DAYS)
    deleted, _ = SecurityEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# E-mail verification ------------------------------------------------------------------------


def _primary_address(person) -> EmailAddress:
    address = EmailAddress.objects.filter(user=person, email__iexact=person.email).first()
    if address is None:
        EmailAddress.objects.filter(user=person, primary=True).update(primary=False)
        address = EmailAddress.objects.create(
            user=person, email=person.email, primary=True, verified=False
        )
    return address


def email_verification_send(*, person, request=None) -> bool:
    """E-mail the person a link that verifies their address; False if it is verified already."""
    address = _primary_address(person)
    if address.verified:
        return False
    address.send_confirmation(request, signup=False)
    return True


def email_confirm(*, key: str, request=None) -> EmailAddress:
    """Verify the address the emailed `key` was sent to (what the link's page does)."""
    confirmation = EmailConfirmationHMAC.from_key(key or "")
    if confirmation is None:
        raise ValidationError({"key": "This verification link is not valid or has expired."})
    address = confirmation.email_address
    if not address.verified:
        confirmation.confirm(request)
    address.refresh_from_db()
    forget_cached(address.user)
    return address


def on_address_proven(*, person, email: str) -> None:
    """An invitation link e-mailed to the person's own address was opened: verified."""
    if (email or "").lower() != (person.email or "").lower() or email_is_verified(person):
        return
    address = _primary_address(person)
    EmailAddress.objects.filter(pk=address.pk).update(verified=True)
    forget_cached(person)
    security_log_record(kind=Kind.EMAIL_VERIFIED, person=person, detail=f"{email} (invitation)")


# Sessions and tokens ------------------------------------------------------------------------


def sessions_of(person) -> list[UserSession]:
    """The person's sessions that still exist, most recently active first."""
    sessions = UserSession.objects.purge_and_list(person)
    return sorted(sessions, key=lambda s: s.last_seen_at, reverse=True)


def _end_session_keys(keys) -> int:
    keys = [key for key in keys if key]
    if not keys:
        return 0
    Session.objects.filter(session_key__in=keys).delete()
    deleted, _ = UserSession.objects.filter(session_key__in=keys).delete()
    return deleted


def session_end(*, actor, session_id: int, current_key: str | None = None) -> UserSession:
    session = UserSession.objects.filter(pk=session_id, user=actor).first()
    if session is None:
        from django.http import Http404

        raise Http404("No such session")
    if current_key and session.session_key == current_key:
        raise ValidationError("This is the session you are using: sign out instead.")
    _end_session_keys([session.session_key])
    return session


@transaction.atomic
def sessions_end_others(
    *, actor, current_key: str | None, revoke_tokens: bool = False, request=None
) -> tuple[int, int]:
    """Sign the person out everywhere but here (and revoke their API tokens if asked)."""
    keys = UserSession.objects.filter(user=actor).exclude(session_key=current_key or "")
    ended = _end_session_keys(list(keys.values_list("session_key", flat=True)))
    revoked = 0
    if revoke_tokens:
        revoked = ApiToken.objects.filter(person=actor, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    security_log_record(
        kind=Kind.SESSIONS_ENDED,
        person=actor,
        request=request,
        detail=f"{ended} other session(s) ended, {revoked} API token(s) revoked",
    )
    return ended, revoked


def access_revoke_all(*, person) -> tuple[int, int]:
    """End every session and revoke every API token of the person."""
    ended = _end_session_keys(
        list(UserSession.objects.filter(user=person).values_list("session_key", flat=True))
    )
    revoked = ApiToken.objects.filter(person=person, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return ended, revoked


def on_person_left_organization(*, person, organization, actor) -> None:
    """networks calls this (through core.hooks) when a person leaves or is removed."""
    ended, revoked = access_revoke_all(person=person)
    who = "left" if actor is not None and actor.pk == person.pk else f"removed by {actor}"
    security_log_record(
        kind=Kind.REMOVED_FROM_ORGANIZATION,
        person=person,
        detail=f"{organization}: {who}; {ended} session(s) ended, {revoked} token(s) revoked",
    )


def on_token_used_from(*, token, address, request=None) -> None:
    """The first use of a token from each address goes to its owner's security log."""
    _, created = TokenAddress.objects.get_or_create(token=token, ip=address)
    if created and TokenAddress.objects.filter(token=token).count() > 1:
        security_log_record(
            kind=Kind.TOKEN_NEW_ADDRESS,
            person=token.person,
            request=request,
            detail=f"“{token.name}” ({token.hint}…) from {address}",
        )


def on_token_created(*, token, request=None) -> None:
    address, _ = _request_facts(request)
    if address:
        TokenAddress.objects.get_or_create(token=token, ip=address)
    security_log_record(
        kind=Kind.TOKEN_CREATED, person=token.person, request=request, detail=f"“{token.name}”"
    )


# Personal data ------------------------------------------------------------------------------

# Fields never exported: secrets, even hashed ones.
SECRET_FIELDS = {"password", "digest", "data", "secret", "token", "token_secret", "key"}
FORMER_MEMBER = "Former member"


def _rows_about(person) -> dict[str, list[dict]]:
    """Every row of every model that points at the person, by model."""
    out: dict[str, list[dict]] = {}
    for relation in Person._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one):
            continue
        model = relation.related_model
        if model is Person:
            continue
        label = model._meta.label_lower
        if label in ("usersessions.usersession",):
            continue  # listed separately, without session keys
        rows = model._default_manager.filter(**{relation.field.name: person}).order_by("pk")
        fields = [
            f
            for f in model._meta.concrete_fields
            if f.name not in SECRET_FIELDS and not f.name.endswith("_digest")
        ]
        items = []
        for row in rows.iterator(chunk_size=500):
            item = {}
            for field in fields:
                value = getattr(row, field.attname)
                item[field.name] = value.isoformat() if hasattr(value, "isoformat") else value
            items.append(item)
        if items:
            out.setdefault(label, []).extend(items)
    return out


def personal_data(*, person, request=None) -> dict:
    """Everything Consortia holds about the person, as JSON-ready data."""
    membership = person.membership
    data = {
        "exported_at": timezone.now().isoformat(),
        "person": {
            "id": person.pk,
            "email": person.email,
            "name": person.name,
            "date_joined": person.date_joined.isoformat(),
            "last_login": person.last_login.isoformat() if person.last_login else None,
            "email_verified": email_is_verified(person),
            "two_factor": has_two_factor(person),
        },
        "organization": (
            {
                "name": membership.organization.name,
                "slug": membership.organization.slug,
                "role": membership.role,
                "department": membership.department,
                "joined_at": membership.joined_at.isoformat(),
            }
            if membership
            else None
        ),
        "sessions": [
            {
                "started": s.created_at.isoformat(),
                "last_seen": s.last_seen_at.isoformat(),
                "ip": s.ip,
                "browser": s.user_agent,
            }
            for s in UserSession.objects.filter(user=person).order_by("pk")
        ],
        "records": _rows_about(person),
    }
    security_log_record(kind=Kind.DATA_EXPORTED, person=person, request=request)
    return data


@transaction.atomic
def account_delete(*, actor, request=None) -> None:
    """Delete the person's account. What they authored for their organization stays with it
    under "Former member": the row stays, with no name, address, password or way to sign in;
    everything only about them (sessions, tokens, two-factor, log, notifications, addresses,
    single sign-on links) is deleted."""
    membership = actor.membership
    if membership is not None and membership.role == OrgMembership.Role.TEAM_LEADER:
        others = OrgMembership.objects.filter(
            organization_id=membership.organization_id, role=OrgMembership.Role.TEAM_LEADER
        ).exclude(pk=membership.pk)
        colleagues = OrgMembership.objects.filter(
            organization_id=membership.organization_id
        ).exclude(pk=membership.pk)
        if colleagues.exists() and not others.exists():
            raise ValidationError(
                "You are your organization's last team leader: make a colleague team leader "
                "before deleting your account."
            )
    if actor.is_superuser:
        raise PermissionDenied("An operator account is deleted by another operator in the admin.")
    access_revoke_all(person=actor)
    from allauth.socialaccount.models import SocialAccount

    from consortia.core.models import Notification, NotificationPreference

    EmailAddress.objects.filter(user=actor).delete()
    Authenticator.objects.filter(user=actor).delete()
    SocialAccount.objects.filter(user=actor).delete()
    SecurityEvent.objects.filter(person=actor).delete()
    Notification.objects.filter(person=actor).delete()
    NotificationPreference.objects.filter(person=actor).delete()
    if membership is not None:
        organization = membership.organization
        membership.delete()
        emit(
            actor=None,
            organization=organization,
            verb="organization.member_deleted_account",
            obj=organization,
            audience=Audience.ORGANIZATION,
            summary=f"A person of {organization} deleted their account; what they wrote stays "
            "with the organization under “Former member”",
        )
    actor.email = f"former-member-{actor.pk}@deleted.invalid"
    actor.name = FORMER_MEMBER
    actor.set_unusable_password()
    actor.is_active = False
    actor.is_staff = False
    actor.last_login = None
    actor.save()


# Single sign-on -----------------------------------------------------------------------------


def organization_for_domain(email: str):
    domain = (email or "").rpartition("@")[2].strip().lower()
    if not domain:
        return None
    row = OrganizationDomain.objects.select_related("organization").filter(domain=domain).first()
    return row.organization if row else None


@transaction.atomic
def sso_joined(*, person, sociallogin) -> None:
    """After a first sign-in through a provider: the address the provider vouches for is
    verified; if its domain is tied to an organization, the person joins it as a member."""
    addresses = {a.email.lower(): a for a in sociallogin.email_addresses}
    vouched = addresses.get((person.email or "").lower())
    if vouched is None or not vouched.verified:
        return
    EmailAddress.objects.filter(user=person, email__iexact=person.email).update(verified=True)
    forget_cached(person)
    organization = organization_for_domain(person.email)
    if organization is None or OrgMembership.objects.filter(person=person).exists():
        return
    OrgMembership.objects.create(
        person=person, organization=organization, role=OrgMembership.Role.MEMBER
    )
    emit(
        actor=person,
        organization=organization,
        verb="organization.member_joined_by_sso",
        obj=organization,
        audience=Audience.ORGANIZATION,
        summary=f"{person} joined {organization} by single sign-on ({person.email})",
    )


@transaction.atomic
def organization_domain_add(*, domain: str, organization) -> OrganizationDomain:
    domain = (domain or "").strip().lower().lstrip("@")
    if not domain or "." not in domain or " " in domain or "@" in domain:
        raise ValidationError({"domain": "Enter a domain such as example.org."})
    if OrganizationDomain.objects.filter(domain=domain).exists():
        raise ValidationError({"domain": "This domain is already tied to an organization."})
    return OrganizationDomain.objects.create(domain=domain, organization=organization)
