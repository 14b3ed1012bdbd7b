"""Every write about the ledger goes through here (C8).

How value is counted: money at its amount, in-kind contributions at their stated value, hours
at the ledger's hour rate when entered (LedgerSettings.hour_rate; 0 means hours are recorded
but count for nothing in the balance). Money and in-kind entries must be in the ledger's
currency: a mismatch is refused with a clear message rather than converted.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from consortia.core.events import emit
from consortia.core.models import Audience
from consortia.core.validators import validate_day
from consortia.initiatives import permissions as initiative_permissions
from consortia.networks import permissions as network_permissions

from . import permissions, selectors
from .models import LedgerEntry, LedgerSettings

MAX_AMOUNT = Decimal("99999999999999.99")
MAX_HOURS = Decimal("99999999.99")
CURRENCIES = {
    "EUR", "USD", "GBP", "CHF", "JPY", "CNY", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF",
    "CAD", "AUD", "NZD", "INR", "BRL", "ZAR", "SGD", "HKD", "KRW", "MXN", "TRY", "ILS",
}  # fmt: skip


def _number(value, field: str, *, maximum: Decimal, label: str) -> Decimal:
    if value in (None, ""):
        raise ValidationError({field: f"Give the {label}."})
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: f"The {label} must be a number, e.g. 1500.00."}) from None
    if number < 0:
        raise ValidationError(
            {
                field: f"The {label} cannot be negative; record a return instead of a negative "
                "investment."
            }
        )
    if number > maximum:
        raise ValidationError({field: f"The {label} is too large."})
    return number.quantize(Decimal("0.01"))


def _currency(value) -> str:
    code = (value or "").strip().upper()
    if code not in CURRENCIES:
        raise ValidationError(
            {"currency": "Give the currency as an ISO 4217 code such as EUR, USD or GBP."}
        )
    return code


@transaction.atomic
def entry_create(
    *,
    actor,
    network,
    direction: str,
    kind: str,
    date: date,
    initiative=None,
    amount=None,
    currency: str = "",
    hours=None,
    stated_value=None,
    note: str = "",
) -> LedgerEntry:
    """Record an investment or a return of the actor's own organization."""
    org_id = permissions.require_writer(actor, network, initiative)
    if initiative is not None and initiative.network_id != network.pk:
        raise ValidationError({"initiative": "Choose an initiative of this network."})
    if direction not in LedgerEntry.Direction.values:
        raise ValidationError({"direction": "Choose investment or return."})
    if kind not in LedgerEntry.Kind.values:
        raise ValidationError({"kind": "Choose money, hours or in kind."})
    if not isinstance(date, type(timezone.localdate())):
        raise ValidationError({"date": "Give the date."})
    if date > timezone.localdate():
        raise ValidationError({"date": "The date cannot be in the future."})
    validate_day(date, "date")
    ledger = selectors.settings_for(initiative=initiative, network=network)
    entry = LedgerEntry(
        network=network,
        organization_id=org_id,
        initiative=initiative,
        direction=direction,
        kind=kind,
        date=date,
        note=(note or "").strip()[:500],
        entered_by=actor,
        currency=ledger.currency,
    )
    if kind == LedgerEntry.Kind.HOURS:
        entry.hours = _number(hours, "hours", maximum=MAX_HOURS, label="number of hours")
        entry.value = (entry.hours * ledger.hour_rate).quantize(Decimal("0.01"))
        if entry.value > MAX_AMOUNT:
            raise ValidationError({"hours": "The number of hours is too large."})
    else:
        field = "amount" if kind == LedgerEntry.Kind.MONEY else "stated_value"
        label = "amount" if kind == LedgerEntry.Kind.MONEY else "stated value"
        number = _number(
            amount if kind == LedgerEntry.Kind.MONEY else stated_value,
            field,
            maximum=MAX_AMOUNT,
            label=label,
        )
        code = _currency(currency or ledger.currency)
        if code != ledger.currency:
            where = f"“{initiative}”" if initiative is not None else str(network)
            raise ValidationError(
                {
                    "currency": f"The ledger of {where} is kept in {ledger.currency}; this "
                    f"entry is in {code}. Convert it to {ledger.currency} first."
                }
            )
        setattr(entry, field, number)
        entry.value = number
    entry.full_clean()
    entry.save()
    emit(
        actor=actor,
        organization=actor.organization,
        network=network,
        verb=f"ledger.{direction}",
        obj=entry,
        audience=Audience.NETWORK if initiative is None else Audience.ORGANIZATION,
        summary=f"{actor.organization} recorded "
        + ("an investment" if direction == "investment" else "a return")
        + (f" in “{initiative}”" if initiative is not None else ""),
    )
    return entry


@transaction.atomic
def entry_delete(*, actor, entry: LedgerEntry) -> None:
    network_permissions.require_acting_member(actor, entry.network)
    if network_permissions.org_id_of(actor) != entry.organization_id:
        raise PermissionDenied("Only the organization's own people can delete its entries.")
    emit(
        actor=actor,
        organization=actor.organization,
        network=entry.network,
        verb="ledger.deleted",
        obj=entry,
        audience=Audience.ORGANIZATION,
        summary=f"{actor.organization} deleted a ledger entry of {entry.date}",
    )
    entry.delete()


@transaction.atomic
def settings_update(
    *, actor, network, initiative=None, currency: str, threshold_pct, hour_rate
) -> LedgerSettings:
    """Set the ledger's currency, fairness threshold and hour rate. For an initiative: its
    current leader, or with no leader a participating team leader (the participants' rule);
    for the network's own ledger: a team leader of an acting member. The currency can change
    only while the ledger has no money or in-kind entries."""
    network_permissions.require_acting_member(actor, network)
    if initiative is not None:
        initiative_permissions.require_steer(actor, initiative, what="set the ledger's rules")
    else:
        network_permissions.require_team_leader(actor)
    code = _currency(currency)
    try:
        threshold = Decimal(str(threshold_pct).strip())
        if not threshold.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(
            {"threshold_pct": "Give the threshold in percentage points."}
        ) from None
    if not 0 <= threshold <= 100:
        raise ValidationError({"threshold_pct": "The threshold is between 0 and 100 points."})
    rate = _number(hour_rate, "hour_rate", maximum=MAX_AMOUNT, label="hour rate")
    current = selectors.settings_for(initiative=initiative, network=network)
    if current.currency != code:
        entries = LedgerEntry.objects.filter(network=network, currency=current.currency)
        entries = (
            entries.filter(initiative=initiative)
            if initiative is not None
            else entries.filter(initiative__isnull=True)
        )
        if entries.exists():
            raise ValidationError(
                {"currency": f"The ledger already holds entries in {current.currency}."}
            )
    current.currency, current.threshold_pct = code, threshold.quantize(Decimal("0.01"))
    current.hour_rate, current.updated_by, current.updated_at = rate, actor, timezone.now()
    current.save()
    emit(
        actor=actor,
        organization=actor.organization,
        network=network,
        verb="ledger.settings_changed",
        obj=current,
        audience=Audience.NETWORK,
        summary=f"Ledger rules of {initiative or network}: {code}, threshold "
        f"{threshold.normalize():f} points, hour rate {rate} {code}",
    )
    return current
