"""Invitations addressed to the person's verified address — into a network for their
organization, or into an organization as a colleague — shown and answered in the app
(core.waiting). Registered by accounts.wiring.connect().

Sign-up does not prove an address, so an invitation is otherwise answered only through the
single-use link e-mailed to it (networks.views.invitation). Once the person has verified the
address they sign in with, the link proves nothing more than the account does: the dashboard
lists the invitations sent to it and the person answers them there. Unverified: the link rule.
"""

from django.urls import reverse
from django.utils import timezone

from consortia.core import waiting
from consortia.core.waiting import Action, Item
from consortia.networks.models import Invitation, Network

from .services import email_is_verified, has_two_factor

HOME = "/"


def invitations_for(person, now=None):
    """Open invitations (into a network, or into an organization as a colleague) to the
    person's address, if it is verified (else none); expiring soonest first."""
    if not getattr(person, "is_authenticated", False) or not email_is_verified(person):
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            email__iexact=person.email,
            status=Invitation.Status.PENDING,
            expires_at__gt=now or timezone.now(),
        )
        .select_related("network", "organization", "invited_by", "inviting_organization")
        .order_by("expires_at", "pk")
    )


def _actions(inv, person) -> tuple[str, list[Action]]:
    """What the person can do with the invitation, or why they cannot."""
    fields = {"next": HOME}
    accept = Action("Accept", reverse("invitation_in_app", args=[inv.pk, "accept"]), fields=fields)
    decline = Action(
        "Decline",
        reverse("invitation_in_app", args=[inv.pk, "decline"]),
        fields=fields,
        primary=False,
    )
    organization = person.organization
    if inv.kind == Invitation.Kind.COLLEAGUE:
        if organization is not None:
            return f"You already belong to {organization}; leave it to join another", [decline]
        return "", [accept, decline]
    if organization is None:
        create = Action(
            "Create your organization", reverse("organization_create") + "?next=/", method="get"
        )
        return "Create your organization to accept it", [create, decline]
    if person.is_team_leader:
        return "", [accept, decline]
    return "A team leader of your organization answers it", []


def invitations(person, now):
    if not email_is_verified(person):
        return [], 0
    rows, count = waiting.capped(invitations_for(person, now))
    items = []
    for inv in rows:
        note, actions = _actions(inv, person)
        by = inv.inviting_organization or inv.invited_by
        if inv.kind == Invitation.Kind.COLLEAGUE:
            role = inv.get_role_display().lower() if inv.role else "member"
            title = f"Join {inv.organization} as a {role}"
            detail = f"Invited by {inv.invited_by}" if inv.invited_by else "Invited"
            url, network = "", ""
        else:
            title = f"Join {inv.network}"
            detail = (f"Invited by {by}" if by else "Invited") + (
                "; admission is then up to its members"
            )
            # Shown even to a person the network's two-factor rule would lock out: the
            # invitation is theirs to answer, and says what they need to take part.
            if inv.network.requires_two_factor and not has_two_factor(person):
                detail += "; it requires two-factor authentication, which you have not turned on"
            # An unlisted network is not for the invitee to see before joining.
            url = (
                reverse("network_detail", args=[inv.network.slug])
                if inv.network.visibility == Network.Visibility.LISTED
                else ""
            )
            network = inv.network.name
        items.append(
            Item(
                key=f"invitation-{inv.pk}",
                title=title,
                url=url,
                detail=detail,
                network=network,
                due=inv.expires_at,
                due_label="expires",
                note=note,
                actions=actions,
            )
        )
    return items, count


def register() -> None:
    waiting.register("invitations", "Invitations for you", invitations, order=5)
