"""What accounts adds to the one permission funnel (networks.permissions), and the network
rule "people of member organizations need two-factor authentication", set by a poll."""

from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from consortia.accounts.services import TWO_FACTOR_TYPES, email_is_verified, has_two_factor
from consortia.core.events import emit
from consortia.core.models import Audience
from consortia.networks.models import Network
from consortia.networks.permissions import Refusal

ACTION = "require_two_factor"


def person_check(person, network, need) -> str | None:
    """Called by networks.permissions for every act (and members-only page of a network)."""
    if need == "act" and not email_is_verified(person):
        return (
            f"Verify your e-mail address first: open the link we sent to {person.email} "
            f"(Account → E-mail address sends a new one: {reverse('account_email')})."
        )
    if network is not None:
        return TwoFactorLock.reason(person, network)
    return None


def _two_factor_networks():
    return Network.objects.filter(requires_two_factor=True).values("pk")


class TwoFactorLock:
    """The network lock (networks.permissions.register_network_lock): a person without
    two-factor authentication sees nothing inside a network that requires it — no items, events
    or notifications about them, on any list — until they turn it on."""

    @staticmethod
    def reason(person, network):
        if not getattr(network, "requires_two_factor", False) or has_two_factor(person):
            return None
        return Refusal(
            f"{network.name} requires two-factor authentication: until you turn it on, you "
            "cannot see or do anything inside it. Turn it on under Account → Two-factor "
            "authentication.",
            url=reverse("mfa_index"),
            label="Turn on two-factor authentication",
        )

    @staticmethod
    def row_q(person, field):
        """Decided in Python when the person was loaded for a request (annotated), else in
        SQL: never a query of its own."""
        if person is None or not getattr(person, "pk", None):
            return None
        cached = getattr(person, "accounts_two_factor", None)
        if cached:
            return None
        hidden = ~Q(**{f"{field}__in": _two_factor_networks()})
        if cached is None:
            enabled = Authenticator.objects.filter(user_id=person.pk, type__in=TWO_FACTOR_TYPES)
            return hidden | Q(Exists(enabled))
        return hidden

    @staticmethod
    def viewer_q(viewer, field):
        enabled = Authenticator.objects.filter(
            user_id=viewer.inner("person"), type__in=TWO_FACTOR_TYPES
        )
        return ~Q(**{f"{field}__in": _two_factor_networks()}) | Q(Exists(enabled))

    @staticmethod
    def people_q(network_id):
        required = Network.objects.filter(pk=network_id, requires_two_factor=True)
        enabled = Authenticator.objects.filter(user_id=OuterRef("pk"), type__in=TWO_FACTOR_TYPES)
        return ~Q(Exists(required)) | Q(Exists(enabled))


def validate(network, payload) -> dict:
    required = payload.get("required") if isinstance(payload, dict) else None
    if not isinstance(required, bool):
        raise ValidationError(
            {"action_payload": "Say whether two-factor authentication becomes required."}
        )
    if required == network.requires_two_factor:
        state = "already requires" if required else "does not require"
        raise ValidationError({"action_payload": f"The network {state} two-factor authentication."})
    return {"required": required}


def apply(poll, result) -> None:
    if not result.get("passed"):
        return
    required = bool((poll.action_payload or {}).get("required"))
    network = poll.network
    Network.objects.filter(pk=network.pk).update(requires_two_factor=required)
    emit(
        actor=None,
        network=network,
        verb="network.two_factor_required" if required else "network.two_factor_optional",
        obj=network,
        audience=Audience.NETWORK,
        summary=(
            "The members decided that everyone needs two-factor authentication to see and act "
            "in the network"
            if required
            else "The members decided that two-factor authentication is no longer required"
        ),
    )


def register() -> bool:
    from django.apps import apps

    if not apps.is_installed("consortia.decisions"):
        return False
    from consortia.decisions.outcomes import register as register_action

    register_action(
        ACTION,
        apply,
        label="Require two-factor authentication (or stop requiring it)",
        kinds=("yes_no", "consensus"),
        validate=validate,
    )
    return True
