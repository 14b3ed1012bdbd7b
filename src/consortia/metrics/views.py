"""The web pages of standard metrics: dashboard, metric detail, entry, CSV import, goals.

parse → permissions.py → services.py/selectors.py → render. The dashboard reads pre-aggregated
rollups: its queries do not grow with the number of measurements or organizations.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from consortia.core import flows, htmx
from consortia.initiatives import permissions as initiative_permissions
from consortia.initiatives.models import Initiative, Participation
from consortia.networks import permissions as network_permissions
from consortia.networks.pages import network_page_context

from . import charts, forms, permissions, selectors, services
from .models import ImportJob, Metric

DASHBOARD_PERIODS = 12


def _my_initiatives(person, network):
    org_id = network_permissions.org_id_of(person)
    return Initiative.objects.filter(
        network=network,
        participations__organization_id=org_id,
        participations__status=Participation.Status.ACTIVE,
    ).order_by("title")


def _recordable(person, network):
    return (
        permissions.metrics_visible_to(person, network)
        .exclude(status=Metric.Status.RETIRED)
        .order_by("name")
    )


@login_required
def dashboard(request, slug):
    network = permissions.get_network_for(request.user, slug)
    metrics = selectors.catalog(person=request.user, network=network)
    shown = [m for m in metrics if m.status != Metric.Status.RETIRED]
    totals = selectors.network_totals(person=request.user, network=network, metrics=shown)
    cards = []
    for metric in shown:
        points = totals.get(metric.pk, [])
        latest = points[-1] if points else None
        cards.append(
            {
                "metric": metric,
                "chart": charts.line_chart(
                    [{"label": "", "points": points[-DASHBOARD_PERIODS:]}],
                    unit=metric.unit,
                    title=f"{metric.name}: network total, last {DASHBOARD_PERIODS} periods",
                    compact=True,
                ),
                "latest": latest,
            }
        )
    context = network_page_context(
        request,
        network,
        "metrics",
        cards=cards,
        retired=[m for m in metrics if m.status == Metric.Status.RETIRED],
    )
    return render(request, "metrics/dashboard.html", context)


@login_required
@flows.require_GET_or_POST
def metric_new(request, slug):
    network = permissions.get_network_for(request.user, slug)
    initiatives = _my_initiatives(request.user, network)
    form = forms.MetricForm(flows.posted(request), initiatives=initiatives)
    if response := flows.submit(
        request,
        form,
        lambda data: services.metric_create(actor=request.user, network=network, **data),
        success=lambda metric: f"“{metric.name}” is in the catalog.",
        redirect_to=lambda metric: reverse("metric_detail", args=[slug, metric.pk]),
    ):
        return response
    context = network_page_context(request, network, "metrics", form=form)
    return render(request, "metrics/metric_form.html", context, status=flows.form_status(form))


@login_required
def metric_detail(request, slug, pk):
    network = permissions.get_network_for(request.user, slug)
    metric = permissions.get_metric_for(request.user, network, pk)
    totals = selectors.network_totals(person=request.user, network=network, metrics=[metric])
    mine = selectors.own_measurements(person=request.user, metric=metric)
    own = sorted((m.period_start, m.value) for m in mine if m.initiative_id is None)
    lines = [{"label": "Network (what you may see)", "points": totals.get(metric.pk, [])}]
    if own:
        lines.append({"label": str(request.user.organization), "points": own})
    # The latest period with visible data is the last one of the totals (no extra query).
    shown = totals.get(metric.pk)
    compared = (
        selectors.comparison(person=request.user, metric=metric, period=shown[-1][0])
        if shown
        else {"period": None, "rows": [], "more": False}
    )
    poll = services.open_status_poll(metric) if metric.scope == Metric.Scope.NETWORK else None
    form = forms.MeasurementForm(
        metrics=_recordable(request.user, network),
        initiatives=_my_initiatives(request.user, network),
        initial={"metric": metric.pk, "visibility": _default_visibility(metric)},
    )
    context = network_page_context(
        request,
        network,
        "metrics",
        metric=metric,
        chart=charts.line_chart(lines, unit=metric.unit, title=f"{metric.name} over time"),
        comparison=compared,
        bars=charts.bar_chart(compared["rows"], unit=metric.unit),
        poll=poll,
        form=form,
        mine=mine,
    )
    return render(request, "metrics/metric_detail.html", context)


def _default_visibility(metric):
    return {
        Metric.Scope.NETWORK: "network",
        Metric.Scope.ORGANIZATION: "organization",
        Metric.Scope.INITIATIVE: "initiative",
    }[metric.scope]


@login_required
@require_POST
def metric_poll(request, slug, pk):
    network = permissions.get_network_for(request.user, slug)
    metric = permissions.get_metric_for(request.user, network, pk)
    retire = request.POST.get("retire") == "1"
    opened, poll = flows.act(
        request,
        lambda: services.metric_poll_open(actor=request.user, metric=metric, retire=retire),
        success="The poll is open: team leaders and delegates vote.",
    )
    if not opened:
        return htmx.redirect(request, reverse("metric_detail", args=[slug, pk]))
    return htmx.redirect(request, reverse("poll_detail", args=[slug, poll.pk]))


@login_required
@flows.require_GET_or_POST
def measurement_new(request, slug):
    network = permissions.get_network_for(request.user, slug)
    metrics = _recordable(request.user, network)
    initiatives = _my_initiatives(request.user, network)
    form = forms.MeasurementForm(
        flows.posted(request),
        metrics=metrics,
        initiatives=initiatives,
        initial={"metric": request.GET.get("metric")},
    )
    if response := flows.submit(
        request,
        form,
        lambda data: services.measurement_record(
            actor=request.user,
            metric=data["metric"],
            period=data["period"],
            value=data["value"],
            initiative=data["initiative"],
            visibility=data["visibility"],
        ),
        success=lambda measurement: (
            f"Recorded {measurement.value.normalize():f} {measurement.metric.unit} "
            f"for {measurement.period_start:%b %Y}."
        ),
        redirect_to=lambda measurement: reverse(
            "metric_detail", args=[slug, measurement.metric_id]
        ),
    ):
        return response
    context = network_page_context(request, network, "metrics", form=form)
    return render(request, "metrics/measurement_form.html", context, status=flows.form_status(form))


EXAMPLE_PERIOD = {"weekly": "2026-W03", "monthly": "2026-01", "quarterly": "2026-Q1"}


def _import_example(person, network) -> dict:
    """The format's example row uses one of the network's real metrics, with its period."""
    catalog = selectors.catalog(person=person, network=network)
    metrics = [m for m in catalog if m.status != "retired"]
    if not metrics:
        return {"metric": "Deliveries", "period": "2026-01", "value": "120"}
    metric = metrics[0]
    return {"metric": metric.name, "period": EXAMPLE_PERIOD.get(metric.cadence, "2026-01"),
            "value": "120", "unit": metric.unit}  # fmt: skip


@login_required
@flows.require_GET_or_POST
def measurement_import(request, slug):
    """Upload → validate the whole file → preview (or every error with line and column) →
    confirm → import in chunks with a progress bar."""
    network = permissions.get_network_for(request.user, slug)
    parsed = job = None
    if request.method == "POST":
        network_permissions.require_acting_member(request.user, network)
        form = forms.UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            from . import imports

            parsed = imports.parse_csv(upload.file, actor=request.user, network=network)
            if parsed.ok:
                job = services.import_job_create(
                    actor=request.user, network=network, parsed=parsed, filename=upload.name
                )
            else:
                form.add_error("file", "The file has errors: nothing was imported.")
    else:
        form = forms.UploadForm()
    context = network_page_context(
        request,
        network,
        "metrics",
        form=form,
        parsed=parsed,
        job=job,
        columns=("metric", "organization", "period", "value", "initiative", "visibility"),
        own_slug=getattr(request.user.organization, "slug", "your-organization"),
        example=_import_example(request.user, network),
    )
    return render(request, "metrics/import.html", context, status=flows.form_status(form))


def _job_for(request, network, pk) -> ImportJob:
    job = ImportJob.objects.filter(
        pk=pk, network=network, organization_id=network_permissions.org_id_of(request.user)
    ).first()
    if job is None:
        raise Http404("No such import")
    return job


@login_required
@flows.require_GET_or_POST
def import_job(request, slug, pk):
    """GET: the job's progress. POST: import the next chunk (HTMX polls this until done)."""
    network = permissions.get_network_for(request.user, slug)
    job = _job_for(request, network, pk)
    if request.method == "POST":
        network_permissions.require_acting_member(request.user, network)
        if request.POST.get("cancel") == "1" and job.status == ImportJob.Status.READY:
            ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
                status=ImportJob.Status.CANCELLED, content=""
            )
            messages.info(request, "The import was cancelled; nothing was imported.")
            return htmx.redirect(request, reverse("measurement_import", args=[slug]))
        job = services.import_job_step(job=job, actor=request.user)
        if not htmx.is_htmx(request):
            return htmx.redirect(request, reverse("import_job", args=[slug, job.pk]))
    context = network_page_context(request, network, "metrics", job=job)
    return htmx.page_or_fragment(request, "metrics/import_job.html", "progress", context)


@login_required
@require_POST
def measurement_delete(request, slug, pk):
    network = permissions.get_network_for(request.user, slug)
    measurement = (
        permissions.measurements_visible_to(request.user, network)
        .select_related("metric__network")
        .filter(pk=pk)
        .first()
    )
    if measurement is None:
        raise Http404("No such measurement")
    services.measurement_delete(actor=request.user, measurement=measurement)
    messages.success(request, "The value was deleted.")
    return htmx.redirect(request, reverse("metric_detail", args=[slug, measurement.metric_id]))


# Goals --------------------------------------------------------------------------------------


@login_required
@flows.require_GET_or_POST
def goals(request, slug, pk):
    initiative_permissions.get_network_for(request.user, slug)
    initiative = initiative_permissions.get_initiative_for(request.user, pk, slug=slug)
    network = initiative.network
    is_leader = initiative_permissions.is_leader(request.user, initiative)
    metrics = Metric.objects.filter(
        Q(scope=Metric.Scope.NETWORK) & ~Q(status=Metric.Status.RETIRED)
        | Q(owner_initiative=initiative),
        network=network,
    ).order_by("name")
    form = None
    if request.method == "POST":
        form = forms.GoalForm(request.POST, metrics=metrics)
        if response := flows.submit(
            request,
            form,
            lambda data: services.goal_set(actor=request.user, initiative=initiative, **data),
            success="The goal is in the joint plan.",
            redirect_to=reverse("initiative_goals", args=[slug, pk]),
        ):
            return response
    elif is_leader:
        form = forms.GoalForm(metrics=metrics)
    progress = selectors.goal_progress(initiative=initiative)
    series = selectors.goal_series(initiative=initiative)
    for goal in progress:
        goal["percent"] = None if goal["progress"] is None else round(goal["progress"] * 100)
        goal["chart"] = charts.line_chart(
            [{"label": "", "points": series.get(goal["goal_id"], [])}],
            unit=goal["unit"],
            target=goal["target"],
            title=f"{goal['metric']} towards the target",
        )
    context = network_page_context(
        request,
        network,
        "initiatives",
        initiative=initiative,
        goals=progress,
        form=form,
        is_leader=is_leader,
        leader=initiative_permissions.current_term(initiative),
    )
    return render(request, "metrics/goals.html", context, status=flows.form_status(form))


@login_required
@require_POST
def goal_delete(request, slug, pk, goal_pk):
    initiative_permissions.get_network_for(request.user, slug)
    initiative = initiative_permissions.get_initiative_for(request.user, pk, slug=slug)
    goal = selectors.goals_of(initiative).filter(pk=goal_pk).first()
    if goal is None:
        raise Http404("No such goal")
    services.goal_delete(actor=request.user, goal=goal)
    messages.success(request, "The goal was removed.")
    return htmx.redirect(request, reverse("initiative_goals", args=[slug, pk]))
