"""Network invitations addressed to the person's verified address, shown and answered in
the app (core.waiting). Registered by accounts.wiring.connect().

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

from .services import email_is_verified

HOME = "/"


def network_invitations_for(person, now=None):
    """Open network invitations to the person's address, if it is verified (else none)."""
    if not getattr(person, "is_authenticated", False) or not email_is_verified(person):
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            kind=Invitation.Kind.NETWORK,
            email__iexact=person.email,
            status=Invitation.Status.PENDING,
            expires_at__gt=now or timezone.now(),
        )
        .select_related("network", "invited_by", "inviting_organization")
        .order_by("expires_at", "pk")
    )


def network_invitations(person, now):
    if not email_is_verified(person):
        return [], 0
    rows, count = waiting.capped(network_invitations_for(person, now))
    membership = person.membership
    leader = person.is_team_leader
    items = []
    for inv in rows:
        fields = {"next": HOME}
        if membership is None:
            note = "Create your organization to accept it"
            actions = [
                Action(
                    "Create your organization",
                    reverse("organization_create") + "?next=/",
                    method="get",
                ),
                Action(
                    "Decline",
                    reverse("invitation_in_app", args=[inv.pk, "decline"]),
                    fields=fields,
                    primary=False,
                ),
            ]
        elif leader:
            note = ""
            actions = [
                Action(
                    "Accept", reverse("invitation_in_app", args=[inv.pk, "accept"]), fields=fields
                ),
                Action(
                    "Decline",
                    reverse("invitation_in_app", args=[inv.pk, "decline"]),
                    fields=fields,
                    primary=False,
                ),
            ]
        else:
            note, actions = "A team leader of your organization answers it", []
        by = inv.inviting_organization or inv.invited_by
        items.append(
            Item(
                key=f"invitation-{inv.pk}",
                title=f"Join {inv.network}",
                # An unlisted network is not for the invitee to see before joining.
                url=reverse("network_detail", args=[inv.network.slug])
                if inv.network.visibility == Network.Visibility.LISTED
                else "",
                detail=(f"Invited by {by}" if by else "Invited")
                + "; admission is then up to its members",
                network=inv.network.name,
                due=inv.expires_at,
                due_label="expires",
                note=note,
                actions=actions,
            )
        )
    return items, count


def register() -> None:
    waiting.register("network_invitations", "Invitations to networks", network_invitations, order=5)
