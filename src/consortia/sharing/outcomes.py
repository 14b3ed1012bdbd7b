"""The "adopt the network NDA" poll action, registered with the decisions app.

Payload: ``{"title": text, "text": text}``. A passed poll publishes the text as the network's
next NDA version (networks.Agreement, kind "nda"); from then on confidential items need each
organization to accept that version (or a bilateral NDA with the owner).
"""

from django.core.exceptions import ValidationError

from consortia.core.events import emit
from consortia.core.models import Audience
from consortia.core.validators import validate_name
from consortia.networks.models import Agreement

ACTION = "adopt_nda"


def validate(network, payload) -> dict:
    text = payload.get("text") if isinstance(payload, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise ValidationError({"action_payload": "Write the NDA text the network adopts."})
    title = payload.get("title") if isinstance(payload.get("title"), str) else ""
    title = validate_name(title.strip(), "action_payload")[:200]
    return {"text": text.strip(), "title": title or "Network NDA"}


def publish(network, *, title: str, text: str, created_by=None) -> Agreement:
    """Publish the next NDA version of `network` (called by a passed poll)."""
    latest = (
        Agreement.objects.select_for_update()
        .filter(network=network, kind=Agreement.Kind.NDA)
        .order_by("-version")
        .first()
    )
    version = (latest.version if latest else 0) + 1
    agreement = Agreement.objects.create(
        network=network,
        kind=Agreement.Kind.NDA,
        version=version,
        title=title or "Network NDA",
        text=text,
        created_by=created_by,
    )
    emit(
        actor=None,
        network=network,
        verb="agreement.nda_adopted",
        obj=agreement,
        audience=Audience.NETWORK,
        summary=f"The network adopted its NDA, version {version}; each member accepts it "
        "before seeing confidential items",
    )
    return agreement


def apply(poll, result) -> None:
    if not result.get("passed"):
        return
    payload = poll.action_payload or {}
    publish(
        poll.network,
        title=payload.get("title") or "Network NDA",
        text=payload.get("text") or "",
        created_by=poll.created_by,
    )


def register() -> bool:
    """Register the action if the decisions app is installed (called from AppConfig.ready)."""
    from django.apps import apps

    if not apps.is_installed("consortia.decisions"):
        return False
    from consortia.decisions.outcomes import register as register_action

    register_action(
        ACTION, apply, label="Adopt a network NDA", kinds=("yes_no", "consensus"), validate=validate
    )
    return True
