"""For operators: liveness, readiness, Prometheus metrics, the worker's heartbeat, JSON logs.

Metrics and multiple processes. gunicorn runs several worker processes, each with its own
counters, so `consortia serve` uses prometheus_client's multiprocess mode: it points
PROMETHEUS_MULTIPROC_DIR at an empty folder before forking, every process writes its samples
there, a stopped process is marked dead (gunicorn's child_exit hook), and /metrics aggregates
the folder. Figures that live in the database (queue lengths, webhook deliveries and failures,
the worker's lag) are read from it at scrape time, so every app process reports the same values
and the worker process needs no metrics endpoint of its own.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Min
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .models import Attempt, Message, WorkerHeartbeat
from .permissions import delivering_ids

log = logging.getLogger(__name__)

REQUESTS = Counter(
    "consortia_http_requests_total",
    "HTTP requests answered, by view and status code.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "consortia_http_request_duration_seconds",
    "Time to answer an HTTP request, by view.",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


# The worker's heartbeat --------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def record_heartbeat(now=None) -> int:
    """A worker job: say this worker is alive (one upsert), forget workers gone for a day."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(name=worker_name(), defaults={"seen_at": now})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timezone.timedelta(days=1)).delete()
    return 0  # nothing to report on the worker's console


def last_heartbeat():
    return WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()


# Health ------------------------------------------------------------------------------------

_migrations_ok = False


def _migrations_applied() -> bool:
    """Cached once true: migrations are not un-applied under a running process."""
    global _migrations_ok
    if not _migrations_ok:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        _migrations_ok = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrations_ok


@never_cache
@require_GET
def healthz(request):
    """The process is up and answers (no database access)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Ready for traffic: the database answers, migrations are applied, a worker was seen in
    the last WORKER_HEARTBEAT_MAX_AGE_SECONDS. 503 with the failing checks otherwise."""
    checks: dict[str, dict] = {}
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
    except Exception as exc:
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    if checks["database"]["ok"]:
        try:
            applied = _migrations_applied()
            checks["migrations"] = {"ok": applied}
            if not applied:
                checks["migrations"]["error"] = "unapplied migrations: run `consortia migrate`"
        except Exception as exc:
            checks["migrations"] = {"ok": False, "error": type(exc).__name__}
        seen = last_heartbeat()
        max_age = settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS
        age = (timezone.now() - seen).total_seconds() if seen else None
        checks["worker"] = {"ok": age is not None and age <= max_age, "last_seen_seconds": age}
        if not checks["worker"]["ok"]:
            checks["worker"]["error"] = (
                "no `consortia worker` seen yet"
                if seen is None
                else f"no `consortia worker` seen for {int(age)} s"
            )
    else:
        checks["migrations"] = {"ok": False, "error": "database unreachable"}
        checks["worker"] = {"ok": False, "error": "database unreachable"}
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


# Metrics -----------------------------------------------------------------------------------


class DatabaseCollector:
    """Figures read from the database at scrape time (the same for every app process)."""

    def collect(self):
        from consortia.core.models import OutboundEmail

        now = timezone.now()
        queue = GaugeMetricFamily(
            "consortia_queue_length", "Items waiting in a queue.", labels=["queue"]
        )
        emails = OutboundEmail.objects.filter(sent_at__isnull=True, attempts__lt=5).count()
        pending = Message.objects.filter(status=Message.Status.PENDING)
        # A paused endpoint's messages wait for a resume, not for the worker: not "due".
        held = pending.exclude(endpoint_id__in=delivering_ids())
        due = pending.filter(next_attempt_at__lte=now, endpoint_id__in=delivering_ids())
        queue.add_metric(["email"], emails)
        queue.add_metric(["webhook"], pending.count())
        queue.add_metric(["webhook_due"], due.count())
        queue.add_metric(["webhook_held"], held.count())
        yield queue

        attempts = CounterMetricFamily(
            "consortia_webhook_attempts",
            "Webhook delivery attempts by outcome (succeeded, failed, refused, not_visible, "
            "disabled); failures are the ones not succeeded.",
            labels=["outcome"],
        )
        counts = dict(
            Attempt.objects.values_list("outcome")
            .annotate(n=Count("id"))
            .values_list("outcome", "n")
        )
        for outcome in Attempt.Outcome.values:
            attempts.add_metric([outcome], counts.get(outcome, 0))
        yield attempts

        lag = GaugeMetricFamily(
            "consortia_worker_lag_seconds",
            "How late the worker is: seconds since its last heartbeat (heartbeat), and how long "
            "the oldest due webhook or email has been waiting (webhook, email).",
            labels=["what"],
        )
        seen = last_heartbeat()
        lag.add_metric(["heartbeat"], (now - seen).total_seconds() if seen else float("inf"))
        oldest_due = due.aggregate(at=Min("next_attempt_at"))["at"]
        lag.add_metric(
            ["webhook"], max(0.0, (now - oldest_due).total_seconds()) if oldest_due else 0
        )
        oldest_email = OutboundEmail.objects.filter(sent_at__isnull=True, attempts__lt=5).aggregate(
            at=Min("created_at")
        )["at"]
        lag.add_metric(
            ["email"], max(0.0, (now - oldest_email).total_seconds()) if oldest_email else 0
        )
        yield lag


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def metrics_allowed(request) -> bool:
    """A bearer token (METRICS_TOKEN) or a client address in METRICS_ALLOWED_IPS."""
    token = settings.METRICS_TOKEN
    if token:
        import hmac

        given = request.headers.get("Authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(
            given[len("Bearer ") :].encode(), token.encode()
        ):
            return True
    address = request.META.get("REMOTE_ADDR", "")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.METRICS_ALLOWED_IPS)


@never_cache
@require_GET
def metrics(request):
    if not metrics_allowed(request):
        # The same answer as a missing page: scanners learn nothing.
        return HttpResponse("Not found.\n", status=404, content_type="text/plain")
    registry = _registry()
    output = generate_latest(registry) + generate_latest(_database_registry())
    return HttpResponse(output, content_type=CONTENT_TYPE_LATEST)


_db_registry = None


def _database_registry():
    global _db_registry
    if _db_registry is None:
        _db_registry = CollectorRegistry()
        _db_registry.register(DatabaseCollector())
    return _db_registry


class MetricsMiddleware:
    """Counts every request by view and status and times it (no database access)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name or match._func_path) if match else "unmatched"
        try:
            REQUESTS.labels(view, request.method, str(response.status_code)).inc()
            LATENCY.labels(view).observe(time.perf_counter() - started)
        except Exception:  # metrics must never break a page
            log.debug("metrics not recorded", exc_info=True)
        return response


def mark_process_dead(pid: int) -> None:
    """gunicorn's child_exit hook in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
