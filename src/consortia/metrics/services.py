"""Every write about metrics, measurements and goals goes through here (C7).

Each write of measurements recomputes the rollups of the (metric, period) pairs it touched in
the same transaction (refresh_rollups), so dashboards that read MeasurementRollup always agree
with a fresh aggregate of the measurements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from consortia.core.events import emit
from consortia.core.models import Audience
from consortia.core.validators import name_error
from consortia.initiatives import permissions as initiative_permissions
from consortia.networks import permissions as network_permissions

from . import imports
from .models import Goal, ImportJob, Measurement, MeasurementRollup, Metric

ADOPT_ACTION = "metrics.adopt_metric"
RETIRE_ACTION = "metrics.retire_metric"
POLL_DAYS = 7
BATCH = 5000
WEB_CHUNK = 5000
V = Measurement.Visibility


def _url(metric) -> str:
    return reverse("metric_detail", args=[metric.network.slug, metric.pk])


def _required(value, field, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# The catalog --------------------------------------------------------------------------------


@transaction.atomic
def metric_create(
    *,
    actor,
    network,
    name: str,
    unit: str,
    description: str = "",
    direction: str = Metric.Direction.HIGHER,
    aggregation: str = Metric.Aggregation.SUM,
    cadence: str = Metric.Cadence.MONTHLY,
    scope: str = Metric.Scope.NETWORK,
    initiative=None,
    non_negative: bool = False,
) -> Metric:
    """Propose a metric for the network's catalog (the members adopt it by poll), or keep a
    private one for your organization or an initiative your organization takes part in."""
    network_permissions.require_acting_member(actor, network)
    org_id = network_permissions.org_id_of(actor)
    errors = {}
    name = (name or "").strip()
    unit = (unit or "").strip()
    if not name:
        errors["name"] = "Name the metric."
    elif len(name) > 120:
        errors["name"] = "Keep the name under 120 characters."
    elif message := name_error(name):
        errors["name"] = message
    if not unit:
        errors["unit"] = "Give the unit, e.g. EUR, tonnes CO2e, %, people."
    elif len(unit) > 30:
        errors["unit"] = "Keep the unit under 30 characters."
    if direction not in Metric.Direction.values:
        errors["direction"] = "Choose whether higher or lower is better."
    if aggregation not in Metric.Aggregation.values:
        errors["aggregation"] = "Choose sum, mean or last value."
    if cadence not in Metric.Cadence.values:
        errors["cadence"] = "Choose weekly, monthly or quarterly."
    if scope not in Metric.Scope.values:
        errors["scope"] = "Choose the network catalog, your organization or an initiative."
    if errors:
        raise ValidationError(errors)
    metric = Metric(
        network=network,
        name=name,
        unit=unit,
        description=(description or "").strip(),
        direction=direction,
        aggregation=aggregation,
        cadence=cadence,
        scope=scope,
        non_negative=bool(non_negative),
        created_by=actor,
    )
    if scope == Metric.Scope.NETWORK:
        metric.status = Metric.Status.PROPOSED
        taken = Metric.objects.filter(network=network, scope=scope, name__iexact=name)
    elif scope == Metric.Scope.ORGANIZATION:
        metric.status, metric.owner_organization_id = Metric.Status.PRIVATE, org_id
        taken = Metric.objects.filter(
            network=network, scope=scope, owner_organization_id=org_id, name__iexact=name
        )
    else:
        if initiative is None or initiative.network_id != network.pk:
            raise ValidationError({"initiative": "Choose the initiative the metric belongs to."})
        initiative_permissions.require_participant(actor, initiative)
        metric.status, metric.owner_initiative = Metric.Status.PRIVATE, initiative
        taken = Metric.objects.filter(owner_initiative=initiative, name__iexact=name)
    if taken.exists():
        raise ValidationError({"name": f"There is already a metric “{name}”."})
    metric.save()
    private = scope != Metric.Scope.NETWORK
    emit(
        actor=actor,
        organization=actor.organization,
        network=network,
        verb="metric.created" if private else "metric.proposed",
        obj=metric,
        audience=Audience.ORGANIZATION if private else Audience.NETWORK,
        summary=(
            f"{actor.organization} added a private metric: {metric.name}"
            if private
            else f"{actor.organization} proposed a standard metric: {metric.name} ({unit})"
        ),
    )
    return metric


def _open_status_poll(metric):
    from consortia.decisions.models import Poll

    now = timezone.now()
    return (
        Poll.objects.filter(
            network_id=metric.network_id,
            action__in=(ADOPT_ACTION, RETIRE_ACTION),
            action_payload__metric=metric.pk,
            closes_at__gt=now,
            outcome_applied_at__isnull=True,
        )
        .order_by("-created_at")
        .first()
    )


def open_status_poll(metric):
    """The open poll that adopts or retires `metric`, if any."""
    return _open_status_poll(metric)


@transaction.atomic
def metric_poll_open(
    *, actor, metric: Metric, retire: bool = False, closes_at: datetime | None = None
):
    """Put adopting (or retiring) a catalog metric to the members: a yes/no poll whose outcome
    sets the metric's status (outcomes.py). A team leader of an acting member opens it; the
    actions are system-only so that nobody skips these checks through the generic poll form."""
    from consortia.decisions import services as decisions
    from consortia.decisions.models import Poll

    network_permissions.require_acting_member(actor, metric.network)
    network_permissions.require_team_leader(
        actor, "Only a team leader can put a metric to the network."
    )
    metric = Metric.objects.select_for_update().select_related("network").get(pk=metric.pk)
    if metric.scope != Metric.Scope.NETWORK:
        raise ValidationError("Private metrics are not put to the network.")
    if retire and metric.status != Metric.Status.STANDARD:
        raise ValidationError(f"“{metric.name}” is not a standard metric.")
    if not retire and metric.status == Metric.Status.STANDARD:
        raise ValidationError(f"“{metric.name}” is already standard.")
    if _open_status_poll(metric) is not None:
        raise ValidationError(f"A poll about “{metric.name}” is already open.")
    closes_at = closes_at or timezone.now() + timedelta(days=POLL_DAYS)
    verb = "Retire" if retire else "Adopt"
    poll = decisions.poll_create(
        actor=None,
        network=metric.network,
        title=f"{verb} the standard metric “{metric.name}”"[:200],
        description=(
            f"{metric.description}\n\nUnit: {metric.unit}; {metric.get_direction_display()}; "
            f"aggregation: {metric.get_aggregation_display()}; "
            f"cadence: {metric.get_cadence_display()}."
        ).strip(),
        kind="yes_no",
        closes_at=closes_at,
        action=RETIRE_ACTION if retire else ADOPT_ACTION,
        action_payload={"metric": metric.pk},
    )
    Poll.objects.filter(pk=poll.pk).update(created_by=actor)
    poll.created_by = actor
    return poll


def metric_set_status(metric_id: int, status: str, *, source: str) -> Metric | None:
    """Applied by a passed poll (outcomes.py): adopt or retire a catalog metric."""
    metric = Metric.objects.select_for_update().filter(pk=metric_id, scope="network").first()
    if metric is None or metric.status == status:
        return metric
    metric.status, metric.status_changed_at = status, timezone.now()
    metric.save(update_fields=["status", "status_changed_at"])
    emit(
        actor=None,
        network=metric.network,
        verb=f"metric.{status}",
        obj=metric,
        audience=Audience.NETWORK,
        summary=f"“{metric.name}” is now {metric.get_status_display().lower()} ({source})",
    )
    return metric


# Rollups ------------------------------------------------------------------------------------


def refresh_rollups(keys: Iterable[tuple[int, date]]) -> None:
    """Recompute the rollups of the given (metric id, period start) pairs from the
    measurements: delete them and insert fresh sums. Call inside the writing transaction."""
    by_metric: dict[int, set[date]] = {}
    for metric_id, period in keys:
        by_metric.setdefault(metric_id, set()).add(period)
    for metric_id, period_set in by_metric.items():
        low, high = min(period_set), max(period_set)
        if len(period_set) <= 50:
            selection = {"period_start__in": sorted(period_set)}
        else:
            selection = {"period_start__gte": low, "period_start__lte": high}
        MeasurementRollup.objects.filter(metric_id=metric_id, **selection).delete()
        measurements = Measurement.objects.filter(metric_id=metric_id, **selection)
        rows = []
        for visibility, group in (
            (V.NETWORK, ()),
            (V.INITIATIVE, ("initiative_id",)),
        ):
            sums = (
                measurements.filter(visibility=visibility)
                .values("period_start", *group)
                .annotate(total=Sum("value"), n=Count("id"))
                .order_by()
            )
            rows += [
                MeasurementRollup(
                    metric_id=metric_id,
                    period_start=row["period_start"],
                    visibility=visibility,
                    initiative_id=row.get("initiative_id"),
                    count=row["n"],
                    total=row["total"],
                )
                for row in sums
            ]
        MeasurementRollup.objects.bulk_create(rows, batch_size=BATCH)


# Measurements -------------------------------------------------------------------------------


def _insert(rows: list[imports.Row], entered_by_id, now) -> None:
    """INSERT in large batches through the cursor: model instances cost more than the SQL."""
    ops = connection.ops
    table = Measurement._meta.db_table
    # The table name comes from the model; values are parameters.
    columns = (
        "metric_id, organization_id, initiative_id, period_start, value, visibility, "
        "entered_by_id, created_at"
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
    if connection.vendor == "postgresql":
        # COPY streams the rows in one statement: several times faster than INSERTs.
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor, in Django's transaction
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for m, o, i, p, v, vis in rows:
                    copy.write_row((m, o, i, p, v, vis, entered_by_id, now))
        return
    created = ops.adapt_datetimefield_value(now)
    field = Measurement._meta.get_field("value")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                sql,
                [
                    (
                        m,
                        o,
                        i,
                        ops.adapt_datefield_value(p),
                        ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places),
                        vis,
                        entered_by_id,
                        created,
                    )
                    for m, o, i, p, v, vis in rows[start : start + BATCH]
                ],
            )


def write_rows(
    rows: list[imports.Row], *, actor=None, progress: Callable[[int], None] | None = None
):
    """Insert new measurements and replace the value of existing ones (same metric,
    organization, initiative and period), then refresh the rollups; all in one transaction.
    Returns (created, updated)."""
    if not rows:
        return 0, 0
    now = timezone.now()
    entered_by_id = getattr(actor, "pk", None)
    with transaction.atomic():
        metric_ids = sorted({r[0] for r in rows})
        # Serialize writers per metric so concurrent imports recompute rollups in turn.
        list(Metric.objects.select_for_update().filter(pk__in=metric_ids).values_list("pk"))
        org_ids = {r[1] for r in rows}
        low, high = min(r[3] for r in rows), max(r[3] for r in rows)
        existing_q = Measurement.objects.filter(
            metric_id__in=metric_ids, period_start__gte=low, period_start__lte=high
        )
        if len(org_ids) <= 500:
            existing_q = existing_q.filter(organization_id__in=org_ids)
        existing = {
            (m, o, i, p): pk
            for pk, m, o, i, p in existing_q.values_list(
                "pk", "metric_id", "organization_id", "initiative_id", "period_start"
            ).iterator(chunk_size=10000)
        }
        new, changed = [], []
        for row in rows:
            pk = existing.get(row[:4]) if existing else None
            if pk is None:
                new.append(row)
            else:
                changed.append((pk, row))
        # In index order: the B-tree pages being filled stay in the cache.
        new.sort(key=lambda r: (r[0], r[1], r[3]))
        if len(new) > BATCH and connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")  # 256 MB for this connection
        done = 0
        for start in range(0, len(new), BATCH * 10):
            _insert(new[start : start + BATCH * 10], entered_by_id, now)
            done += len(new[start : start + BATCH * 10])
            if progress is not None:
                progress(done)
        if changed:
            Measurement.objects.bulk_update(
                [
                    Measurement(pk=pk, value=row[4], visibility=row[5], entered_by_id=entered_by_id)
                    for pk, row in changed
                ],
                ["value", "visibility", "entered_by_id"],
                batch_size=1000,
            )
            if progress is not None:
                progress(len(rows))
        refresh_rollups({(r[0], r[3]) for r in rows})
    return len(new), len(changed)


def _summary_event(actor, network, created, updated, how: str) -> None:
    organization = actor.organization if actor is not None else None
    emit(
        actor=actor,
        organization=organization,
        network=network,
        verb="metric.measurements_recorded",
        obj=None,
        audience=Audience.ORGANIZATION if organization else Audience.NETWORK,
        summary=f"{organization or 'An operator'} recorded {created + updated} measurement(s) "
        f"({created} new, {updated} updated) {how}",
        data={"created": created, "updated": updated},
    )


def measurement_record(
    *,
    actor,
    metric: Metric,
    period,
    value,
    initiative=None,
    visibility: str = "",
) -> Measurement:
    """Record (or correct) one measurement of the actor's organization."""
    network_permissions.require_acting_member(actor, metric.network)
    org = actor.organization
    values = {
        "metric": metric.name,
        "organization": org.slug if org else "",
        "period": period.isoformat() if isinstance(period, date) else str(period or ""),
        "value": str(value if value is not None else ""),
        "initiative": str(initiative.pk) if initiative is not None else "",
        "visibility": visibility or "",
    }
    validator = imports.Validator(actor=actor, network=metric.network)
    result = validator.row(values, 1, {})
    if isinstance(result, list):
        raise ValidationError({(e.column or "__all__"): e.message for e in result})
    created, updated = write_rows([result], actor=actor)
    _summary_event(actor, metric.network, created, updated, "by form")
    m, o, i, p = result[:4]
    return Measurement.objects.select_related("metric", "organization").get(
        metric_id=m, organization_id=o, initiative_id=i, period_start=p
    )


@transaction.atomic
def measurement_delete(*, actor, measurement: Measurement) -> None:
    network_permissions.require_acting_member(actor, measurement.metric.network)
    if network_permissions.org_id_of(actor) != measurement.organization_id:
        raise PermissionDenied("Only the organization's own people can delete its measurements.")
    key = (measurement.metric_id, measurement.period_start)
    list(Metric.objects.select_for_update().filter(pk=key[0]).values_list("pk"))
    measurement.delete()
    refresh_rollups([key])


def measurements_bulk(*, actor, network, items: list[dict]) -> tuple[int, int]:
    """The API's all-or-nothing bulk entry: ValidationError with every item's errors."""
    network_permissions.require_acting_member(actor, network)
    parsed = imports.parse_items(items, actor=actor, network=network)
    if parsed.errors:
        raise BulkInvalid(parsed.errors)
    created, updated = write_rows(parsed.rows, actor=actor)
    _summary_event(actor, network, created, updated, "through the API")
    return created, updated


class BulkInvalid(ValidationError):
    def __init__(self, errors):
        self.row_errors = errors
        super().__init__([str(e) for e in errors])


def import_file(*, actor, network, stream, any_organization=False, progress=None):
    """Validate a whole CSV stream, then write it; returns (parsed, created, updated). Nothing
    is written when there is any error (parsed.errors)."""
    if not any_organization:
        network_permissions.require_acting_member(actor, network)
    parsed = imports.parse_csv(
        stream, actor=actor, network=network, any_organization=any_organization, progress=progress
    )
    if parsed.errors:
        return parsed, 0, 0
    created, updated = write_rows(parsed.rows, actor=actor)
    _summary_event(actor, network, created, updated, "from a CSV file")
    return parsed, created, updated


# Web imports in chunks --------------------------------------------------------------------


def import_job_create(*, actor, network, parsed: imports.Parsed, filename: str) -> ImportJob:
    """Keep a validated upload for importing in chunks (the page shows a progress bar)."""
    network_permissions.require_acting_member(actor, network)
    if not parsed.ok:
        raise ValidationError("Only a valid file can be imported.")
    content = "\n".join(
        f"{m},{o},{i or ''},{p.isoformat()},{v},{vis}" for m, o, i, p, v, vis in parsed.rows
    )
    return ImportJob.objects.create(
        network=network,
        organization=actor.organization,
        created_by=actor,
        filename=(filename or "")[:200],
        content=content,
        total=len(parsed.rows),
    )


def _job_chunk(job: ImportJob, count: int) -> tuple[list[imports.Row], int]:
    """The next `count` rows from the job's offset, and the offset after them."""
    content, end = job.content, job.offset
    for _ in range(count):
        found = content.find("\n", end)
        if found < 0:
            end = len(content)
            break
        end = found + 1
    rows = []
    for line in content[job.offset : end].splitlines():
        m, o, i, p, v, vis = line.split(",")
        rows.append((int(m), int(o), int(i) if i else None, date.fromisoformat(p), Decimal(v), vis))
    return rows, end


def import_job_step(*, job: ImportJob, actor=None, chunk: int | None = None) -> ImportJob:
    """Import the next chunk of a job: claimed with a conditional UPDATE on `position`, so a
    chunk is never imported twice; re-importing a row only replaces the same value. Big files
    go in at most about 50 steps."""
    job.refresh_from_db()
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.CANCELLED):
        return job
    chunk = chunk or max(WEB_CHUNK, job.total // 50)
    start = job.position
    stop = min(job.total, start + chunk)
    rows, offset = _job_chunk(job, stop - start)
    with transaction.atomic():
        claimed = (
            ImportJob.objects.filter(pk=job.pk, position=start)
            .exclude(status__in=(ImportJob.Status.DONE, ImportJob.Status.CANCELLED))
            .update(
                position=stop,
                offset=offset,
                status=ImportJob.Status.DONE if stop >= job.total else ImportJob.Status.IMPORTING,
                finished_at=timezone.now() if stop >= job.total else None,
                # The rows are read (above) before the claim; a finished job keeps no copy.
                **({"content": ""} if stop >= job.total else {}),
            )
        )
        if claimed:
            write_rows(rows, actor=actor or job.created_by)
    job.refresh_from_db()
    if claimed and job.status == ImportJob.Status.DONE:
        emit(
            actor=job.created_by,
            organization=job.organization,
            network=job.network,
            verb="metric.measurements_imported",
            obj=job,
            audience=Audience.ORGANIZATION,
            summary=f"{job.organization} imported {job.total} measurement(s) from "
            f"{job.filename or 'a CSV file'}",
        )
    return job


def advance_import_jobs() -> int:
    """Worker job: finish imports whose browser tab was closed."""
    done = 0
    for job in ImportJob.objects.filter(status=ImportJob.Status.IMPORTING)[:5]:
        while job.status == ImportJob.Status.IMPORTING:
            job = import_job_step(job=job)
            done += 1
    return done


# Goals --------------------------------------------------------------------------------------


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: "Give a number, e.g. 1200 or 12.5."}) from None
    if abs(number) >= Decimal(10) ** imports.MAX_INTEGER_DIGITS:
        raise ValidationError({field: "This number is too large."})
    return number.quantize(Decimal("0.0001"))


@transaction.atomic
def goal_set(
    *, actor, initiative, metric: Metric, baseline, target, deadline: date, note: str = ""
) -> Goal:
    """Add a goal to the initiative's joint plan, or change the goal for the same metric. Only
    the initiative's current leader."""
    network_permissions.require_acting_member(actor, initiative.network)
    initiative_permissions.require_open(initiative)
    initiative_permissions.require_leader(actor, initiative, what="set its goals")
    if metric.network_id != initiative.network_id or metric.status == Metric.Status.RETIRED:
        raise ValidationError({"metric": "Choose a metric of the network's catalog."})
    if metric.scope == Metric.Scope.ORGANIZATION or (
        metric.scope == Metric.Scope.INITIATIVE and metric.owner_initiative_id != initiative.pk
    ):
        raise ValidationError({"metric": "Choose a catalog metric or this initiative's own."})
    baseline = _decimal(baseline, "baseline")
    target = _decimal(target, "target")
    if baseline == target:
        raise ValidationError({"target": "The target must differ from the baseline."})
    higher = metric.direction == Metric.Direction.HIGHER
    if (target < baseline) if higher else (target > baseline):
        raise ValidationError(
            {
                "target": f"For “{metric.name}” {'higher' if higher else 'lower'} is better: "
                f"the target must be {'above' if higher else 'below'} the baseline."
            }
        )
    if not isinstance(deadline, date):
        raise ValidationError({"deadline": "Give the deadline."})
    if deadline <= timezone.localdate():
        raise ValidationError({"deadline": "The deadline must be in the future."})
    goal, created = Goal.objects.update_or_create(
        initiative=initiative,
        metric=metric,
        defaults={
            "baseline": baseline,
            "target": target,
            "deadline": deadline,
            "note": (note or "").strip()[:300],
            "created_by": actor,
        },
    )
    emit(
        actor=actor,
        organization=actor.organization,
        network=initiative.network,
        verb="goal.set" if created else "goal.changed",
        obj=goal,
        audience=Audience.NETWORK,
        summary=f"Goal for {initiative}: {metric.name} from {baseline.normalize():f} to "
        f"{target.normalize():f} {metric.unit} by {deadline:%-d %b %Y}",
    )
    return goal


@transaction.atomic
def goal_delete(*, actor, goal: Goal) -> None:
    initiative = goal.initiative
    network_permissions.require_acting_member(actor, initiative.network)
    initiative_permissions.require_leader(actor, initiative, what="remove its goals")
    emit(
        actor=actor,
        organization=actor.organization,
        network=initiative.network,
        verb="goal.removed",
        obj=goal,
        audience=Audience.NETWORK,
        summary=f"Goal removed from {initiative}: {goal.metric.name}",
    )
    goal.delete()
