"""CSV exports of the lists people see, through each page's own permission functions and
selectors (never a second visibility rule), streamed by `core.csv_export`.

Each export checks the page's permission function first, then streams the page's selector:
- members (/n/<slug>/csv/members/): networks.permissions.get_network_for(need="member"),
  networks.selectors.network_members;
- measurements (/n/<slug>/csv/measurements/): metrics.permissions.get_network_for and
  measurements_visible_to;
- ledger (/n/<slug>/csv/ledger/[?initiative=ID]): ledger.permissions.get_network_for or
  get_initiative_for, ledger.selectors.entries_for;
- poll results (/n/<slug>/csv/polls/<id>/): decisions.permissions.get_poll_for, then
  decisions.selectors.poll_page (results only when the page shows them);
- commitments, requests (/me/csv/commitments/, /me/csv/requests/):
  initiatives.selectors.commitments_of, requests_inbox and requests_sent.
"""

from __future__ import annotations

from itertools import chain

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone
from django.views.decorators.http import require_GET

from consortia.core import csv_export

CHUNK = 500

COLUMNS = {
    "members": [
        "organization",
        "organization_slug",
        "status",
        "joined_at",
        "people",
        "charter_accepted",
    ],
    "measurements": [
        "metric",
        "unit",
        "organization",
        "period",
        "value",
        "initiative",
        "visibility",
    ],
    "ledger": [
        "date",
        "organization",
        "direction",
        "kind",
        "amount",
        "currency",
        "hours",
        "stated_value",
        "value",
        "initiative",
        "note",
    ],
    "poll": ["poll", "method", "option", "value", "rank", "winner"],
    "commitments": [
        "network",
        "initiative",
        "title",
        "due_on",
        "status",
        "overdue",
        "owner_person",
        "requested_by",
        "delivered_at",
        "closed_at",
    ],
    "requests": [
        "direction",
        "network",
        "initiative",
        "kind",
        "title",
        "from_organization",
        "from_person",
        "to_organization",
        "to_person",
        "due_on",
        "status",
        "created_at",
        "answered_at",
    ],
}


def _name(obj) -> str:
    return getattr(obj, "name", "") if obj is not None else ""


def _stamp() -> str:
    return timezone.localdate().isoformat()


@login_required
@require_GET
def network_export(request, slug: str, kind: str):
    if kind == "members":
        return _members(request, slug)
    if kind == "measurements":
        return _measurements(request, slug)
    if kind == "ledger":
        return _ledger(request, slug)
    raise Http404("No such export")


def _members(request, slug):
    from consortia.networks import permissions, selectors

    network = permissions.get_network_for(request.user, slug, need="member")
    rows = selectors.network_members(network)
    return csv_export.stream(
        f"{network.slug}-members-{_stamp()}.csv",
        COLUMNS["members"],
        (
            (
                m.organization.name,
                m.organization.slug,
                m.status,
                m.joined_at,
                m.people_count or 0,
                bool(m.charter_accepted),
            )
            for m in rows.iterator(chunk_size=CHUNK)
        ),
    )


def _measurements(request, slug):
    from consortia.metrics import permissions

    network = permissions.get_network_for(request.user, slug)
    rows = (
        permissions.measurements_visible_to(request.user, network)
        .select_related("metric", "organization")
        .order_by("metric__name", "period_start", "organization__name", "id")
    )
    return csv_export.stream(
        f"{network.slug}-measurements-{_stamp()}.csv",
        COLUMNS["measurements"],
        (
            (
                m.metric.name,
                m.metric.unit,
                m.organization.slug,
                m.period_start,
                m.value,
                m.initiative_id,
                m.visibility,
            )
            for m in rows.iterator(chunk_size=CHUNK)
        ),
    )


def _ledger(request, slug):
    from consortia.ledger import permissions, selectors

    raw = request.GET.get("initiative", "").strip()
    if raw:
        if not raw.isdigit() or len(raw) > 18:
            raise Http404("No such ledger")
        initiative = permissions.get_initiative_for(request.user, int(raw), slug=slug)
        network = initiative.network
        filename = f"{network.slug}-initiative-{initiative.pk}-ledger-{_stamp()}.csv"
    else:
        initiative = None
        network = permissions.get_network_for(request.user, slug)
        filename = f"{network.slug}-ledger-{_stamp()}.csv"
    rows = selectors.entries_for(network=network, initiative=initiative)
    return csv_export.stream(
        filename,
        COLUMNS["ledger"],
        (
            (
                e.date,
                e.organization.name,
                e.direction,
                e.kind,
                e.amount,
                e.currency,
                e.hours,
                e.stated_value,
                e.value,
                e.initiative_id,
                e.note,
            )
            for e in rows.iterator(chunk_size=CHUNK)
        ),
    )


def _poll_rows(poll, result: dict):
    """One row per option: the figure the page's chart shows, its rank, whether it won."""
    tally = result["tally"]
    details = tally.get("details", {})
    winners = set(result.get("winners") or [])
    ranks = {}
    for position, tier in enumerate(tally.get("ranking") or [], start=1):
        for label in tier if isinstance(tier, list) else [tier]:
            ranks[label] = position
    method = result["method"]
    if method in ("yes_no", "consensus"):
        values = details.get("counts", {})
    elif method == "approval":
        values = details.get("approvals", {})
    elif method == "score":
        values = details.get("sums", {})
    elif method == "irv":
        rounds = details.get("rounds") or [{}]
        values = rounds[0].get("counts", {})  # first preferences
    else:  # pairwise methods: how many opponents each beats
        pairwise = details.get("pairwise", {})
        candidates = details.get("candidates", [])
        values = {
            a: sum(1 for b in candidates if a != b and pairwise[a][b] > pairwise[b][a])
            for a in candidates
        }
    for label, value in values.items():
        yield (poll.title, method, label, value, ranks.get(label), label in winners)


@login_required
@require_GET
def poll_export(request, slug: str, pk: int):
    from consortia.decisions import permissions, selectors

    network, poll = permissions.get_poll_for(request.user, slug, pk)
    page = selectors.poll_page(poll, request.user)
    if page["result"] is None:
        raise Http404("This poll has no results to show yet")
    return csv_export.stream(
        f"{network.slug}-poll-{poll.pk}-results.csv",
        COLUMNS["poll"],
        _poll_rows(poll, page["result"]),
    )


@login_required
@require_GET
def my_export(request, kind: str):
    from consortia.initiatives import selectors

    person = request.user
    today = timezone.localdate()
    if kind == "commitments":
        rows = selectors.commitments_of(person)
        return csv_export.stream(
            f"commitments-{_stamp()}.csv",
            COLUMNS["commitments"],
            (
                (
                    c.initiative.network.name,
                    c.initiative.title,
                    c.title,
                    c.due_on,
                    c.status,
                    c.status == "open" and c.due_on < today,
                    _name(c.owner_person),
                    _name(c.request.from_organization),
                    c.delivered_at,
                    c.closed_at,
                )
                for c in rows.iterator(chunk_size=CHUNK)
            ),
        )
    if kind == "requests":
        received = ((("received", r)) for r in selectors.requests_inbox(person).iterator(CHUNK))
        sent = ((("sent", r)) for r in selectors.requests_sent(person).iterator(CHUNK))
        return csv_export.stream(
            f"requests-{_stamp()}.csv",
            COLUMNS["requests"],
            (
                (
                    direction,
                    r.initiative.network.name,
                    r.initiative.title,
                    r.kind,
                    r.title,
                    _name(r.from_organization),
                    _name(r.from_person),
                    _name(r.to_organization),
                    _name(r.to_person),
                    r.due_on,
                    r.status,
                    r.created_at,
                    r.answered_at,
                )
                for direction, r in chain(received, sent)
            ),
        )
    raise Http404("No such export")
