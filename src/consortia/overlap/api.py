"""REST operations of overlap discovery, used by the run page's script (session + CSRF) and by
token clients. The protocol's messages are binary: lists of 32-byte group elements (X25519
coordinates) and payload tables, uploaded as multipart files and downloaded as
application/octet-stream. Every step that starts, joins or sends to a run says which version
of the protocol the client speaks (`protocol`); a client of another version is refused (422)
with a sentence naming both versions, and nothing changes.

Outsiders and members that are not one of a run's two organizations get 404 everywhere.
"""

from __future__ import annotations

import json
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Form, Path, Router
from ninja.responses import Status

from consortia.core.schemas import BODY_ERRORS, ERRORS, SLUG_PATTERN
from consortia.networks import permissions as network_permissions
from consortia.networks.models import Organization

from . import permissions, selectors, services
from .models import Blob, Population, Run
from .schemas import (
    OverlapJoinIn,
    OverlapPartnershipOut,
    OverlapPopulationOut,
    OverlapRestrictedOut,
    OverlapRunIn,
    OverlapRunOut,
)

router = Router(tags=["overlap"])
NetworkSlug = Path(..., max_length=60, pattern=SLUG_PATTERN, description="The network's slug.")
RunId = Path(..., description="The run's id (a UUID).")
KINDS = {
    "blinded": Blob.Kind.BLINDED,
    "payload": Blob.Kind.PAYLOAD,
    "evaluated": Blob.Kind.EVALUATED,
}
MAX_FILE = 512 * 1024 * 1024


def _network(request, slug):
    network = permissions.get_network_for(request.auth, slug)
    services.purge_expired()
    return network


def _run(request, slug, run_id) -> Run:
    network = _network(request, slug)
    return permissions.get_run_for(request.auth, network, run_id)


def run_out(run: Run, own_org_id: int) -> dict:
    run = (
        Run.objects.select_related("initiator", "network", "partnership")
        .prefetch_related("sides__organization")
        .get(pk=run.pk)
    )
    view = selectors.describe_run(run, own_org_id)
    sides = []
    for side in (view["own"], view["other"]):
        sides.append(
            {
                "organization": side.organization,
                "is_you": side.organization_id == own_org_id,
                "state": selectors.side_state(run, side),
                "joined": side.joined_at is not None,
                "blinded": side.blinded_at is not None,
                "doubled": side.doubled_at is not None,
                "opened": side.opened_at is not None,
                "records_received": side.records_received,
                "populations": side.populations,
            }
        )
    return {
        "id": run.uuid,
        "status": run.status,
        "protocol": run.protocol,
        "initiator": run.initiator,
        "created_at": run.created_at,
        "deadline": run.deadline,
        "results_expire_at": run.results_expire_at,
        "results_expired": run.results_purged_at is not None,
        "sides": sides,
        "matrix": view["matrix"],
        "you_receive_records": bool(view["receives_records"]),
        "you_share_records": bool(view["gives_records"]),
        "has_sealed_result": bool(view["own"].sealed_result),
        "min_set_size": services.min_set_size(),
    }


def _population_ids(org_id, slugs) -> list[int]:
    found = dict(
        Population.objects.filter(organization_id=org_id, slug__in=slugs).values_list("slug", "pk")
    )
    missing = [s for s in slugs if s not in found]
    if missing:
        raise ValidationError(
            {"populations": f"No population “{missing[0]}” in your organization."}
        )
    return [found[s] for s in slugs]


@router.get(
    "/networks/{slug}/overlap/populations",
    response={200: list[OverlapPopulationOut], **ERRORS},
    summary="Your organization's populations and their sharing levels",
)
def list_overlap_populations(request, slug: str = NetworkSlug):
    """Each population with its default level and fields, and its per-partner overrides."""
    _network(request, slug)
    org_id = permissions.own_org_id(request.auth)
    return [
        {
            "id": p.pk,
            "name": p.name,
            "slug": p.slug,
            "kind": p.kind,
            "level": p.level,
            "fields": p.fields,
            "overrides": [
                {"partner": o.partner.slug, "level": o.level, "fields": o.fields}
                for o in p.overrides.all()
            ],
        }
        for p in selectors.populations_of(org_id)
    ]


@router.get(
    "/networks/{slug}/overlap/restricted",
    response={200: OverlapRestrictedOut, **ERRORS},
    summary="Your organization's restricted list (keyed digests)",
)
def get_overlap_restricted(request, slug: str = NetworkSlug):
    """The salt and the keyed BLAKE2b digests of the normalized keys that never take part;
    a client leaves out every key whose digest is listed."""
    _network(request, slug)
    restricted = services.restricted_list_of(request.auth.organization)
    return {"salt": restricted.salt, "digests": restricted.digests}


@router.get(
    "/networks/{slug}/overlap/partnerships",
    response={200: list[OverlapPartnershipOut], **ERRORS},
    summary="Your organization's overlap partnerships (proposed, accepted, ended)",
)
def list_overlap_partnerships(request, slug: str = NetworkSlug):
    """Proposed, accepted, declined and stopped overlap discovery with other members."""
    network = _network(request, slug)
    return list(selectors.partnerships_for(request.auth, network))


@router.get(
    "/networks/{slug}/overlap/runs",
    response={200: list[OverlapRunOut], **ERRORS},
    summary="The run log your organization shares with its partners",
)
def list_overlap_runs(request, slug: str = NetworkSlug):
    """The latest 50 runs with both sides' populations, set sizes and the matrix."""
    network = _network(request, slug)
    own = permissions.own_org_id(request.auth)
    return [run_out(run, own) for run in selectors.runs_for(request.auth, network, limit=50)]


@router.post(
    "/networks/{slug}/overlap/runs",
    response={201: OverlapRunOut, **BODY_ERRORS},
    summary="Start a run with an accepted partner",
)
def start_overlap_run(request, payload: OverlapRunIn, slug: str = NetworkSlug):
    """Start a run with a partner that accepted overlap discovery (at most two under way, and
    the number of runs a day the pair agreed)."""
    network = _network(request, slug)
    own = permissions.own_org_id(request.auth)
    partner = Organization.objects.filter(slug=payload.partner).first()
    if partner is None:
        raise ValidationError({"partner": "No such organization."})
    run = services.run_start(
        actor=request.auth,
        network=network,
        partner=partner,
        population_ids=_population_ids(own, payload.populations),
        speaks=payload.protocol,
    )
    return Status(201, run_out(run, own))


@router.get(
    "/networks/{slug}/overlap/runs/{run_id}",
    response={200: OverlapRunOut, **ERRORS},
    summary="A run: both sides, their set sizes, the matrix",
)
def get_overlap_run(request, slug: str = NetworkSlug, run_id: UUID = RunId):
    """Its state for one side: what each side chose, what it receives, and the matrix."""
    run = _run(request, slug, run_id)
    return run_out(run, permissions.own_org_id(request.auth))


@router.post(
    "/networks/{slug}/overlap/runs/{run_id}/join",
    response={200: OverlapRunOut, **BODY_ERRORS},
    summary="Choose your populations for a run your partner started",
)
def join_overlap_run(
    request, payload: OverlapJoinIn, slug: str = NetworkSlug, run_id: UUID = RunId
):
    """The partner's side chooses the populations it brings (by slug)."""
    run = _run(request, slug, run_id)
    own = permissions.own_org_id(request.auth)
    services.run_join(
        actor=request.auth,
        run=run,
        population_ids=_population_ids(own, payload.populations),
        speaks=payload.protocol,
    )
    return run_out(run, own)


def _files(request, prefix: str) -> dict[int, bytes]:
    found = {}
    for name, upload in request.FILES.items():
        if not name.startswith(prefix):
            continue
        try:
            pk = int(name[len(prefix) :])
        except ValueError:
            raise ValidationError(f"Unexpected file “{name[:40]}”.") from None
        if upload.size > MAX_FILE:
            raise ValidationError("A file is too large.")
        found[pk] = upload.read()
    return found


def _meta(raw: str) -> dict:
    try:
        meta = json.loads(raw or "{}")
    except json.JSONDecodeError:
        raise ValidationError({"meta": "meta must be a JSON object."}) from None
    if not isinstance(meta, dict):
        raise ValidationError({"meta": "meta must be a JSON object."})
    return meta


@router.post(
    "/networks/{slug}/overlap/runs/{run_id}/blinded",
    response={200: OverlapRunOut, **BODY_ERRORS},
    summary="Round 1: send your blinded lists (multipart)",
)
def send_overlap_blinded(
    request,
    meta: Form[str] = "{}",
    protocol: Form[int | None] = None,
    slug: str = NetworkSlug,
    run_id: UUID = RunId,
):
    """Files `blinded-<population id>` (32-byte elements) and, at record level,
    `payload-<population id>`; `meta` is a JSON object `{"<population id>": {"rows", "duplicates",
    "skipped", "restricted"}}` describing each file; `protocol`, the version your client speaks."""
    run = _run(request, slug, run_id)
    stats = _meta(meta)
    blinded, payloads = _files(request, "blinded-"), _files(request, "payload-")
    uploads = {}
    for pk, data in blinded.items():
        info = stats.get(str(pk)) or {}
        if not isinstance(info, dict):
            raise ValidationError({"meta": "Each population's entry must be an object."})
        uploads[pk] = services.Upload(
            blinded=data,
            payload=payloads.get(pk),
            rows=info.get("rows", 0),
            duplicates=info.get("duplicates", 0),
            skipped=info.get("skipped", 0),
            restricted=info.get("restricted", 0),
        )
    if set(payloads) - set(blinded):
        raise ValidationError("A payload table was sent without its blinded list.")
    services.run_blinded(actor=request.auth, run=run, uploads=uploads, speaks=protocol)
    return run_out(run, permissions.own_org_id(request.auth))


@router.post(
    "/networks/{slug}/overlap/runs/{run_id}/doubled",
    response={200: OverlapRunOut, **BODY_ERRORS},
    summary="Round 2: send the partner's lists double-blinded (multipart)",
)
def send_overlap_doubled(
    request, protocol: Form[int | None] = None, slug: str = NetworkSlug, run_id: UUID = RunId
):
    """Files `double-<their population id>` (sorted) and, when you share records,
    `evaluated-<their population id>` (in their order); `protocol`, the version your client
    speaks."""
    run = _run(request, slug, run_id)
    services.run_doubled(
        actor=request.auth,
        run=run,
        double=_files(request, "double-"),
        evaluated=_files(request, "evaluated-"),
        speaks=protocol,
    )
    return run_out(run, permissions.own_org_id(request.auth))


@router.post(
    "/networks/{slug}/overlap/runs/{run_id}/opened",
    response={200: OverlapRunOut, **BODY_ERRORS},
    summary="Round 3: store the records you received, sealed with a key you keep (multipart)",
)
def send_overlap_opened(
    request,
    records: Form[int] = 0,
    protocol: Form[int | None] = None,
    slug: str = NetworkSlug,
    run_id: UUID = RunId,
):
    """The file `sealed` (nonce and box of the JSON records), `records`, how many, and
    `protocol`, the version your client speaks."""
    run = _run(request, slug, run_id)
    sealed = request.FILES.get("sealed")
    if sealed is None or sealed.size > services.MAX_SEALED_RESULT:
        raise ValidationError({"sealed": "Send the sealed result as the file `sealed`."})
    services.run_opened(
        actor=request.auth,
        run=run,
        sealed_result=sealed.read(),
        records=records,
        speaks=protocol,
    )
    return run_out(run, permissions.own_org_id(request.auth))


@router.get(
    "/networks/{slug}/overlap/runs/{run_id}/values/{kind}/{population_id}",
    response={200: None, **ERRORS},
    summary="Fetch a relayed list (application/octet-stream)",
)
def get_overlap_values(
    request,
    slug: str = NetworkSlug,
    run_id: UUID = RunId,
    kind: str = Path(..., pattern="^(blinded|payload|evaluated)$"),
    population_id: int = Path(..., ge=1, le=2**63 - 1),
):
    """`blinded`: the partner's blinded list (once both sides sent theirs); `payload`: its
    sealed payload table; `evaluated`: its evaluation of your population (after counting)."""
    run = _run(request, slug, run_id)
    blob = services.blob_for(
        actor=request.auth, run=run, kind=KINDS[kind], population_id=population_id
    )
    return _binary(bytes(blob.data))


@router.get(
    "/networks/{slug}/overlap/runs/{run_id}/sealed",
    response={200: None, **ERRORS},
    summary="Your side's sealed records (open them with the key your browser or CLI kept)",
)
def get_overlap_sealed(request, slug: str = NetworkSlug, run_id: UUID = RunId):
    """The records your side received, sealed (nonce and XSalsa20-Poly1305 box) with a key
    the server never had."""
    run = _run(request, slug, run_id)
    own, _ = services.side_of(run, network_permissions.org_id_of(request.auth))
    if not own.sealed_result:
        from django.http import Http404

        raise Http404("No sealed records for your side (none received, or they expired)")
    return _binary(bytes(own.sealed_result))


@router.post(
    "/networks/{slug}/overlap/runs/{run_id}/cancel",
    response={200: OverlapRunOut, **ERRORS},
    summary="Cancel a run under way (its relayed values are deleted)",
)
def cancel_overlap_run(request, slug: str = NetworkSlug, run_id: UUID = RunId):
    """Either side cancels a run that is not complete; its relayed values are deleted."""
    run = _run(request, slug, run_id)
    services.run_cancel(actor=request.auth, run=run)
    return run_out(run, permissions.own_org_id(request.auth))


def _binary(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
