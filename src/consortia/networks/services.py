"""Every write about networks, organizations, people and agreements goes through here."""

import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from consortia.core import hooks
from consortia.core.events import emit
from consortia.core.mail import queue_email
from consortia.core.models import Audience, hash_token
from consortia.core.validators import name_error, validate_name
from consortia.networks import admission, permissions
from consortia.networks.models import (
    AdmissionVote,
    Agreement,
    AgreementAcceptance,
    Invitation,
    Network,
    NetworkMembership,
    Organization,
    OrgMembership,
    Person,
)

Status = NetworkMembership.Status
RESERVED_SLUGS = {"new", "admin", "api", "static", "media", "settings", "login", "logout"}


def _clean_email(email: str, field: str = "email") -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({field: "Enter a valid email address."}) from None
    return email


def _required(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"{label} is required."})
    return value


# People -----------------------------------------------------------------------------------


@transaction.atomic
def person_sign_up(*, email: str, name: str, password: str) -> Person:
    email = _clean_email(email)
    name = validate_name(_required(name, "name", "Your name"), "name")
    if Person.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": "An account with this email already exists. Sign in instead."}
        )
    person = Person(email=email, name=name[:150])
    try:
        validate_password(password, person)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    person.set_password(password)
    person.full_clean()
    person.save()
    return person


# Organizations ----------------------------------------------------------------------------

ORG_FIELDS = ("description", "website", "offerings", "needs", "values", "kind")


def _unique_org_slug(name: str) -> str:
    base = slugify(name)[:150] or "organization"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organization_create(*, actor: Person, name: str, **fields) -> Organization:
    """Create an organization; its creator becomes its first team leader."""
    if actor.membership is not None:
        raise ValidationError(
            f"You already belong to {actor.organization}; a person acts for one organization."
        )
    name = validate_name(_required(name, "name", "The organization's name"), "name")
    if Organization.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "An organization with this name already exists."})
    department = validate_name((fields.get("department") or "").strip(), "department")
    organization = Organization(name=name, slug=_unique_org_slug(name))
    for key in ORG_FIELDS:
        if key in fields and fields[key] is not None:
            setattr(organization, key, fields[key])
    organization.full_clean()
    organization.save()
    hooks.profile_changed([organization.pk])
    OrgMembership.objects.create(
        person=actor,
        organization=organization,
        role=OrgMembership.Role.TEAM_LEADER,
        department=department,
    )
    actor.__dict__.pop("_network_memberships", None)
    emit(
        actor=actor,
        organization=organization,
        verb="organization.created",
        obj=organization,
        audience=Audience.ORGANIZATION,
        summary=f"{actor} created {organization}",
    )
    return organization


@transaction.atomic
def organization_update(*, actor: Person, organization: Organization, **fields) -> Organization:
    if permissions.org_id_of(actor) != organization.pk:
        raise PermissionDenied("Only the organization's own team leaders can change it.")
    permissions.require_team_leader(actor)
    if "name" in fields and fields["name"] is not None:
        name = validate_name(_required(fields["name"], "name", "The organization's name"), "name")
        if Organization.objects.filter(name__iexact=name).exclude(pk=organization.pk).exists():
            raise ValidationError({"name": "An organization with this name already exists."})
        organization.name = name
    for key in ORG_FIELDS:
        if key in fields and fields[key] is not None:
            setattr(organization, key, fields[key])
    organization.full_clean()
    organization.save()
    hooks.profile_changed([organization.pk])
    emit(
        actor=actor,
        organization=organization,
        verb="organization.updated",
        obj=organization,
        audience=Audience.ORGANIZATION,
        summary=f"{actor} updated the profile of {organization}",
    )
    return organization


@transaction.atomic
def org_member_update(
    *,
    actor: Person,
    membership: OrgMembership,
    role: str | None = None,
    department: str | None = None,
    votes_for_organization: bool | None = None,
) -> OrgMembership:
    """A team leader changes a colleague's role or department, or names them the delegate who
    votes for the organization in polls."""
    leader = permissions.require_team_leader(actor)
    if membership.organization_id != leader.organization_id:
        raise PermissionDenied("You can only manage people in your own organization.")
    if department is not None:
        department = validate_name(department.strip()[:100], "department")
    if role is not None:
        if role not in OrgMembership.Role.values:
            raise ValidationError({"role": "Choose team leader or member."})
        if (
            role != OrgMembership.Role.TEAM_LEADER
            and membership.role == OrgMembership.Role.TEAM_LEADER
            and not OrgMembership.objects.filter(
                organization_id=membership.organization_id, role=OrgMembership.Role.TEAM_LEADER
            )
            .exclude(pk=membership.pk)
            .exists()
        ):
            raise ValidationError({"role": "An organization needs at least one team leader."})
        membership.role = role
    if department is not None:
        membership.department = department
    if votes_for_organization is not None:
        membership.votes_for_organization = bool(votes_for_organization)
    membership.save()
    emit(
        actor=actor,
        organization=membership.organization,
        verb="organization.member_updated",
        obj=membership,
        audience=Audience.ORGANIZATION,
        summary=f"{actor} made {membership.person} {membership.get_role_display().lower()}"
        + (f" in {membership.department}" if membership.department else "")
        + (" (votes for the organization)" if membership.votes_for_organization else ""),
    )
    return membership


def _last_team_leader(membership: OrgMembership) -> bool:
    return (
        membership.role == OrgMembership.Role.TEAM_LEADER
        and not OrgMembership.objects.filter(
            organization_id=membership.organization_id, role=OrgMembership.Role.TEAM_LEADER
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def _end_org_membership(*, actor: Person, membership: OrgMembership, verb: str, summary: str):
    organization, person = membership.organization, membership.person
    membership.delete()
    person.__dict__.pop("_network_memberships", None)
    emit(
        actor=actor,
        organization=organization,
        verb=verb,
        obj=organization,
        audience=Audience.ORGANIZATION,
        summary=summary,
        data={"person": person.pk},
    )
    # Whoever no longer belongs to the organization must not keep acting for it from a browser
    # or a script: the accounts app ends their sessions and revokes their API tokens.
    hooks.call(
        hooks.PERSON_LEFT_ORGANIZATION, person=person, organization=organization, actor=actor
    )


@transaction.atomic
def org_member_remove(*, actor: Person, membership: OrgMembership) -> None:
    """A team leader removes a colleague from the organization. What they authored stays with
    the organization; their sessions and API tokens end at once."""
    leader = permissions.require_team_leader(actor)
    if membership.organization_id != leader.organization_id:
        raise PermissionDenied("You can only manage people in your own organization.")
    if membership.person_id == actor.pk:
        raise ValidationError("To leave the organization yourself, use “Leave the organization”.")
    if _last_team_leader(membership):
        raise ValidationError("An organization needs at least one team leader.")
    _end_org_membership(
        actor=actor,
        membership=membership,
        verb="organization.member_removed",
        summary=f"{actor} removed {membership.person} from {membership.organization}",
    )


@transaction.atomic
def org_member_leave(*, actor: Person) -> None:
    """A person leaves their organization (they keep their account and may join another)."""
    membership = actor.membership
    if membership is None:
        raise ValidationError("You do not belong to an organization.")
    if _last_team_leader(membership):
        raise ValidationError(
            "You are the organization's last team leader: make a colleague team leader first."
        )
    _end_org_membership(
        actor=actor,
        membership=membership,
        verb="organization.member_left",
        summary=f"{actor} left {membership.organization}",
    )
    actor.__dict__.pop("org_membership", None)
    actor._state.fields_cache.pop("org_membership", None)


# Invitations ------------------------------------------------------------------------------


def _new_invitation(**fields) -> tuple[Invitation, str]:
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(digest=hash_token(raw), **fields)
    invitation.full_clean()
    invitation.save()
    return invitation, raw


def invitation_url(raw_token: str) -> str:
    return settings.SITE_URL + reverse("invitation", args=[raw_token])


@transaction.atomic
def colleague_invite(
    *,
    actor: Person,
    email: str,
    role: str = OrgMembership.Role.MEMBER,
    department: str = "",
    message: str = "",
) -> tuple[Invitation, str]:
    """A team leader invites someone into the organization; they join only by accepting."""
    leader = permissions.require_team_leader(actor, "Only a team leader can invite colleagues.")
    email = _clean_email(email)
    if role not in OrgMembership.Role.values:
        raise ValidationError({"role": "Choose team leader or member."})
    department = validate_name(department.strip()[:100], "department")
    organization = leader.organization
    if OrgMembership.objects.filter(
        organization=organization, person__email__iexact=email
    ).exists():
        raise ValidationError({"email": f"This person is already in {organization}."})
    if Invitation.objects.filter(
        kind=Invitation.Kind.COLLEAGUE,
        organization=organization,
        email__iexact=email,
        status=Invitation.Status.PENDING,
        expires_at__gt=timezone.now(),
    ).exists():
        raise ValidationError({"email": "This person already has an open invitation."})
    invitation, raw = _new_invitation(
        kind=Invitation.Kind.COLLEAGUE,
        email=email,
        organization=organization,
        role=role,
        department=department,
        message=message.strip(),
        invited_by=actor,
        inviting_organization=organization,
    )
    queue_email(
        to=email,
        subject=f"{actor} invites you to join {organization} on Consortia",
        template="networks/email/colleague_invitation.txt",
        context={"invitation": invitation, "url": invitation_url(raw), "actor": actor},
    )
    emit(
        actor=actor,
        organization=organization,
        verb="organization.colleague_invited",
        obj=invitation,
        audience=Audience.ORGANIZATION,
        summary=f"{actor} invited {email} to join {organization}",
    )
    return invitation, raw


def invitation_by_token(raw_token: str) -> Invitation:
    """The invitation a link points to; a wrong token looks exactly like a missing one."""
    from django.http import Http404

    invitation = (
        Invitation.objects.select_related(
            "network", "organization", "invited_by", "inviting_organization"
        )
        .filter(digest=hash_token(raw_token or ""))
        .first()
    )
    if invitation is None:
        raise Http404("This invitation link is not valid.")
    return invitation


def _check_answerable(actor: Person, invitation: Invitation) -> None:
    if invitation.status == Invitation.Status.ACCEPTED:
        raise ValidationError("This invitation has already been accepted; a link works only once.")
    if invitation.status == Invitation.Status.DECLINED:
        raise ValidationError("This invitation was declined; ask for a new one.")
    if invitation.status == Invitation.Status.REVOKED:
        raise ValidationError("This invitation was withdrawn by the organization that sent it.")
    if invitation.is_expired:
        raise ValidationError("This invitation has expired; ask for a new one.")
    if actor.email.lower() != invitation.email.lower():
        raise PermissionDenied(
            f"This invitation was sent to {invitation.email}; "
            "sign in with that address to answer it."
        )


def _mark_answered(invitation: Invitation, actor: Person, status: str, reason: str = "") -> bool:
    """Flip a pending invitation with one conditional UPDATE, so a link works exactly once."""
    updated = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=status,
        answered_at=timezone.now(),
        answered_by=actor,
        decline_reason=reason,
    )
    if not updated:
        raise ValidationError("This invitation has already been answered.")
    invitation.refresh_from_db()
    return True


@transaction.atomic
def invitation_accept(*, actor: Person, invitation: Invitation) -> Invitation:
    """Accept an invitation: join the organization, or put one's organization up for admission."""
    _check_answerable(actor, invitation)
    # Only the emailed link leads here, and it went to this very address: it is proven.
    hooks.call(hooks.ADDRESS_PROVEN, person=actor, email=invitation.email)
    if invitation.kind == Invitation.Kind.COLLEAGUE:
        if actor.membership is not None:
            raise ValidationError(
                f"You already belong to {actor.organization}; leave it before joining another."
            )
        _mark_answered(invitation, actor, Invitation.Status.ACCEPTED)
        membership = OrgMembership.objects.create(
            person=actor,
            organization=invitation.organization,
            role=invitation.role or OrgMembership.Role.MEMBER,
            department=invitation.department,
        )
        permissions.forget_memberships(actor)
        emit(
            actor=actor,
            organization=invitation.organization,
            verb="organization.member_joined",
            obj=membership,
            audience=Audience.ORGANIZATION,
            summary=f"{actor} joined {invitation.organization}",
        )
        return invitation

    network = invitation.network
    leader = permissions.require_team_leader(
        actor, "Only a team leader can accept a network invitation for the organization."
    )
    organization = leader.organization
    existing = NetworkMembership.objects.filter(network=network, organization=organization).first()
    if existing and existing.status in (Status.ACTIVE, *NetworkMembership.PENDING):
        raise ValidationError(
            f"{organization} is already {existing.get_status_display().lower()} in {network}."
        )
    _mark_answered(invitation, actor, Invitation.Status.ACCEPTED)
    Invitation.objects.filter(pk=invitation.pk).update(organization=organization)
    invitation.organization = organization
    membership = existing or NetworkMembership(network=network, organization=organization)
    membership.status = Status.INVITED
    membership.invited_by = invitation.invited_by
    membership.requested_by = actor
    membership.message = invitation.message
    membership.created_at = timezone.now()
    membership.decided_at = membership.joined_at = membership.ended_at = None
    membership.save()
    membership.admission_votes.all().delete()
    permissions.forget_memberships(actor)
    emit(
        actor=actor,
        organization=organization,
        network=network,
        verb="network.invitation_accepted",
        obj=membership,
        audience=Audience.NETWORK,
        summary=f"{organization} accepted the invitation to join {network}; "
        "admission is up to the members",
    )
    _notify_team_leaders_of_pending(membership)
    admission.start(membership)
    return invitation


@transaction.atomic
def invitation_decline(*, actor: Person, invitation: Invitation, reason: str = "") -> Invitation:
    _check_answerable(actor, invitation)
    _mark_answered(invitation, actor, Invitation.Status.DECLINED, reason.strip())
    if invitation.kind == Invitation.Kind.NETWORK:
        emit(
            actor=actor,
            organization=actor.organization,
            network=invitation.network,
            verb="network.invitation_declined",
            obj=invitation,
            audience=Audience.NETWORK,
            summary=f"{invitation.email} declined the invitation to join {invitation.network}",
        )
    else:
        emit(
            actor=actor,
            organization=invitation.organization,
            verb="organization.invitation_declined",
            obj=invitation,
            audience=Audience.ORGANIZATION,
            summary=f"{invitation.email} declined the invitation to join {invitation.organization}",
        )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Person, invitation: Invitation) -> Invitation:
    """The inviting organization withdraws an invitation nobody has answered yet."""
    if permissions.org_id_of(actor) != invitation.inviting_organization_id:
        raise PermissionDenied("Only the organization that sent an invitation can withdraw it.")
    if invitation.kind == Invitation.Kind.COLLEAGUE:
        permissions.require_team_leader(actor)
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError("Only an unanswered invitation can be withdrawn.")
    Invitation.objects.filter(pk=invitation.pk).update(
        status=Invitation.Status.REVOKED, answered_at=timezone.now(), answered_by=actor
    )
    invitation.refresh_from_db()
    emit(
        actor=actor,
        organization=actor.organization,
        network=invitation.network,
        verb="invitation.revoked",
        obj=invitation,
        audience=Audience.NETWORK if invitation.network_id else Audience.ORGANIZATION,
        summary=f"{actor} withdrew the invitation to {invitation.email}",
    )
    return invitation


# Networks ---------------------------------------------------------------------------------


def network_slug_error(slug: str) -> str | None:
    """Why a network may not have this (slugified) web address, or None. The founding form asks
    too, so that a taken address is reported with the form's other errors, in one pass."""
    if not slug:
        return "Choose a short web address made of letters, digits and hyphens."
    if slug in RESERVED_SLUGS:
        return f"“{slug}” is reserved; choose another web address."
    if Network.objects.filter(slug=slug).exists():
        return f"The address “{slug}” is taken by another network; choose another."
    return None


@transaction.atomic
def network_found(
    *,
    actor: Person,
    name: str,
    slug: str = "",
    description: str = "",
    charter_title: str = "",
    charter_text: str = "",
    visibility: str = Network.Visibility.LISTED,
    approvals_required: int = 1,
    admission_rule: str = Network.AdmissionRule.TEAM_LEADER_APPROVALS,
) -> Network:
    """Found a network with its charter; the founder's organization is its first member.

    The founder gets no lasting role: from now on the members decide together.
    """
    leader = permissions.require_team_leader(
        actor, "Only a team leader can found a network on behalf of the organization."
    )
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "The network's name is required."
    elif message := name_error(name):
        errors["name"] = message
    charter_title = (charter_title or "").strip()
    if message := name_error(charter_title):
        errors["charter_title"] = message
    slug = slugify(slug or name)[:60]
    if slug_error := network_slug_error(slug):
        errors["slug"] = slug_error
    if not (charter_text or "").strip():
        errors["charter_text"] = (
            "Write the charter the members will accept: why you partner and how."
        )
    if visibility not in Network.Visibility.values:
        errors["visibility"] = "Choose listed or unlisted."
    if not isinstance(approvals_required, int) or not 1 <= approvals_required <= 50:
        errors["approvals_required"] = "Choose between 1 and 50 approving organizations."
    if admission_rule not in Network.AdmissionRule.values:
        errors["admission_rule"] = "Choose approvals by team leaders or a vote of the members."
    if errors:
        raise ValidationError(errors)
    network = Network(
        name=name[:150],
        slug=slug,
        description=(description or "").strip(),
        visibility=visibility,
        approvals_required=approvals_required,
        admission_rule=admission_rule,
    )
    network.full_clean()
    try:
        with transaction.atomic():
            network.save()
    except IntegrityError:
        raise ValidationError({"slug": f"The address “{slug}” is taken; choose another."}) from None
    charter = Agreement.objects.create(
        network=network,
        kind=Agreement.Kind.CHARTER,
        version=1,
        title=charter_title or f"{network.name} charter",
        text=charter_text.strip(),
        created_by=actor,
    )
    now = timezone.now()
    NetworkMembership.objects.create(
        network=network,
        organization=leader.organization,
        status=Status.ACTIVE,
        requested_by=actor,
        decided_at=now,
        joined_at=now,
    )
    AgreementAcceptance.objects.create(
        agreement=charter, organization=leader.organization, person=actor
    )
    permissions.forget_memberships(actor)
    emit(
        actor=actor,
        organization=leader.organization,
        network=network,
        verb="network.founded",
        obj=network,
        audience=Audience.NETWORK,
        summary=f"{leader.organization} founded {network} and accepted its charter",
    )
    return network


@transaction.atomic
def network_invite_organization(
    *, actor: Person, network: Network, email: str, message: str = ""
) -> tuple[Invitation, str]:
    """Invite an organization, by the email of the person who will answer for it."""
    membership = permissions.require_acting_member(actor, network)
    email = _clean_email(email)
    invitee = Person.objects.filter(email__iexact=email).select_related("org_membership").first()
    if invitee and invitee.membership:
        other = NetworkMembership.objects.filter(
            network=network, organization_id=invitee.membership.organization_id
        ).first()
        if other and other.is_active:
            raise ValidationError(
                {"email": f"{other.organization} is already a member of {network}."}
            )
        if other and other.is_pending:
            raise ValidationError(
                {"email": f"{other.organization} is already waiting for admission to {network}."}
            )
    if Invitation.objects.filter(
        kind=Invitation.Kind.NETWORK,
        network=network,
        email__iexact=email,
        status=Invitation.Status.PENDING,
        expires_at__gt=timezone.now(),
    ).exists():
        raise ValidationError(
            {"email": "This address already has an open invitation to this network."}
        )
    invitation, raw = _new_invitation(
        kind=Invitation.Kind.NETWORK,
        email=email,
        network=network,
        message=(message or "").strip(),
        invited_by=actor,
        inviting_organization=membership.organization,
    )
    queue_email(
        to=email,
        subject=f"{membership.organization} invites your organization to {network}",
        template="networks/email/network_invitation.txt",
        context={"invitation": invitation, "url": invitation_url(raw), "actor": actor},
    )
    emit(
        actor=actor,
        organization=membership.organization,
        network=network,
        verb="network.organization_invited",
        obj=invitation,
        audience=Audience.NETWORK,
        summary=f"{membership.organization} invited {email} "
        f"to bring their organization into {network}",
    )
    return invitation, raw


def _notify_team_leaders_of_pending(membership: NetworkMembership) -> None:
    leaders = OrgMembership.objects.filter(
        NetworkMembership.active_q(prefix="organization__network_memberships__"),
        role=OrgMembership.Role.TEAM_LEADER,
        organization__network_memberships__network=membership.network,
    ).select_related("person")
    for leader in leaders:
        queue_email(
            to=leader.person.email,
            subject=f"{membership.organization} is waiting for admission to {membership.network}",
            template="networks/email/admission_pending.txt",
            context={"membership": membership, "person": leader.person},
        )


@transaction.atomic
def network_apply(*, actor: Person, network: Network, message: str = "") -> NetworkMembership:
    """Request to join a network; the members decide under its admission rule."""
    leader = permissions.require_team_leader(
        actor, "Only a team leader can ask to join a network on behalf of the organization."
    )
    organization = leader.organization
    existing = NetworkMembership.objects.filter(network=network, organization=organization).first()
    if existing and existing.is_active:
        raise ValidationError(f"{organization} is already a member of {network}.")
    if existing and existing.is_pending:
        raise ValidationError(
            f"{organization} has already asked to join {network}; the members are deciding."
        )
    membership = existing or NetworkMembership(network=network, organization=organization)
    membership.status = Status.APPLIED
    membership.message = (message or "").strip()
    membership.requested_by = actor
    membership.invited_by = None
    membership.created_at = timezone.now()
    membership.decided_at = membership.joined_at = membership.ended_at = None
    membership.save()
    membership.admission_votes.all().delete()
    permissions.forget_memberships(actor)
    emit(
        actor=actor,
        organization=organization,
        network=network,
        verb="network.applied",
        obj=membership,
        audience=Audience.NETWORK,
        summary=f"{organization} asked to join {network}",
    )
    _notify_team_leaders_of_pending(membership)
    admission.start(membership)
    return membership


def admission_threshold(network: Network) -> tuple[int, int]:
    """(approvals needed, organizations entitled to decide) under the interim admission rule."""
    voters = NetworkMembership.objects.filter(NetworkMembership.active_q(), network=network).count()
    return max(1, min(network.approvals_required, voters)), voters


def admission_evaluate(membership: NetworkMembership) -> str:
    """Apply the network's admission rule to a pending membership; return its status.

    Under another rule (a vote) the app registered in `networks.admission` decides, not
    approvals.
    """
    if membership.network.admission_rule == Network.AdmissionRule.VOTE:
        return membership.status
    needed, voters = admission_threshold(membership.network)
    votes = list(membership.admission_votes.values_list("decision", flat=True))
    approvals = votes.count(AdmissionVote.Decision.APPROVE)
    rejections = votes.count(AdmissionVote.Decision.REJECT)
    now = timezone.now()
    if approvals >= needed:
        membership.status, membership.decided_at, membership.joined_at = Status.ACTIVE, now, now
        membership.save(update_fields=["status", "decided_at", "joined_at"])
        emit(
            actor=None,
            organization=membership.organization,
            network=membership.network,
            verb="network.admitted",
            obj=membership,
            audience=Audience.NETWORK,
            summary=f"{membership.organization} was admitted to {membership.network} "
            f"({approvals} of {needed} approvals needed)",
        )
        _notify_org_leaders(
            membership,
            subject=f"Welcome to {membership.network}",
            template="networks/email/admitted.txt",
        )
    elif rejections > voters - needed:
        membership.status, membership.decided_at = Status.REJECTED, now
        membership.save(update_fields=["status", "decided_at"])
        emit(
            actor=None,
            organization=membership.organization,
            network=membership.network,
            verb="network.not_admitted",
            obj=membership,
            audience=Audience.NETWORK,
            summary=f"{membership.organization} was not admitted to {membership.network}",
        )
        _notify_org_leaders(
            membership,
            subject=f"Your request to join {membership.network}",
            template="networks/email/not_admitted.txt",
        )
    return membership.status


def _notify_org_leaders(membership: NetworkMembership, *, subject: str, template: str) -> None:
    for leader in OrgMembership.objects.filter(
        organization=membership.organization, role=OrgMembership.Role.TEAM_LEADER
    ).select_related("person"):
        queue_email(
            to=leader.person.email,
            subject=subject,
            template=template,
            context={"membership": membership, "person": leader.person},
        )


@transaction.atomic
def admission_vote(
    *, actor: Person, membership: NetworkMembership, decision: str, reason: str = ""
) -> NetworkMembership:
    """A member organization's team leader approves or rejects a pending admission."""
    network = membership.network
    voter = permissions.require_acting_member(actor, network)
    permissions.require_team_leader(actor, "Only a team leader can decide on admissions.")
    if network.admission_rule == Network.AdmissionRule.VOTE:
        raise ValidationError(
            f"{network} admits organizations by poll: vote in the admission poll under Decisions."
        )
    if decision not in AdmissionVote.Decision.values:
        raise ValidationError({"decision": "Choose approve or reject."})
    membership = NetworkMembership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_pending:
        raise ValidationError(
            f"{membership.organization} is not waiting for admission "
            f"({membership.get_status_display().lower()})."
        )
    if decision == AdmissionVote.Decision.REJECT and not (reason or "").strip():
        raise ValidationError({"reason": "Say why, so the organization understands the decision."})
    if AdmissionVote.objects.filter(
        membership=membership, organization=voter.organization
    ).exists():
        raise ValidationError(f"{voter.organization} has already decided on this admission.")
    AdmissionVote.objects.create(
        membership=membership,
        organization=voter.organization,
        person=actor,
        decision=decision,
        reason=(reason or "").strip(),
    )
    emit(
        actor=actor,
        organization=voter.organization,
        network=network,
        verb=f"network.admission_{decision}d",
        obj=membership,
        audience=Audience.NETWORK,
        summary=f"{voter.organization} {'approved' if decision == 'approve' else 'rejected'} "
        f"the admission of {membership.organization}",
    )
    admission_evaluate(membership)
    return membership


@transaction.atomic
def charter_accept(*, actor: Person, network: Network) -> AgreementAcceptance:
    """A team leader accepts the network's current charter for the organization."""
    leader = permissions.require_team_leader(actor, "Only a team leader can accept the charter.")
    membership = permissions.membership_of(actor, network)
    if membership is None or not (membership.is_active or membership.is_pending):
        raise PermissionDenied(
            "Only members and organizations waiting for admission accept the charter."
        )
    charter = permissions.current_charter(network)
    if charter is None:
        raise ValidationError("This network has no charter to accept.")
    if AgreementAcceptance.objects.filter(
        agreement=charter, organization=leader.organization
    ).exists():
        raise ValidationError(
            f"{leader.organization} has already accepted version {charter.version} of the charter."
        )
    acceptance = AgreementAcceptance.objects.create(
        agreement=charter, organization=leader.organization, person=actor
    )
    network.__dict__.pop("_charter_accepted", None)
    emit(
        actor=actor,
        organization=leader.organization,
        network=network,
        verb="agreement.accepted",
        obj=acceptance,
        audience=Audience.NETWORK,
        summary=f"{leader.organization} accepted the charter (version {charter.version})",
    )
    return acceptance


@transaction.atomic
def network_leave(*, actor: Person, network: Network) -> NetworkMembership:
    """An organization leaves (or withdraws its pending request); nobody can stop it."""
    leader = permissions.require_team_leader(
        actor, "Only a team leader can take the organization out of a network."
    )
    membership = (
        NetworkMembership.objects.select_for_update()
        .filter(network=network, organization=leader.organization)
        .first()
    )
    if membership is None or not (membership.is_active or membership.is_pending):
        raise ValidationError(f"{leader.organization} is not in {network}, so it cannot leave it.")
    was_active = membership.is_active
    membership.status = Status.LEFT
    membership.ended_at = timezone.now()
    membership.save(update_fields=["status", "ended_at"])
    permissions.forget_memberships(actor)
    emit(
        actor=actor,
        organization=leader.organization,
        network=network,
        verb="network.left" if was_active else "network.request_withdrawn",
        obj=membership,
        audience=Audience.NETWORK,
        summary=f"{leader.organization} left {network}"
        if was_active
        else f"{leader.organization} withdrew its request to join {network}",
    )
    if was_active:
        # Fewer members can change what pending admissions need: decide those that now can be.
        for pending in NetworkMembership.objects.filter(
            network=network, status__in=NetworkMembership.PENDING
        ).select_related("network", "organization"):
            admission_evaluate(pending)
    return membership


def person_set_time_zone(*, actor: Person, time_zone: str) -> Person:
    """The zone a person reads and enters times in; blank follows the browser's zone."""
    from consortia.core.timezones import is_valid_zone

    time_zone = (time_zone or "").strip()
    if time_zone and not is_valid_zone(time_zone):
        raise ValidationError(
            {"time_zone": f"“{time_zone[:64]}” is not a time zone; choose one from the list."}
        )
    Person.objects.filter(pk=actor.pk).update(time_zone=time_zone)
    actor.time_zone = time_zone
    return actor
