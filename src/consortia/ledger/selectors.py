"""Reads about the ledger: entries and the balance of investment and return.

Each entry's `value` is its worth in the ledger's currency fixed when it was entered (money:
the amount; in kind: the stated value; hours: hours x the hour rate then in force). The
balance compares each partner's share of the investment with its share of the returns.
"""

from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from .models import LedgerEntry, LedgerSettings

DEFAULT_CURRENCY = "EUR"
DEFAULT_THRESHOLD = Decimal("20")


def settings_for(*, initiative=None, network=None) -> LedgerSettings:
    """The ledger settings of an initiative (or of the network's own ledger); unsaved defaults
    when nobody set them yet."""
    if initiative is not None:
        found = LedgerSettings.objects.filter(initiative=initiative).first()
        return found or LedgerSettings(
            network_id=initiative.network_id,
            initiative=initiative,
            currency=DEFAULT_CURRENCY,
            threshold_pct=DEFAULT_THRESHOLD,
            hour_rate=Decimal(0),
        )
    found = LedgerSettings.objects.filter(network=network, initiative__isnull=True).first()
    return found or LedgerSettings(
        network=network,
        currency=DEFAULT_CURRENCY,
        threshold_pct=DEFAULT_THRESHOLD,
        hour_rate=Decimal(0),
    )


def entries_for(*, network, initiative=None):
    """The entries of the initiative's ledger, or of the network's own (no initiative)."""
    entries = LedgerEntry.objects.filter(network=network).select_related("organization")
    if initiative is not None:
        entries = entries.filter(initiative=initiative)
    else:
        entries = entries.filter(initiative__isnull=True)
    return entries.order_by("-date", "-id")


def _pct(share: float) -> str:
    return f"{round(share * 100):d} %"


def period_words(since: date | None, until: date | None, today: date | None = None) -> str:
    if since and until:
        return f"between {since:%-d %b %Y} and {until:%-d %b %Y}"
    if since:
        today = today or date.today()
        days = (today - since).days
        if 360 <= days <= 370:
            return "in the last 12 months"
        return f"since {since:%-d %b %Y}"
    if until:
        return f"until {until:%-d %b %Y}"
    return "so far"


def balance(*, initiative=None, network=None, since=None, until=None) -> dict:
    """Each partner's share of the investment against its share of the returns.

    {"rows": [{"organization_id", "organization", "invested", "returned", "invested_share",
    "returned_share", "ratio", "flagged", "sentence"}], "threshold": float (percentage
    points), "currency": str, "flagged_any": bool, "excluded": int}

    A row is flagged when its two shares differ by more than the threshold (percentage
    points). The network balance covers the network's own ledger and every initiative's
    entries in the network's currency; entries in another currency are left out and counted
    in "excluded". One query for the settings, one for the sums.
    """
    if initiative is not None:
        network = initiative.network
    ledger = settings_for(initiative=initiative, network=network)
    entries = LedgerEntry.objects.filter(network=network)
    if initiative is not None:
        entries = entries.filter(initiative=initiative)
    if since is not None:
        entries = entries.filter(date__gte=since)
    if until is not None:
        entries = entries.filter(date__lte=until)
    currency = ledger.currency
    # Hours are already valued in their ledger's currency.
    counted = Q(currency=currency)
    sums = list(
        entries.values("organization_id", "organization__name")
        .annotate(
            invested=Sum("value", filter=counted & Q(direction="investment")),
            returned=Sum("value", filter=counted & Q(direction="return")),
            excluded=Sum("value", filter=~counted),
        )
        .order_by("organization__name")
    )
    total_in = sum((r["invested"] or Decimal(0) for r in sums), Decimal(0))
    total_out = sum((r["returned"] or Decimal(0) for r in sums), Decimal(0))
    threshold = float(ledger.threshold_pct)
    words = period_words(since, until)
    rows = []
    excluded = 0
    for r in sums:
        invested = r["invested"] or Decimal(0)
        returned = r["returned"] or Decimal(0)
        if r["excluded"]:
            excluded += 1
        if not invested and not returned:
            continue
        in_share = float(invested / total_in) if total_in else 0.0
        out_share = float(returned / total_out) if total_out else 0.0
        ratio = float(returned / invested) if invested else None
        flagged = abs(in_share - out_share) * 100 > threshold + 1e-9
        rows.append(
            {
                "organization_id": r["organization_id"],
                "organization": r["organization__name"],
                "invested": invested,
                "returned": returned,
                "invested_share": in_share,
                "returned_share": out_share,
                "ratio": ratio,
                "flagged": flagged,
                "sentence": f"{r['organization__name']} has put in {_pct(in_share)} of the "
                f"investment and received {_pct(out_share)} of the returns {words}.",
            }
        )
    return {
        "rows": rows,
        "threshold": threshold,
        "currency": currency,
        "flagged_any": any(row["flagged"] for row in rows),
        "excluded": excluded,
        "total_invested": total_in,
        "total_returned": total_out,
        "period": words,
        "hour_rate": ledger.hour_rate,
    }
