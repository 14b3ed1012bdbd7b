"""What accounts adds to the one permission funnel (networks.permissions), and the network
rule "people of member organizations need two-factor authentication", set by a poll."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from consortia.accounts.services import email_is_verified, has_two_factor
from consortia.core.events import emit
from consortia.core.models import Audience
from consortia.networks.models import Network

ACTION = "require_two_factor"


def person_check(person, network, need) -> str | None:
    """Called by networks.permissions for every act (and members-only page of a network)."""
    if need == "act" and not email_is_verified(person):
        return (
            f"Verify your e-mail address first: open the link we sent to {person.email} "
            f"(Account → E-mail address sends a new one: {reverse('account_email')})."
        )
    if (
        network is not None
        and getattr(network, "requires_two_factor", False)
        and not has_two_factor(person)
    ):
        return (
            f"{network.name} requires two-factor authentication: turn it on under "
            f"Account → Two-factor authentication ({reverse('mfa_index')})."
        )
    return None


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
