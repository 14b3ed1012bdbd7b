"""REST operations: investment and return.

The network's own ledger is visible to its active members; an initiative's ledger to the
people of its participating organizations (others get 404). Entries are created and deleted
only for one's own organization.
"""

from datetime import date

from django.core.exceptions import ValidationError
from ninja import Path, Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from consortia.core.pagination import Pagination
from consortia.core.schemas import BODY_ERRORS, ERRORS, MAX_ID, SLUG_PATTERN

from . import permissions, selectors, services
from .schemas import BalanceOut, LedgerEntryIn, LedgerEntryOut, SettingsIn, SettingsOut

router = Router(tags=["ledger"])
Since = Query(None, description="From this date (inclusive).")
Until = Query(None, description="Until this date (inclusive).")
NetworkSlug = Path(..., max_length=60, pattern=SLUG_PATTERN, description="The network's slug.")


def Id(description: str):
    return Path(..., ge=1, le=MAX_ID, description=description)


def _initiative(request, initiative_id):
    return permissions.get_initiative_for(request.auth, initiative_id)


def _balance(**kwargs):
    return selectors.balance(**kwargs)


@router.get(
    "/networks/{slug}/ledger/entries",
    response={200: list[LedgerEntryOut], **ERRORS},
    summary="List the network ledger's entries",
)
@paginate(Pagination)
def list_network_entries(request, slug: str = NetworkSlug):
    """Entries of the network's own ledger (not of its initiatives), newest first."""
    network = permissions.get_network_for(request.auth, slug)
    return selectors.entries_for(network=network)


@router.get(
    "/initiatives/{initiative_id}/ledger/entries",
    response={200: list[LedgerEntryOut], **ERRORS},
    summary="List an initiative ledger's entries",
)
@paginate(Pagination)
def list_initiative_entries(request, initiative_id: int = Id("The initiative's id.")):
    """The initiative's investment and return entries (participants only), newest first."""
    initiative = _initiative(request, initiative_id)
    return selectors.entries_for(network=initiative.network, initiative=initiative)


@router.post(
    "/networks/{slug}/ledger/entries",
    response={201: LedgerEntryOut, **BODY_ERRORS},
    summary="Record an investment or a return",
)
def create_entry(request, payload: LedgerEntryIn, slug: str = NetworkSlug):
    """For your own organization; with initiative_id, in that initiative's ledger (its
    participants only). Money and in-kind entries must be in the ledger's currency."""
    network = permissions.get_network_for(request.auth, slug)
    initiative = None
    if payload.initiative_id is not None:
        from consortia.initiatives import permissions as initiative_permissions

        initiative = (
            initiative_permissions.initiatives_visible_to(request.auth, network)
            .filter(pk=payload.initiative_id)
            .first()
        )
        if initiative is None:
            raise ValidationError({"initiative_id": "No such initiative in this network."})
    entry = services.entry_create(
        actor=request.auth,
        network=network,
        initiative=initiative,
        direction=payload.direction.value,
        kind=payload.kind.value,
        date=payload.date,
        amount=payload.amount,
        currency=payload.currency,
        hours=payload.hours,
        stated_value=payload.stated_value,
        note=payload.note,
    )
    return Status(201, entry)


@router.delete(
    "/ledger/entries/{entry_id}",
    response={204: None, **ERRORS},
    summary="Delete one of your organization's entries",
)
def delete_entry(request, entry_id: int = Id("The entry's id.")):
    """Delete a ledger entry your organization recorded."""
    services.entry_delete(
        actor=request.auth, entry=permissions.get_entry_for(request.auth, entry_id)
    )
    return Status(204, None)


@router.get(
    "/networks/{slug}/ledger/balance",
    response={200: BalanceOut, **ERRORS},
    summary="The network's balance of investment and return",
)
def network_balance(
    request,
    slug: str = NetworkSlug,
    since: date | None = Since,
    until: date | None = Until,
):
    """Each partner's share of the investment against its share of the returns, in the
    network's currency (the network's ledger and every initiative's)."""
    network = permissions.get_network_for(request.auth, slug)
    return _balance(network=network, since=since, until=until)


@router.get(
    "/initiatives/{initiative_id}/ledger/balance",
    response={200: BalanceOut, **ERRORS},
    summary="An initiative's balance of investment and return",
)
def initiative_balance(
    request,
    initiative_id: int = Id("The initiative's id."),
    since: date | None = Since,
    until: date | None = Until,
):
    """Each participant's share of the investment against its share of the returns, its ratio
    and whether the imbalance passes the threshold the participants set."""
    return _balance(initiative=_initiative(request, initiative_id), since=since, until=until)


@router.put(
    "/networks/{slug}/ledger/settings",
    response={200: SettingsOut, **BODY_ERRORS},
    summary="Set the network ledger's currency, threshold and hour rate",
)
def network_settings(request, payload: SettingsIn, slug: str = NetworkSlug):
    """Set the network ledger's currency, fairness threshold and hour rate (a team leader of an
    acting member)."""
    network = permissions.get_network_for(request.auth, slug)
    return services.settings_update(actor=request.auth, network=network, **payload.model_dump())


@router.put(
    "/initiatives/{initiative_id}/ledger/settings",
    response={200: SettingsOut, **BODY_ERRORS},
    summary="Set an initiative ledger's currency, threshold and hour rate",
)
def initiative_settings(
    request, payload: SettingsIn, initiative_id: int = Id("The initiative's id.")
):
    """The initiative's current leader (or, with no leader, a participating team leader)."""
    initiative = _initiative(request, initiative_id)
    return services.settings_update(
        actor=request.auth,
        network=initiative.network,
        initiative=initiative,
        **payload.model_dump(),
    )
