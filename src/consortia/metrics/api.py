"""REST operations: standard metrics, measurements and goals.

Like the pages: parse → permissions.py → services.py/selectors.py. Everything is visible to
active members of the network only (others get 404); measurements follow the sharing rule.
The bulk endpoint is all-or-nothing: one bad item and nothing is written (422 with every
item's errors, `loc` = ["body", "payload", "items", index, column]).
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Path, Router
from ninja.pagination import paginate
from ninja.responses import Status

from consortia.core.pagination import Pagination
from consortia.core.schemas import BODY_ERRORS, ERRORS, MAX_ID, SLUG_PATTERN, ValidationErrorOut
from consortia.initiatives import permissions as initiative_permissions
from consortia.networks import permissions as network_permissions

from . import permissions, selectors, services
from .models import Goal, Measurement, Metric
from .schemas import (
    BulkIn,
    BulkOut,
    GoalIn,
    GoalOut,
    MeasurementIn,
    MeasurementOut,
    MetricIn,
    MetricOut,
    MetricPollIn,
    PollRef,
    SeriesPoint,
    TotalPoint,
)

router = Router(tags=["metrics"])
NetworkSlug = Path(..., max_length=60, pattern=SLUG_PATTERN, description="The network's slug.")


def Id(description: str):
    return Path(..., ge=1, le=MAX_ID, description=description)


def _metric(request, metric_id) -> Metric:
    metric = Metric.objects.select_related("network").filter(pk=metric_id).first()
    if metric is None:
        raise Http404("No such metric")
    network = permissions.get_network_for(request.auth, metric.network.slug)
    return permissions.get_metric_for(request.auth, network, metric_id)


def _initiative(request, initiative_id):
    return initiative_permissions.get_initiative_for(request.auth, initiative_id)


@router.get(
    "/networks/{slug}/metrics",
    response={200: list[MetricOut], **ERRORS},
    summary="List the metric catalog",
)
@paginate(Pagination)
def list_metrics(request, slug: str = NetworkSlug):
    """Catalog metrics and the private metrics of your organization and initiatives."""
    network = permissions.get_network_for(request.auth, slug)
    return permissions.metrics_visible_to(request.auth, network).order_by("name", "id")


@router.post(
    "/networks/{slug}/metrics",
    response={201: MetricOut, **BODY_ERRORS},
    summary="Propose a metric (or add a private one)",
)
def create_metric(request, payload: MetricIn, slug: str = NetworkSlug):
    """Propose a network metric (it becomes standard once the members adopt it by poll) or
    create a private one for your organization or an initiative."""
    network = permissions.get_network_for(request.auth, slug)
    data = payload.model_dump()
    initiative_id = data.pop("initiative_id")
    initiative = None
    if initiative_id is not None:
        initiative = (
            initiative_permissions.initiatives_visible_to(request.auth, network)
            .filter(pk=initiative_id)
            .first()
        )
        if initiative is None:
            raise ValidationError({"initiative_id": "No such initiative in this network."})
    metric = services.metric_create(
        actor=request.auth,
        network=network,
        initiative=initiative,
        **{k: (v.value if hasattr(v, "value") else v) for k, v in data.items()},
    )
    return Status(201, metric)


@router.get("/metrics/{metric_id}", response={200: MetricOut, **ERRORS}, summary="Get a metric")
def get_metric(request, metric_id: int = Id("The metric's id.")):
    """One metric you may see, with its definition and status."""
    return _metric(request, metric_id)


@router.post(
    "/metrics/{metric_id}/polls",
    response={201: PollRef, **BODY_ERRORS},
    summary="Put adopting or retiring a metric to a vote",
)
def open_metric_poll(request, payload: MetricPollIn, metric_id: int = Id("The metric's id.")):
    """A yes/no poll of the member organizations; when it passes, the metric becomes standard
    (or retired). Team leaders of acting members."""
    poll = services.metric_poll_open(
        actor=request.auth, metric=_metric(request, metric_id), retire=payload.retire
    )
    return Status(
        201, {"id": poll.pk, "title": poll.title, "closes_at": poll.closes_at.isoformat()}
    )


@router.get(
    "/metrics/{metric_id}/series",
    response={200: list[SeriesPoint], **ERRORS},
    summary="List the measurements of a metric you may see",
)
@paginate(Pagination)
def metric_series(request, metric_id: int = Id("The metric's id.")):
    """Oldest first, with the organization's name; only what is shared with you."""
    return selectors.metric_series(person=request.auth, metric=_metric(request, metric_id))


@router.get(
    "/metrics/{metric_id}/totals",
    response={200: list[TotalPoint], **ERRORS},
    summary="Network totals of a metric per period",
)
def metric_totals(request, metric_id: int = Id("The metric's id.")):
    """The last 24 periods with data; sums (or means) of every measurement you may see."""
    metric = _metric(request, metric_id)
    totals = selectors.network_totals(person=request.auth, network=metric.network, metrics=[metric])
    return [{"period": p, "value": v} for p, v in totals.get(metric.pk, [])]


@router.post(
    "/networks/{slug}/measurements",
    response={201: MeasurementOut, **BODY_ERRORS},
    summary="Record one measurement",
)
def record_measurement(request, payload: MeasurementIn, slug: str = NetworkSlug):
    """Recording the same metric, organization, initiative and period again replaces the
    value."""
    network = permissions.get_network_for(request.auth, slug)
    services.measurements_bulk(actor=request.auth, network=network, items=[_item(payload)])
    return Status(201, _find(request.auth, network, payload))


def _item(payload) -> dict:
    data = payload.model_dump()
    if data.get("visibility") is not None:
        data["visibility"] = str(getattr(data["visibility"], "value", data["visibility"]))
    return data


def _find(person, network, payload):
    from . import imports

    parsed = imports.parse_items([_item(payload)], actor=person, network=network)
    m, o, i, p = parsed.rows[0][:4] if parsed.rows else (None,) * 4
    return Measurement.objects.filter(
        metric_id=m, organization_id=o, initiative_id=i, period_start=p
    ).first()


@router.post(
    "/networks/{slug}/measurements/bulk",
    response={200: BulkOut, 422: ValidationErrorOut, **BODY_ERRORS},
    summary="Record many measurements, all or nothing",
)
def bulk_measurements(request, payload: BulkIn, slug: str = NetworkSlug):
    """Up to 10,000 items with the CSV's columns. If any item is invalid nothing is written
    and the answer is 422 with every error: loc ["body", "payload", "items", index, column]."""
    network = permissions.get_network_for(request.auth, slug)
    try:
        created, updated = services.measurements_bulk(
            actor=request.auth, network=network, items=[_item(item) for item in payload.items]
        )
    except services.BulkInvalid as exc:
        return Status(
            422,
            {
                "detail": [
                    {
                        "loc": [
                            "body",
                            "payload",
                            "items",
                            e.line,
                            *([e.column] if e.column else []),
                        ],
                        "msg": e.message,
                        "type": "value_error",
                    }
                    for e in exc.row_errors
                ]
            },
        )
    return {"created": created, "updated": updated}


@router.delete(
    "/measurements/{measurement_id}",
    response={204: None, **ERRORS},
    summary="Delete one of your organization's measurements",
)
def delete_measurement(request, measurement_id: int = Id("The measurement's id.")):
    """Delete a measurement your organization entered; the totals are updated in the same
    transaction."""
    org_id = network_permissions.org_id_of(request.auth)
    measurement = (
        Measurement.objects.select_related("metric__network")
        .filter(pk=measurement_id, organization_id=org_id)
        .first()
    )
    if measurement is None:
        raise Http404("No such measurement")
    services.measurement_delete(actor=request.auth, measurement=measurement)
    return Status(204, None)


@router.get(
    "/initiatives/{initiative_id}/goals",
    response={200: list[GoalOut], **ERRORS},
    summary="List an initiative's goals with their progress",
)
def list_goals(request, initiative_id: int = Id("The initiative's id.")):
    """The initiative's goals with their progress from baseline to target (participants and
    network members who may see the initiative)."""
    return selectors.goal_progress(initiative=_initiative(request, initiative_id))


@router.post(
    "/initiatives/{initiative_id}/goals",
    response={201: GoalOut, **BODY_ERRORS},
    summary="Set a goal (the current leader)",
)
def set_goal(request, payload: GoalIn, initiative_id: int = Id("The initiative's id.")):
    """A goal per metric: setting one for the same metric again changes it."""
    initiative = _initiative(request, initiative_id)
    metric = Metric.objects.filter(pk=payload.metric_id, network=initiative.network).first()
    if metric is None:
        raise ValidationError({"metric_id": "No such metric in this network."})
    goal = services.goal_set(
        actor=request.auth,
        initiative=initiative,
        metric=metric,
        baseline=payload.baseline,
        target=payload.target,
        deadline=payload.deadline,
        note=payload.note,
    )
    rows = selectors.goal_progress(initiative=initiative)
    return Status(201, next(r for r in rows if r["goal_id"] == goal.pk))


@router.delete(
    "/goals/{goal_id}", response={204: None, **ERRORS}, summary="Remove a goal (the leader)"
)
def delete_goal(request, goal_id: int = Id("The goal's id.")):
    """Remove a goal from the joint plan (the initiative's current leader)."""
    goal = (
        Goal.objects.select_related("initiative__network", "metric")
        .filter(
            pk=goal_id,
            initiative__in=initiative_permissions.initiatives_visible_to(request.auth),
        )
        .first()
    )
    if goal is None:
        raise Http404("No such goal")
    services.goal_delete(actor=request.auth, goal=goal)
    return Status(204, None)
