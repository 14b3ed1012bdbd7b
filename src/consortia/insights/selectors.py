"""Reads for trust, engagement and network health (C9).

Everything network-wide is aggregated in SQL with GROUP BY (one query per figure, whatever the
number of organizations); `health()` keeps the result in a HealthSnapshot keyed by the day and
the network's newest event, so the page costs three small queries while nothing changes.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from django.db import transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Greatest, Power
from django.utils import timezone
from django.utils.html import format_html

from consortia.core.models import Event
from consortia.initiatives.models import Commitment, Initiative, Request
from consortia.networks.models import NetworkMembership, Organization

from . import trust as trust_math
from .models import HealthSnapshot
from .sql import DaysBetween, LocalDate

CStatus = Commitment.Status
ENGAGEMENT_DAYS = 90
HISTOGRAM_BINS = 10
SNAPSHOT_VERSION = "v2"  # v2: totals of sharing only, never who with whom


# Trust --------------------------------------------------------------------------------------


def _settled_q(today: date) -> Q:
    """Commitments that count towards trust (see trust.py for the rule)."""
    return (
        Q(status__in=(CStatus.DELIVERED, CStatus.MISSED))
        | Q(status=CStatus.OPEN, due_on__lt=today)
        | Q(status=CStatus.WITHDRAWN, closed_day__gt=F("due_on"))
    )


ON_TIME_Q = Q(status=CStatus.DELIVERED, delivered_day__lte=F("due_on"))


def _with_days(commitments):
    """The local day of delivery and of closing, for the filters above (natively in SQL)."""
    return commitments.annotate(
        delivered_day=LocalDate("delivered_at"), closed_day=LocalDate("closed_at")
    )


def _settled_on():
    """The day a commitment settled: delivery, miss or withdrawal, or its due date if overdue."""
    return Case(
        When(status=CStatus.DELIVERED, then=F("delivered_day")),
        When(
            status__in=(CStatus.MISSED, CStatus.WITHDRAWN),
            closed_at__isnull=False,
            then=F("closed_day"),
        ),
        default=F("due_on"),
    )


def _weight(today: date):
    age = Greatest(DaysBetween(Value(today), _settled_on()), Value(0.0))
    return Power(Value(0.5), age / Value(trust_math.HALF_LIFE_DAYS), output_field=FloatField())


def network_commitments(network):
    return Commitment.objects.filter(initiative__network=network)


def trust_sums(network, *, today: date | None = None, organization_id=None) -> dict[int, dict]:
    """{organization id: {"on_time_weight", "total_weight", "settled", "on_time", "trust"}} for
    every organization with settled commitments in the network (one GROUP BY query)."""
    today = today or timezone.localdate()
    weight = _weight(today)
    rows = _with_days(network_commitments(network)).filter(_settled_q(today))
    if organization_id is not None:
        rows = rows.filter(owner_organization_id=organization_id)
    rows = (
        rows.values("owner_organization_id")
        .annotate(
            total_weight=Sum(weight),
            on_time_weight=Sum(
                Case(When(ON_TIME_Q, then=weight), default=Value(0.0), output_field=FloatField())
            ),
            settled=Count("id"),
            on_time=Count("id", filter=ON_TIME_Q),
        )
        .order_by()
    )
    return {
        row["owner_organization_id"]: {
            "total_weight": float(row["total_weight"] or 0.0),
            "on_time_weight": float(row["on_time_weight"] or 0.0),
            "settled": row["settled"],
            "on_time": row["on_time"],
            "trust": trust_math.from_sums(row["on_time_weight"], row["total_weight"]),
        }
        for row in rows
    }


def trust_of(network, organization, *, today: date | None = None) -> dict:
    """One organization's trust index with its sums (the prior alone when nothing settled)."""
    sums = trust_sums(network, today=today, organization_id=organization.pk).get(organization.pk)
    return sums or {
        "total_weight": 0.0,
        "on_time_weight": 0.0,
        "settled": 0,
        "on_time": 0,
        "trust": trust_math.from_sums(0, 0),
    }


def outcome_of(commitment: Commitment, today: date) -> str:
    """How a commitment counts: "on time", "late", "missed", "overdue", "withdrawn late", or
    why it does not count ("open", "renegotiated", "withdrawn in time")."""
    status = commitment.status
    if status == CStatus.DELIVERED:
        return commitment.timeliness or "on time"
    if status == CStatus.MISSED:
        return "missed"
    if status == CStatus.OPEN:
        return "overdue" if commitment.due_on < today else "open"
    if status == CStatus.WITHDRAWN:
        closed = timezone.localdate(commitment.closed_at) if commitment.closed_at else None
        return "withdrawn late" if closed and closed > commitment.due_on else "withdrawn in time"
    return "renegotiated"


COUNTED = {"on time": True, "late": False, "missed": False, "overdue": False}
COUNTED["withdrawn late"] = False


def evidence(network, organization):
    """The commitments behind an organization's trust index, newest due date first."""
    return (
        network_commitments(network)
        .filter(owner_organization=organization)
        .select_related("initiative")
        .order_by("-due_on", "-id")
    )


def describe_evidence(commitments, today: date) -> list[dict]:
    """Each commitment with its outcome, whether it counts, its age and its weight."""
    rows = []
    for c in commitments:
        outcome = outcome_of(c, today)
        counted = outcome in COUNTED
        settled_on = None
        if counted:
            if c.status == CStatus.DELIVERED:
                settled_on = timezone.localdate(c.delivered_at)
            elif c.status in (CStatus.MISSED, CStatus.WITHDRAWN) and c.closed_at:
                settled_on = timezone.localdate(c.closed_at)
            else:
                settled_on = c.due_on
        age = (today - settled_on).days if settled_on else None
        rows.append(
            {
                "commitment": c,
                "outcome": outcome,
                "counted": counted,
                "on_time": COUNTED.get(outcome, False),
                "settled_on": settled_on,
                "age_days": age,
                "weight": trust_math.weight(age) if counted else None,
            }
        )
    return rows


# Engagement ---------------------------------------------------------------------------------


def engagement_sums(network, *, now=None) -> dict[int, dict]:
    """Per organization: people and departments active in the last 90 days (breadth), events
    per active person (depth), ballots cast of polls it could vote in, and requests received,
    answered and the mean days to answer. Four GROUP BY queries."""
    from consortia.decisions.models import Ballot, PollVoter

    now = now or timezone.now()
    since = now - timedelta(days=ENGAGEMENT_DAYS)
    out: dict[int, dict] = {}

    def row(org_id) -> dict:
        return out.setdefault(
            org_id,
            {
                "people": 0,
                "departments": 0,
                "events": 0,
                "depth": 0.0,
                "eligible": 0,
                "ballots": 0,
                "received": 0,
                "answered": 0,
                "mean_answer_days": None,
            },
        )

    activity = (
        Event.objects.filter(
            network=network,
            created_at__gte=since,
            organization__isnull=False,
            actor__isnull=False,
        )
        .values("organization_id")
        .annotate(
            people=Count("actor", distinct=True),
            departments=Count(
                "actor__org_membership__department",
                distinct=True,
                filter=~Q(actor__org_membership__department=""),
            ),
            events=Count("id"),
        )
        .order_by()
    )
    for a in activity:
        r = row(a["organization_id"])
        r.update(people=a["people"], departments=a["departments"], events=a["events"])
        r["depth"] = round(a["events"] / a["people"], 2) if a["people"] else 0.0
    for v in (
        PollVoter.objects.filter(poll__network=network)
        .values("organization_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        row(v["organization_id"])["eligible"] = v["n"]
    for b in (
        Ballot.objects.filter(poll__network=network)
        .values("organization_id")
        .annotate(n=Count("poll_id", distinct=True))
        .order_by()
    ):
        row(b["organization_id"])["ballots"] = b["n"]
    answered = Q(answered_at__isnull=False)
    for q in (
        Request.objects.filter(initiative__network=network)
        .exclude(status=Request.Status.WITHDRAWN)
        .values("to_organization_id")
        .annotate(
            received=Count("id"),
            answered=Count("id", filter=answered),
            mean_days=Avg(DaysBetween(F("answered_at"), F("created_at")), filter=answered),
        )
        .order_by()
    ):
        r = row(q["to_organization_id"])
        r.update(received=q["received"], answered=q["answered"])
        r["mean_answer_days"] = (
            round(float(q["mean_days"]), 2) if q["mean_days"] is not None else None
        )
    return out


# Sharing reciprocity ------------------------------------------------------------------------
# Who shares with whom is itself confidential between partners: the network-wide snapshot keeps
# totals only, and each organization sees the pairs it is part of, read for the viewer in SQL.


def sharing_totals(network) -> dict:
    """Network totals, never who with whom: directed pairs that shared something (and how many
    go both ways), items addressed to named partners and to the whole network, and how many
    organizations shared anything. Three small aggregate queries."""
    from consortia.sharing.models import Item, ItemPartner

    pairs = set(
        ItemPartner.objects.filter(item__network=network, item__audience=Item.Audience.PARTNERS)
        .exclude(organization_id=F("item__organization_id"))
        .values_list("item__organization_id", "organization_id")
        .distinct()
        .order_by()
    )
    counts = Item.objects.filter(network=network).aggregate(
        to_partners=Count("id", filter=Q(audience=Item.Audience.PARTNERS)),
        to_network=Count("id", filter=Q(audience=Item.Audience.NETWORK)),
    )
    network_senders = set(
        Item.objects.filter(network=network, audience=Item.Audience.NETWORK)
        .values_list("organization_id", flat=True)
        .distinct()
        .order_by()
    )
    return {
        "pairs": len(pairs),
        "mutual_pairs": sum(1 for a, b in pairs if (b, a) in pairs) // 2,
        "items_to_partners": counts["to_partners"],
        "items_to_network": counts["to_network"],
        "organizations_sharing": len({a for a, _ in pairs} | network_senders),
    }


def sharing_partners(person, network) -> list[dict]:
    """The viewer's organization's partners in sharing: per partner, the items the organization
    addressed to it (its own items, at every level) and the items it addressed to the
    organization that this person may see (the sharing rule, in SQL). Most items first. Two
    GROUP BY queries, whatever the size of the network."""
    from consortia.networks.permissions import org_id_of
    from consortia.sharing.audience import item_visible_q
    from consortia.sharing.models import Item, ItemPartner

    org_id = org_id_of(person)
    if org_id is None:
        return []
    partners: dict[int, dict] = {}

    def row(pk, name) -> dict:
        return partners.setdefault(
            pk, {"organization_id": pk, "name": name, "sent": 0, "received": 0}
        )

    sent = (
        ItemPartner.objects.filter(
            item__network=network,
            item__audience=Item.Audience.PARTNERS,
            item__organization_id=org_id,
        )
        .exclude(organization_id=org_id)
        .values("organization_id", "organization__name")
        .annotate(n=Count("item_id"))  # an item names a partner once (unique together)
        .order_by()
    )
    for r in sent:
        row(r["organization_id"], r["organization__name"])["sent"] = r["n"]
    received = (
        Item.objects.filter(
            item_visible_q(person),
            network=network,
            audience=Item.Audience.PARTNERS,
            partners__organization_id=org_id,
        )
        .exclude(organization_id=org_id)
        .values("organization_id")
        # One row per item: the join is to the viewer's own partner row (unique together), so
        # no COUNT(DISTINCT), whose sort of 18,000 items cost SQLite a few milliseconds.
        .annotate(n=Count("id"))
        # The name after the grouping, per partner: joined to the items instead, PostgreSQL
        # misjudged the visibility rule's selectivity and compared every organization with
        # every visible item (1,000 x 16,655 rows: 0.6-1.2 s on the benchmark; now 0.1 s).
        .annotate(
            organization__name=Subquery(
                Organization.objects.filter(pk=OuterRef("organization_id")).values("name")[:1]
            )
        )
        .order_by()
    )
    for r in received:
        row(r["organization_id"], r["organization__name"])["received"] = r["n"]
    rows = list(partners.values())
    for r in rows:
        r["mutual"] = bool(r["sent"] and r["received"])
    rows.sort(key=lambda r: (-(r["sent"] + r["received"]), r["name"].lower()))
    return rows


# Fairness (ledger, when the app provides it) -----------------------------------------------


def fairness(network) -> dict | None:
    try:
        from consortia.ledger.selectors import balance
    except ImportError:
        return None
    try:
        result = balance(network=network)
    except Exception:
        return None
    rows = result.get("rows", [])
    return {
        "threshold": str(result.get("threshold", "")),
        "currency": str(result.get("currency", "")),
        "flagged_any": bool(result.get("flagged_any")),
        "partners": len(rows),
        "flagged": [
            {"organization": str(r.get("organization", "")), "sentence": str(r.get("sentence", ""))}
            for r in rows
            if r.get("flagged")
        ][:20],
    }


# Network health -----------------------------------------------------------------------------


def snapshot_key(network, now=None) -> str:
    now = now or timezone.now()
    last = Event.objects.filter(network=network).aggregate(last=Max("id"))["last"] or 0
    return f"{SNAPSHOT_VERSION}:{timezone.localdate(now).isoformat()}:{last}"


def compute_health(network, *, now=None) -> dict:
    """Every network-wide figure, as plain JSON data (about ten queries)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    members = list(
        NetworkMembership.objects.filter(NetworkMembership.active_q(now), network=network)
        .order_by("organization__name")
        .values_list("organization_id", "organization__name", "organization__slug")
    )
    trust = trust_sums(network, today=today)
    engagement = engagement_sums(network, now=now)
    orgs = {}
    for org_id, name, slug in members:
        t = trust.get(org_id) or {
            "total_weight": 0.0,
            "on_time_weight": 0.0,
            "settled": 0,
            "on_time": 0,
            "trust": trust_math.from_sums(0, 0),
        }
        e = engagement.get(org_id) or {}
        orgs[str(org_id)] = {
            "id": org_id,
            "name": name,
            "slug": slug,
            "trust": round(t["trust"], 4),
            "settled": t["settled"],
            "on_time": t["on_time"],
            "people": e.get("people", 0),
            "departments": e.get("departments", 0),
            "events": e.get("events", 0),
            "depth": e.get("depth", 0.0),
            "eligible": e.get("eligible", 0),
            "ballots": e.get("ballots", 0),
            "received": e.get("received", 0),
            "answered": e.get("answered", 0),
            "mean_answer_days": e.get("mean_answer_days"),
        }
    histogram = [0] * HISTOGRAM_BINS
    for o in orgs.values():
        histogram[min(HISTOGRAM_BINS - 1, int(o["trust"] * HISTOGRAM_BINS))] += 1
    eligible = sum(o["eligible"] for o in orgs.values())
    ballots = sum(o["ballots"] for o in orgs.values())
    received = sum(o["received"] for o in orgs.values())
    answered = sum(o["answered"] for o in orgs.values())
    active_initiatives = Initiative.objects.filter(
        network=network, status=Initiative.Status.ACTIVE
    ).count()
    return {
        "computed_at": now.isoformat(),
        "members": len(members),
        "active_initiatives": active_initiatives,
        "engaged_members": sum(1 for o in orgs.values() if o["people"]),
        "people_active": sum(o["people"] for o in orgs.values()),
        "poll_participation": round(ballots / eligible, 4) if eligible else None,
        "ballots": ballots,
        "eligible": eligible,
        "request_response_rate": round(answered / received, 4) if received else None,
        "histogram": histogram,
        "orgs": orgs,
        "sharing_totals": sharing_totals(network),
        "fairness": fairness(network),
    }


def split(data: dict) -> tuple[dict, list[dict]]:
    """The page's summary (charts precomputed, small) and the per-organization rows (sorted by
    trust, highest first), stored apart so the health page never loads the 1,000 rows."""
    summary = {k: v for k, v in data.items() if k != "orgs"}
    summary.update(histogram_chart=histogram_chart(data), scatter=scatter_chart(data))
    return summary, trust_table(data)


def _current(network, field: str, now=None):
    key = snapshot_key(network, now)
    row = HealthSnapshot.objects.filter(network=network).values_list("key", field).first()
    if row is not None and row[0] == key:
        return row[1]
    summary, orgs = refresh(network, key=key, now=now)
    return summary if field == "summary" else orgs


def health(network, *, now=None) -> dict:
    """The network's health summary: from the snapshot if its key still holds, else computed
    now and stored."""
    return _current(network, "summary", now)


def health_orgs(network, *, now=None) -> list[dict]:
    """Per member organization: trust and engagement, highest trust first."""
    return _current(network, "orgs", now)


def refresh(network, *, key: str | None = None, now=None) -> tuple[dict, list[dict]]:
    key = key or snapshot_key(network, now)
    summary, orgs = split(compute_health(network, now=now))
    with transaction.atomic():
        HealthSnapshot.objects.update_or_create(
            network=network,
            defaults={
                "key": key,
                "summary": summary,
                "orgs": orgs,
                "computed_at": timezone.now(),
            },
        )
    return summary, orgs


def refresh_stale_snapshots() -> int:
    """Worker job: recompute the snapshots of networks whose key moved on."""
    from consortia.networks.models import Network

    done = 0
    for network in Network.objects.filter(health_snapshot__isnull=False).iterator():
        key = snapshot_key(network)
        if (
            HealthSnapshot.objects.filter(network=network).values_list("key", flat=True).first()
            != key
        ):
            refresh(network, key=key)
            done += 1
    return done


# Views of the snapshot ----------------------------------------------------------------------


def trust_table(data: dict | list, *, order: str = "trust") -> list[dict]:
    rows = [dict(o) for o in (data["orgs"].values() if isinstance(data, dict) else data)]
    if order == "name":
        rows.sort(key=lambda o: o["name"].lower())
    else:
        rows.sort(key=lambda o: (-o["trust"], o["name"].lower()))
    for o in rows:
        o["band"] = trust_math.band(o["trust"])
        o["ballot_rate"] = round(o["ballots"] / o["eligible"], 4) if o["eligible"] else None
        o["response_rate"] = round(o["answered"] / o["received"], 4) if o["received"] else None
    return rows


def histogram_chart(data: dict) -> dict:
    """Bars of the trust distribution, in SVG units (a 0-100 by 0-50 box)."""
    counts = data["histogram"]
    top = max(counts) or 1
    width = 100 / len(counts)
    bars = []
    for i, n in enumerate(counts):
        height = 45 * n / top
        bars.append(
            {
                "x": round(i * width + 0.5, 2),
                "y": round(48 - height, 2),
                "width": round(width - 1, 2),
                "height": round(height, 2),
                "count": n,
                "label": f"{i / len(counts):.1f}-{(i + 1) / len(counts):.1f}",
            }
        )
    return {"bars": bars, "total": sum(counts)}


def scatter_chart(data: dict) -> dict:
    """Breadth (active people) against depth (events per active person), one dot per group of
    organizations at the same place (a bigger dot for more), in a 0-100 by 0-60 box."""
    points: dict[tuple, list[str]] = {}
    for o in data["orgs"].values():
        if not o["people"]:
            continue
        points.setdefault((o["people"], round(o["depth"], 1)), []).append(o["name"])
    if not points:
        return {"dots": 0, "svg": "", "max_people": 0, "max_depth": 0, "idle": len(data["orgs"])}
    max_people = max(p for p, _ in points) or 1
    max_depth = max(d for _, d in points) or 1
    dots = []
    for (people, depth), names in sorted(points.items()):
        label = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        dots.append(
            {
                "cx": round(8 + 88 * people / max_people, 2),
                "cy": round(52 - 46 * depth / max_depth, 2),
                "r": round(min(4.0, 0.8 + math.sqrt(len(names)) * 0.5), 2),
                "title": f"{label}: {people} people, {depth} events per person",
            }
        )
    idle = sum(1 for o in data["orgs"].values() if not o["people"])
    # Rendered once here (escaped by format_html) rather than by the template on every view:
    # a network of 1,000 organizations has hundreds of dots.
    svg = "".join(
        format_html(
            '<circle cx="{}" cy="{}" r="{}" fill="#3b6fd8" fill-opacity="0.55">'
            "<title>{}</title></circle>",
            d["cx"],
            d["cy"],
            d["r"],
            d["title"],
        )
        for d in dots
    )
    return {
        "dots": len(dots),
        "svg": svg,
        "max_people": max_people,
        "max_depth": max_depth,
        "idle": idle,
    }
