"""Every write of overlap discovery: populations, the restricted list, consent, and the runs.

The server relays the protocol's messages (protocol.py) and never sees a key: it receives
blinded elements, sealed payload tables, double-blinded elements (which it intersects to count
the matrix) and evaluated elements, and deletes each as soon as the run no longer needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from consortia.core.events import emit
from consortia.core.models import Audience as EventAudience
from consortia.core.notifications import notify
from consortia.core.validators import validate_name
from consortia.networks import permissions as network_permissions
from consortia.networks.models import (
    Network,
    NetworkMembership,
    OrgMembership,
    Person,
)
from consortia.sharing.audience import bilateral_nda_accepted, current_network_nda_accepted

from . import permissions, protocol
from .models import (
    FIELD_NAMES,
    Blob,
    Level,
    Partnership,
    Population,
    PopulationOverride,
    RestrictedList,
    Run,
    RunSide,
)

MAX_POPULATIONS = 20
MAX_RESTRICTED = 10_000
MAX_SEALED_RESULT = 64 * 1024 * 1024
_DIGEST = re.compile(r"[0-9a-f]{64}")


def min_set_size() -> int:
    return settings.OVERLAP_MIN_SET_SIZE


# NDAs: the sharing app decides -----------------------------------------------------------------


def pair_has_nda(network, a_id: int, b_id: int) -> bool:
    """Whether an accepted NDA binds the two organizations in `network`: an accepted bilateral
    NDA between them, or the network's current NDA accepted by both (the sharing app's rules)."""
    return (
        Network.objects.filter(pk=network.pk)
        .filter(
            Q(bilateral_nda_accepted(a_id, b_id, network.pk))
            | (
                Q(current_network_nda_accepted(a_id, network.pk))
                & Q(current_network_nda_accepted(b_id, network.pk))
            )
        )
        .exists()
    )


def effective_level(population: Population, partner_id: int, *, has_nda: bool):
    """(level, fields) of a population toward one partner: its override for that partner or its
    default; record level falls back to counts without an NDA between the two."""
    override = next((o for o in population.overrides.all() if o.partner_id == partner_id), None)
    level, fields = (
        (override.level, override.fields) if override else (population.level, population.fields)
    )
    if level == Level.RECORDS and not has_nda:
        return Level.COUNTS.value, []
    return level, list(fields) if level == Level.RECORDS else []


# Populations ------------------------------------------------------------------------------------


def _clean_fields(fields) -> list[str]:
    fields = list(fields or [])
    unknown = [f for f in fields if f not in FIELD_NAMES]
    if unknown:
        raise ValidationError({"fields": f"Choose among {', '.join(FIELD_NAMES)}."})
    return [f for f in FIELD_NAMES if f in fields]


def _clean_level(level) -> str:
    if level not in Level.values:
        raise ValidationError({"level": "Choose hidden, counts or records."})
    return level


def _org_event(actor, verb, summary, obj=None, network=None):
    emit(
        actor=actor,
        organization=actor.organization,
        verb=verb,
        summary=summary,
        audience=EventAudience.ORGANIZATION,
        network=network,
        audience_organization=actor.organization,
        obj=obj,
    )


@transaction.atomic
def population_create(
    *, actor: Person, name: str, kind: str = "custom", level: str = "counts", fields=(), slug=""
) -> Population:
    permissions.require_team_leader(actor, "describe the organization's lists")
    organization = actor.organization
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the population a name, e.g. “Customers”."})
    if len(name) > 80:
        raise ValidationError({"name": "At most 80 characters."})
    validate_name(name, "name")
    if kind not in Population.Kind.values:
        raise ValidationError({"kind": "Choose customers, opportunities, prospects or custom."})
    slug = slugify(slug or name)[:80]
    if not slug:
        raise ValidationError({"name": "Use some letters or digits in the name."})
    if Population.objects.filter(organization=organization).count() >= MAX_POPULATIONS:
        raise ValidationError(f"An organization describes at most {MAX_POPULATIONS} populations.")
    if Population.objects.filter(organization=organization, slug=slug).exists():
        raise ValidationError({"name": f"Your organization already has a population “{slug}”."})
    population = Population.objects.create(
        organization=organization,
        name=name,
        slug=slug,
        kind=kind,
        level=_clean_level(level),
        fields=_clean_fields(fields) if level == Level.RECORDS else [],
    )
    _org_event(
        actor,
        "overlap.population.created",
        f"{actor} described the population “{name}” ({population.get_level_display()})",
        population,
    )
    return population


@transaction.atomic
def population_update(*, actor: Person, population: Population, level: str, fields=(), name=None):
    permissions.require_team_leader(actor, "change how a list is shared")
    if population.organization_id != network_permissions.org_id_of(actor):
        raise PermissionDenied("Only the organization's own team leaders can change it.")
    population.level = _clean_level(level)
    population.fields = _clean_fields(fields) if level == Level.RECORDS else []
    if name is not None and name.strip():
        population.name = validate_name(name.strip(), "name")[:80]
    population.save(update_fields=["level", "fields", "name"])
    _org_event(
        actor,
        "overlap.population.changed",
        f"{actor} set “{population.name}” to {population.get_level_display().lower()}",
        population,
    )
    return population


@transaction.atomic
def override_set(
    *, actor: Person, network, population: Population, partner, level: str, fields=()
) -> PopulationOverride | None:
    """A population's level toward one partner; level "" removes the override."""
    permissions.require_team_leader(actor, "change how a list is shared")
    org_id = network_permissions.org_id_of(actor)
    if population.organization_id != org_id:
        raise PermissionDenied("Only the organization's own team leaders can change it.")
    partner_id = getattr(partner, "pk", partner)
    if (
        partner_id == org_id
        or not NetworkMembership.objects.filter(
            NetworkMembership.active_q(), network=network, organization_id=partner_id
        ).exists()
    ):
        raise ValidationError({"partner": "Choose another active member of this network."})
    if not level:
        PopulationOverride.objects.filter(population=population, partner_id=partner_id).delete()
        _org_event(
            actor, "overlap.override.removed", f"{actor} removed an override of “{population}”"
        )
        return None
    override, _ = PopulationOverride.objects.update_or_create(
        population=population,
        partner_id=partner_id,
        defaults={
            "level": _clean_level(level),
            "fields": _clean_fields(fields) if level == Level.RECORDS else [],
        },
    )
    _org_event(
        actor,
        "overlap.override.set",
        f"{actor} set “{population}” to {override.get_level_display().lower()} for one partner",
        override,
    )
    return override


def restricted_list_of(organization) -> RestrictedList:
    restricted, _ = RestrictedList.objects.get_or_create(organization=organization)
    return restricted


@transaction.atomic
def restricted_update(*, actor: Person, add=(), replace: bool = False) -> RestrictedList:
    """Add digests (computed where the keys are: the browser or the CLI) to the restricted
    list, or replace it (an empty `add` with `replace` clears it)."""
    permissions.require_team_leader(actor, "keep the restricted list")
    digests = [str(d).strip().lower() for d in add if str(d).strip()]
    bad = [d for d in digests if not _DIGEST.fullmatch(d)]
    if bad:
        raise ValidationError(
            {"digests": "The accounts must be hashed in your browser first (turn JavaScript on)."}
        )
    restricted = RestrictedList.objects.select_for_update().get(
        pk=restricted_list_of(actor.organization).pk
    )
    merged = list(dict.fromkeys(([] if replace else restricted.digests) + digests))
    if len(merged) > MAX_RESTRICTED:
        raise ValidationError({"digests": f"At most {MAX_RESTRICTED:,} restricted accounts."})
    restricted.digests, restricted.updated_at, restricted.updated_by = (
        merged,
        timezone.now(),
        actor,
    )
    restricted.save(update_fields=["digests", "updated_at", "updated_by"])
    _org_event(
        actor,
        "overlap.restricted.updated",
        f"{actor} updated the restricted list ({len(merged)} account(s))",
    )
    return restricted


def restricted_digest(salt: str, key: str) -> str:
    """The keyed BLAKE2b digest of a normalized key (the browser computes the same)."""
    return protocol.pysodium.crypto_generichash(
        key.encode(), k=bytes.fromhex(salt), outlen=32
    ).hex()


def restricted_keys_add(*, actor: Person, values) -> RestrictedList:
    """The CLI's way: normalize and hash the keys here, on the organization's machine."""
    from .keys import normalize

    restricted = restricted_list_of(actor.organization)
    keys = [normalize(v) for v in values]
    if not keys or None in keys:
        raise ValidationError(
            {"digests": "Give domains, e-mail addresses or registration numbers."}
        )
    return restricted_update(actor=actor, add=[restricted_digest(restricted.salt, k) for k in keys])


# Consent ----------------------------------------------------------------------------------------


def _team_leaders(organization_id):
    return list(
        Person.objects.filter(
            is_active=True,
            org_membership__organization_id=organization_id,
            org_membership__role=OrgMembership.Role.TEAM_LEADER,
        )
    )


def _pair_event(actor, network, organizations, verb, summary, obj):
    for organization in organizations:
        emit(
            actor=actor,
            organization=actor.organization if actor else None,
            verb=verb,
            summary=summary,
            audience=EventAudience.ORGANIZATION,
            network=network,
            audience_organization=organization,
            obj=obj,
        )


def _notify_org(network, organization_id, title, url=None, *, everyone=False):
    people = (
        list(Person.objects.filter(is_active=True, org_membership__organization_id=organization_id))
        if everyone
        else _team_leaders(organization_id)
    )
    notify(
        recipients=people,
        kind="overlap",
        title=title,
        url=url or reverse("overlap_home", args=[network.slug]),
    )


@transaction.atomic
def partnership_propose(
    *,
    actor: Person,
    network,
    counterparty,
    result_days: int = 30,
    runs_per_day: int = 3,
    message: str = "",
) -> Partnership:
    membership = network_permissions.require_acting_member(actor, network)
    permissions.require_team_leader(actor, "propose overlap discovery")
    own = membership.organization_id
    counterparty_id = getattr(counterparty, "pk", counterparty)
    if counterparty_id == own:
        raise ValidationError({"counterparty": "Choose another member organization."})
    if not NetworkMembership.objects.filter(
        NetworkMembership.active_q(), network=network, organization_id=counterparty_id
    ).exists():
        raise ValidationError(
            {"counterparty": "Only active member organizations of this network can be chosen."}
        )
    if not 1 <= int(result_days) <= 365:
        raise ValidationError({"result_days": "Between 1 and 365 days."})
    if not 1 <= int(runs_per_day) <= 20:
        raise ValidationError({"runs_per_day": "Between 1 and 20 runs a day."})
    pair = Partnership.pair_of(own, counterparty_id)
    if (
        Partnership.objects.select_for_update()
        .filter(network=network, pair=pair, status__in=Partnership.LIVE)
        .exists()
    ):
        raise ValidationError(
            {"counterparty": "Overlap discovery with this organization is already proposed or on."}
        )
    try:
        with transaction.atomic():
            partnership = Partnership.objects.create(
                network=network,
                proposer_id=own,
                counterparty_id=counterparty_id,
                result_days=result_days,
                runs_per_day=runs_per_day,
                message=(message or "").strip()[:500],
                proposed_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            {"counterparty": "Overlap discovery with this organization is already proposed or on."}
        ) from None
    partnership = Partnership.objects.select_related("proposer", "counterparty", "network").get(
        pk=partnership.pk
    )
    _pair_event(
        actor,
        network,
        (partnership.proposer, partnership.counterparty),
        "overlap.partnership.proposed",
        f"{partnership.proposer} proposed overlap discovery to {partnership.counterparty}",
        partnership,
    )
    _notify_org(
        network,
        counterparty_id,
        f"{partnership.proposer} proposes to discover the accounts you have in common",
    )
    return partnership


def _lock_partnership(partnership) -> Partnership:
    return (
        Partnership.objects.select_for_update(of=("self",))
        .select_related("network", "proposer", "counterparty")
        .get(pk=partnership.pk)
    )


@transaction.atomic
def partnership_answer(*, actor: Person, partnership: Partnership, accept: bool) -> Partnership:
    partnership = _lock_partnership(partnership)
    permissions.require_team_leader(actor, "answer a proposal")
    if network_permissions.org_id_of(actor) != partnership.counterparty_id:
        raise PermissionDenied("Only the organization it was proposed to can answer it.")
    network_permissions.require_acting_member(actor, partnership.network)
    if partnership.status != Partnership.Status.PROPOSED:
        raise ValidationError(f"This proposal is {partnership.get_status_display().lower()}.")
    now = timezone.now()
    partnership.status = Partnership.Status.ACCEPTED if accept else Partnership.Status.DECLINED
    partnership.answered_by, partnership.answered_at = actor, now
    if not accept:
        partnership.ended_at = now
    partnership.save(update_fields=["status", "answered_by", "answered_at", "ended_at"])
    verb = "accepted" if accept else "declined"
    _pair_event(
        actor,
        partnership.network,
        (partnership.proposer, partnership.counterparty),
        f"overlap.partnership.{verb}",
        f"{partnership.counterparty} {verb} overlap discovery with {partnership.proposer}",
        partnership,
    )
    _notify_org(
        partnership.network,
        partnership.proposer_id,
        f"{partnership.counterparty} {verb} overlap discovery",
    )
    return partnership


@transaction.atomic
def partnership_stop(*, actor: Person, partnership: Partnership) -> Partnership:
    """Either side stops overlap discovery; runs under way are cancelled, their data deleted."""
    partnership = _lock_partnership(partnership)
    permissions.require_team_leader(actor, "stop overlap discovery")
    own = network_permissions.org_id_of(actor)
    if own not in (partnership.proposer_id, partnership.counterparty_id):
        raise PermissionDenied("Only the two organizations can stop it.")
    if not partnership.is_live:
        raise ValidationError(f"This partnership is {partnership.get_status_display().lower()}.")
    now = timezone.now()
    partnership.status, partnership.ended_at = Partnership.Status.STOPPED, now
    partnership.stopped_by_id = own
    partnership.save(update_fields=["status", "ended_at", "stopped_by"])
    active = Run.objects.filter(partnership=partnership, status__in=Run.ACTIVE)
    Blob.objects.filter(run__in=active.values("pk")).delete()
    active.update(status=Run.Status.CANCELLED, ended_by_id=own, completed_at=now)
    _pair_event(
        actor,
        partnership.network,
        (partnership.proposer, partnership.counterparty),
        "overlap.partnership.stopped",
        f"{actor.organization} stopped overlap discovery between {partnership.proposer} and "
        f"{partnership.counterparty}",
        partnership,
    )
    _notify_org(
        partnership.network,
        partnership.other(own).pk,
        f"{actor.organization} stopped overlap discovery with your organization",
    )
    return partnership


# Runs -------------------------------------------------------------------------------------------


def purge_expired(now=None) -> None:
    """Runs past their deadline expire and lose their relayed data; results past their expiry
    lose the matrix and the sealed records (the log line stays). Cheap when nothing is due."""
    now = now or timezone.now()
    stale = Run.objects.filter(status__in=Run.ACTIVE, deadline__lt=now)
    stale_ids = list(stale.values_list("pk", flat=True))
    if stale_ids:
        Blob.objects.filter(run_id__in=stale_ids).delete()
        Run.objects.filter(pk__in=stale_ids).update(status=Run.Status.EXPIRED, completed_at=now)
    due = list(
        Run.objects.filter(results_expire_at__lt=now, results_purged_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if due:
        Blob.objects.filter(run_id__in=due).delete()
        RunSide.objects.filter(run_id__in=due).update(sealed_result=None)
        Run.objects.filter(pk__in=due).update(matrix=[], results_purged_at=now)


def _choose_populations(org_id, partner_id, population_ids, has_nda) -> list[dict]:
    ids = []
    for value in population_ids or []:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            raise ValidationError({"populations": "Choose your populations."}) from None
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise ValidationError({"populations": "Choose at least one population to compare."})
    found = {
        p.pk: p
        for p in Population.objects.filter(organization_id=org_id, pk__in=ids).prefetch_related(
            "overrides"
        )
    }
    if len(found) != len(ids):
        raise ValidationError({"populations": "Choose among your organization's populations."})
    chosen = []
    for pk in ids:
        population = found[pk]
        level, fields = effective_level(population, partner_id, has_nda=has_nda)
        if level == Level.HIDDEN:
            raise ValidationError(
                {
                    "populations": f"“{population.name}” is hidden from this partner: a hidden "
                    "population is never used."
                }
            )
        chosen.append(
            {
                "id": population.pk,
                "slug": population.slug,
                "name": population.name,
                "level": level,
                "fields": fields,
            }
        )
    return chosen


# Protocol versions: a run is started by a client that speaks the server's version, and every
# later step must come from a client that speaks the run's. Clients older than versions say
# none (None). A refusal changes nothing.

UPGRADE = "reload the page (or upgrade the consortia command)"


def _version(number) -> str:
    if number is None:  # inserted by a program older than versions
        return "an unrecorded version of the overlap protocol (v1 or an early v2)"
    return f"overlap protocol v{number}"


def _client(speaks) -> str:
    if speaks is None:
        return f"does not say which version it speaks (it is older than v{protocol.PROTOCOL})"
    return f"speaks v{speaks}"


def speaks_of(value) -> int | None:
    """The version a client sent (a form's text, a number, or nothing) as a number or None."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def require_protocol(speaks, run=None) -> None:
    """Refuse, with a sentence, a client that does not speak the protocol of the server (to start
    a run) or of the run (for any later step)."""
    current = protocol.PROTOCOL
    if run is not None and run.protocol != current:
        raise ValidationError(
            f"This run was started with {_version(run.protocol)}, which this server no longer "
            f"relays, and your page or client {_client(speaks)}: the run "
            "cannot be finished. Cancel it and start another run"
            + (f" ({UPGRADE} first)." if speaks != current else ".")
        )
    if speaks != current:
        where = "This run uses" if run is not None else "This server speaks"
        raise ValidationError(
            f"{where} overlap protocol v{current} and your page or client {_client(speaks)}: "
            f"{UPGRADE} and try again. Nothing was changed."
        )


def _run_url(run) -> str:
    return reverse("overlap_run", args=[run.network.slug, run.uuid])


@transaction.atomic
def run_start(
    *, actor: Person, network, partner, population_ids, now=None, speaks=protocol.PROTOCOL
) -> Run:
    """Start a comparison with an accepted partner, choosing one's populations; `speaks` is the
    protocol version of the client that will take part (this program's by default)."""
    now = now or timezone.now()
    purge_expired(now)
    own = network_permissions.org_id_of(actor)
    partner_id = getattr(partner, "pk", partner)
    partnership = (
        Partnership.objects.select_for_update(of=("self",))
        .select_related("network", "proposer", "counterparty")
        .filter(network=network, pair=Partnership.pair_of(own or 0, partner_id or 0))
        .order_by("-created_at", "-id")
        .first()
    )
    if partnership is None or partner_id == own:
        raise ValidationError(
            {"partner": "Overlap discovery with this organization has not been proposed."}
        )
    try:
        permissions.require_runner(actor, network, partnership)
    except PermissionDenied as exc:
        raise ValidationError({"partner": str(exc)}) from None
    require_protocol(speaks)
    runs = Run.objects.filter(partnership=partnership)
    if runs.filter(status__in=Run.ACTIVE).count() >= settings.OVERLAP_MAX_ACTIVE_RUNS:
        raise ValidationError(
            f"{settings.OVERLAP_MAX_ACTIVE_RUNS} runs with {partnership.other(own)} are already "
            "under way: finish or cancel one before starting another."
        )
    if runs.filter(created_at__gt=now - timedelta(days=1)).count() >= partnership.runs_per_day:
        raise ValidationError(
            f"You and {partnership.other(own)} agreed on at most {partnership.runs_per_day} "
            "run(s) in 24 hours; try again later."
        )
    chosen = _choose_populations(
        own, partner_id, population_ids, pair_has_nda(network, own, partner_id)
    )
    run = Run.objects.create(
        network=network,
        partnership=partnership,
        started_by=actor,
        initiator_id=own,
        protocol=speaks,
        created_at=now,
        deadline=now + timedelta(hours=settings.OVERLAP_RUN_HOURS),
        results_expire_at=now + timedelta(days=partnership.result_days),
    )
    RunSide.objects.create(
        run=run, organization_id=own, person=actor, populations=chosen, joined_at=now
    )
    RunSide.objects.create(run=run, organization_id=partner_id)
    run = Run.objects.select_related(
        "network", "initiator", "partnership__proposer", "partnership__counterparty"
    ).get(pk=run.pk)
    other = partnership.other(own)
    _pair_event(
        actor,
        network,
        (partnership.proposer, partnership.counterparty),
        "overlap.run.started",
        f"{actor.organization} started an overlap run with {other} "
        f"({', '.join(p['name'] for p in chosen)})",
        run,
    )
    _notify_org(
        network,
        other.pk,
        f"{actor.organization} started an overlap run: open it to take part",
        _run_url(run),
        everyone=True,
    )
    return run


def _sides(run) -> dict[int, RunSide]:
    return {side.organization_id: side for side in RunSide.objects.filter(run=run)}


def side_of(run, org_id) -> tuple[RunSide, RunSide]:
    sides = _sides(run)
    own = sides.get(org_id)
    if own is None:
        raise PermissionDenied("Only the two organizations of a run take part in it.")
    (other,) = (side for pk, side in sides.items() if pk != org_id)
    return own, other


def _lock_run(actor, run, speaks) -> tuple[Run, RunSide, RunSide]:
    purge_expired()
    run = permissions.get_run_for(actor, run.network, run.uuid, lock=True)
    own_id = network_permissions.org_id_of(actor)
    if run.status not in Run.ACTIVE:
        raise ValidationError(f"This run is {run.get_status_display().lower()}.")
    permissions.require_runner(actor, run.network, run.partnership)
    own, other = side_of(run, own_id)
    require_protocol(speaks, run)
    return run, own, other


@transaction.atomic
def run_join(*, actor: Person, run: Run, population_ids, speaks=protocol.PROTOCOL) -> RunSide:
    """The partner chooses the populations it brings to a run another organization started."""
    run, own, other = _lock_run(actor, run, speaks)
    if own.joined_at is not None:
        raise ValidationError("Your organization already chose its populations for this run.")
    own.populations = _choose_populations(
        own.organization_id,
        other.organization_id,
        population_ids,
        pair_has_nda(run.network, own.organization_id, other.organization_id),
    )
    own.person, own.joined_at = actor, timezone.now()
    own.save(update_fields=["populations", "person", "joined_at"])
    _pair_event(
        actor,
        run.network,
        (run.partnership.proposer, run.partnership.counterparty),
        "overlap.run.joined",
        f"{actor.organization} joined the overlap run "
        f"({', '.join(p['name'] for p in own.populations)})",
        run,
    )
    return own


@dataclass
class Upload:
    """One population's round-1 message and what its side reports about its file."""

    blinded: bytes
    payload: bytes | None = None
    rows: int = 0
    duplicates: int = 0
    skipped: int = 0
    restricted: int = 0


def _count(value, label) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{label} must be a whole number.") from None
    if number < 0:
        raise ValidationError(f"{label} must not be negative.")
    return number


@transaction.atomic
def run_blinded(
    *, actor: Person, run: Run, uploads: dict[int, Upload], speaks=protocol.PROTOCOL
) -> RunSide:
    """Round 1: one side's blinded elements (and sealed payload tables at record level)."""
    run, own, _other = _lock_run(actor, run, speaks)
    if own.joined_at is None:
        raise ValidationError("Choose your populations for this run first.")
    if own.blinded_at is not None:
        raise ValidationError("Your organization already sent its blinded values for this run.")
    if set(uploads) != {p["id"] for p in own.populations}:
        raise ValidationError("Send one blinded list for each population you chose.")
    minimum, maximum = min_set_size(), settings.OVERLAP_MAX_SET_SIZE
    blobs = []
    for population in own.populations:
        upload = uploads[population["id"]]
        if len(upload.blinded) % protocol.POINT:
            raise ValidationError(f"The blinded list of “{population['name']}” is malformed.")
        size = len(upload.blinded) // protocol.POINT
        if size < minimum:
            raise ValidationError(
                f"“{population['name']}” has {size} key(s): a run needs at least {minimum} per "
                "population."
            )
        if size > maximum:
            raise ValidationError(
                f"“{population['name']}” has {size:,} keys: at most {maximum:,} per population."
            )
        if len(set(protocol.split(upload.blinded))) != size:
            raise ValidationError(f"The blinded list of “{population['name']}” repeats values.")
        if not protocol.all_canonical(upload.blinded):
            raise ValidationError(
                f"The blinded list of “{population['name']}” holds values that are not group "
                "elements."
            )
        if population["level"] == Level.RECORDS:
            if upload.payload is None or len(upload.payload) != size * protocol.STRIDE:
                raise ValidationError(
                    f"The payload table of “{population['name']}” is missing or malformed."
                )
        elif upload.payload:
            raise ValidationError(
                f"“{population['name']}” is shared as counts only: no records may be sent."
            )
        population.update(
            size=size,
            rows=_count(upload.rows, "rows"),
            duplicates=_count(upload.duplicates, "duplicates"),
            skipped=_count(upload.skipped, "skipped"),
            restricted=_count(upload.restricted, "restricted"),
        )
        blobs.append(
            Blob(
                run=run,
                organization_id=own.organization_id,
                kind=Blob.Kind.BLINDED,
                population_id=population["id"],
                count=size,
                data=upload.blinded,
            )
        )
        if upload.payload:
            blobs.append(
                Blob(
                    run=run,
                    organization_id=own.organization_id,
                    kind=Blob.Kind.PAYLOAD,
                    population_id=population["id"],
                    count=size,
                    data=upload.payload,
                )
            )
    Blob.objects.bulk_create(blobs)
    own.blinded_at = timezone.now()
    own.person = own.person or actor
    own.save(update_fields=["populations", "blinded_at", "person"])
    sizes = ", ".join(f"{p['name']}: {p['size']:,}" for p in own.populations)
    _pair_event(
        actor,
        run.network,
        (run.partnership.proposer, run.partnership.counterparty),
        "overlap.run.blinded",
        f"{actor.organization} sent its blinded lists ({sizes})",
        run,
    )
    return own


def shares_records(side: RunSide) -> bool:
    return any(p["level"] == Level.RECORDS for p in side.populations)


@transaction.atomic
def run_doubled(
    *,
    actor: Person,
    run: Run,
    double: dict[int, bytes],
    evaluated: dict[int, bytes],
    speaks=protocol.PROTOCOL,
) -> Run:
    """Round 2: one side's double-blinded values of the other's populations (sorted), and, when
    it shares records, its evaluations of them (in the other's order)."""
    run, own, other = _lock_run(actor, run, speaks)
    if own.blinded_at is None or other.blinded_at is None:
        raise ValidationError("Both sides must have sent their blinded values first.")
    if own.doubled_at is not None:
        raise ValidationError("Your organization already sent its double-blinded values.")
    wanted = {p["id"]: p for p in other.populations}
    if set(double) != set(wanted):
        raise ValidationError("Send one double-blinded list for each of the partner's populations.")
    if shares_records(own):
        if set(evaluated) != set(wanted):
            raise ValidationError("Send one evaluated list for each of the partner's populations.")
    elif evaluated:
        raise ValidationError("Your organization shares no records in this run.")
    blobs = []
    for pk, population in wanted.items():
        expected = population["size"] * protocol.POINT
        for kind, data in (
            (Blob.Kind.DOUBLE, double.get(pk)),
            (Blob.Kind.EVALUATED, evaluated.get(pk)),
        ):
            if data is None:
                continue
            if len(data) != expected:
                raise ValidationError(
                    f"The {kind} list of the partner's “{population['name']}” has the wrong size."
                )
            if not protocol.all_canonical(data):
                raise ValidationError(
                    f"The {kind} list of the partner's “{population['name']}” holds values that "
                    "are not group elements."
                )
            blobs.append(
                Blob(
                    run=run,
                    organization_id=own.organization_id,
                    kind=kind,
                    population_id=pk,
                    count=population["size"],
                    data=data,
                )
            )
    Blob.objects.bulk_create(blobs)
    own.doubled_at = timezone.now()
    own.save(update_fields=["doubled_at"])
    if other.doubled_at is not None:
        _match(actor, run, own, other)
    return run


def _match(actor, run, own: RunSide, other: RunSide) -> None:
    """Both sides double-blinded: count every cell from the sorted double-blinded values, then
    delete them and the blinded values; what remains is what a record-level side must open."""
    initiator, partner = (own, other) if own.organization_id == run.initiator_id else (other, own)
    doubles = Blob.objects.filter(run=run, kind=Blob.Kind.DOUBLE)
    # The initiator's populations, double-blinded by the partner, and the reverse.
    left = {
        str(b.population_id): bytes(b.data)
        for b in doubles.filter(organization_id=partner.organization_id)
    }
    right = {
        str(b.population_id): bytes(b.data)
        for b in doubles.filter(organization_id=initiator.organization_id)
    }
    counts = protocol.matrix(left, right)
    run.matrix = [
        {"a": a["id"], "b": b["id"], "count": counts[(str(a["id"]), str(b["id"]))]}
        for a in initiator.populations
        for b in partner.populations
    ]
    now = timezone.now()
    Blob.objects.filter(run=run, kind__in=[Blob.Kind.BLINDED, Blob.Kind.DOUBLE]).delete()
    run.status, run.matched_at = Run.Status.MATCHED, now
    if not (shares_records(own) or shares_records(other)):
        run.status, run.completed_at = Run.Status.COMPLETE, now
    run.save(update_fields=["matrix", "status", "matched_at", "completed_at"])
    total = sum(cell["count"] for cell in run.matrix)
    _pair_event(
        actor,
        run.network,
        (run.partnership.proposer, run.partnership.counterparty),
        "overlap.run.counted",
        f"Overlap run counted: {len(run.matrix)} cell(s), {total:,} overlap(s) in all",
        run,
    )


def receives_records(own: RunSide, other: RunSide) -> bool:
    return shares_records(other)


@transaction.atomic
def run_opened(
    *, actor: Person, run: Run, sealed_result: bytes, records: int, speaks=protocol.PROTOCOL
) -> Run:
    """Round 3 done by a side that receives records: it stores them sealed with a key that it
    keeps (the server cannot open them). When every receiving side is done the run completes
    and the relayed data is deleted."""
    run, own, other = _lock_run(actor, run, speaks)
    if run.status != Run.Status.MATCHED:
        raise ValidationError("The run has not been counted yet.")
    if not receives_records(own, other):
        raise ValidationError("Your organization receives no records in this run.")
    if own.opened_at is not None:
        raise ValidationError("Your organization already opened its records.")
    if not sealed_result or len(sealed_result) > MAX_SEALED_RESULT:
        raise ValidationError("The sealed result is missing or too large.")
    own.sealed_result, own.records_received = sealed_result, _count(records, "records")
    own.opened_at = timezone.now()
    own.save(update_fields=["sealed_result", "records_received", "opened_at"])
    waiting = receives_records(other, own) and other.opened_at is None
    if not waiting:
        Blob.objects.filter(run=run).delete()
        run.status, run.completed_at = Run.Status.COMPLETE, timezone.now()
        run.save(update_fields=["status", "completed_at"])
        _pair_event(
            actor,
            run.network,
            (run.partnership.proposer, run.partnership.counterparty),
            "overlap.run.completed",
            "Overlap run complete: its relayed values are deleted",
            run,
        )
    return run


@transaction.atomic
def run_cancel(*, actor: Person, run: Run) -> Run:
    purge_expired()
    run = permissions.get_run_for(actor, run.network, run.uuid, lock=True)
    if run.status not in Run.ACTIVE:
        raise ValidationError(f"This run is {run.get_status_display().lower()}.")
    own = network_permissions.org_id_of(actor)
    Blob.objects.filter(run=run).delete()
    run.status, run.completed_at, run.ended_by_id = Run.Status.CANCELLED, timezone.now(), own
    run.save(update_fields=["status", "completed_at", "ended_by"])
    _pair_event(
        actor,
        run.network,
        (run.partnership.proposer, run.partnership.counterparty),
        "overlap.run.cancelled",
        f"{actor.organization} cancelled an overlap run",
        run,
    )
    return run


def blob_for(*, actor: Person, run: Run, kind: str, population_id: int) -> Blob:
    """A relayed message one side may fetch now (anything else: 404):
    - the other side's blinded list, once both sides sent theirs (round 2 needs it);
    - after counting, at record level: the other's payload tables and its evaluations of one's
      own populations (round 3)."""
    from django.http import Http404

    purge_expired()
    own_id = network_permissions.org_id_of(actor)
    own, other = side_of(run, own_id)
    run.refresh_from_db(fields=["status"])  # the caller's copy may be older than the round
    query = Blob.objects.filter(run=run, kind=kind, population_id=population_id)
    if kind == Blob.Kind.BLINDED:
        allowed = run.status == Run.Status.OPEN and own.blinded_at and other.blinded_at
        query = query.filter(organization_id=other.organization_id)
    elif kind == Blob.Kind.PAYLOAD:
        allowed = (
            run.status == Run.Status.MATCHED
            and (other.population(population_id) or {}).get("level") == Level.RECORDS
        )
        query = query.filter(organization_id=other.organization_id)
    elif kind == Blob.Kind.EVALUATED:
        allowed = run.status == Run.Status.MATCHED and own.population(population_id) is not None
        query = query.filter(organization_id=other.organization_id)
    else:
        allowed = False
    blob = query.first() if allowed else None
    if blob is None:
        raise Http404("No such value list")
    if kind == Blob.Kind.PAYLOAD and not pair_has_nda(
        run.network, own.organization_id, other.organization_id
    ):
        raise PermissionDenied(
            "The NDA between your organizations was withdrawn: records can no longer be opened."
        )
    return blob
