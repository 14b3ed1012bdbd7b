"""The metrics part of `consortia bench` (`--only metrics`): importing 1,000,000 measurements
from CSV, then the metric dashboard, a metric page, the ledger balance and the API totals at
1,000 organizations and 1,000,000 measurements.

On top of bench/synthetic.py's network it adds, once, 20 standard monthly metrics and a year of
ledger entries. Every run writes a CSV file of ROWS measurements (20 metrics x every active
member x enough months; 10 % shared with the own organization only) to the var directory,
deletes the previous run's measurements, and times `validate the whole file` and `write it`
(services.write_rows: batched INSERTs and the rollups, in one transaction) — what
`consortia import-measurements FILE --any-organization` does. Then it measures query counts
and p50/p95 over HTTP with 8 client threads against `consortia serve`.
"""

from __future__ import annotations

import math
import random
import time
from datetime import timedelta
from decimal import Decimal

TARGET_P95_MS = 100.0
TARGET_QUERIES = 15
TARGET_IMPORT_S = {"sqlite": 60.0, "postgresql": 30.0}
MARK = "Bench metric"
METRICS = 20
ROWS = 1_000_000


def _add_catalog(say) -> list:
    from django.db import transaction
    from django.utils import timezone

    from consortia.bench import synthetic
    from consortia.ledger.models import LedgerEntry
    from consortia.metrics.models import Metric
    from consortia.networks.models import Network

    main = Network.objects.get(slug=synthetic.SLUG)
    existing = list(Metric.objects.filter(network=main, name__startswith=MARK).order_by("pk"))
    if len(existing) == METRICS:
        return existing
    say("Adding the metric catalog and ledger entries for the metrics benchmark (once)…")
    rng = random.Random(20261122)
    orgs = synthetic._active_orgs(main)
    today = timezone.localdate()
    with transaction.atomic():
        Metric.objects.bulk_create(
            Metric(
                network=main,
                name=f"{MARK} {k:02d}",
                unit="units",
                aggregation=("sum", "mean", "last")[k % 3],
                direction="higher" if k % 4 else "lower",
                status="standard",
            )
            for k in range(METRICS)
        )
        LedgerEntry.objects.bulk_create(
            (
                LedgerEntry(
                    network=main,
                    organization_id=org,
                    direction="investment" if k % 2 else "return",
                    kind="money",
                    amount=Decimal(rng.randint(100, 100_000)),
                    value=Decimal(rng.randint(100, 100_000)),
                    currency="EUR",
                    date=today - timedelta(days=rng.randint(0, 700)),
                )
                for org in orgs
                for k in range(6)
            ),
            batch_size=synthetic.BATCH,
        )
    return list(Metric.objects.filter(network=main, name__startswith=MARK).order_by("pk"))


def _write_csv(path, metrics, orgs: list[str], rows: int) -> int:
    months = math.ceil(rows / (len(metrics) * len(orgs)))
    rng = random.Random(7)
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("metric,organization,period,value,visibility\n")
        for m in range(months):
            period = f"{2026 - months // 12 - 1 + (m // 12)}-{m % 12 + 1:02d}"
            for metric in metrics:
                for slug in orgs:
                    if written >= rows:
                        return written
                    vis = "organization" if rng.random() < 0.1 else "network"
                    f.write(f"{metric.name},{slug},{period},{rng.randint(0, 99999)}.5,{vis}\n")
                    written += 1
    return written


def _import(path, metrics, say) -> tuple[float, float, int, float]:
    from django.db import connection, transaction

    from consortia.bench import synthetic
    from consortia.metrics import imports, services
    from consortia.metrics.models import Measurement, MeasurementRollup
    from consortia.networks.models import Network

    main = Network.objects.get(slug=synthetic.SLUG)
    with transaction.atomic():
        MeasurementRollup.objects.filter(metric__in=metrics).delete()
        Measurement.objects.filter(metric__in=metrics).delete()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:  # VACUUM cannot run in a transaction (tests)
            cursor.execute("VACUUM ANALYZE metrics_measurement")
    started, cpu = time.perf_counter(), time.process_time()
    with open(path, "rb") as stream:
        parsed = imports.parse_csv(stream, actor=None, network=main, any_organization=True)
    validated = time.perf_counter() - started
    if parsed.errors:
        raise RuntimeError(f"the benchmark file is invalid: {parsed.errors[0]}")
    created, _ = services.write_rows(parsed.rows)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE metrics_measurement")
            cursor.execute("ANALYZE metrics_measurementrollup")
    return validated, total, created, cpu


def run(args) -> tuple[int, bool]:
    """Measure; returns (exit status, whether every target was met)."""
    from pathlib import Path

    from consortia.bench import run as bench

    say, marks = bench.say, bench.marks()

    database_url = bench.open_database(args, say)
    from django.conf import settings
    from django.db import connection, connections

    from consortia.bench import synthetic
    from consortia.metrics.models import Measurement
    from consortia.networks.models import Network, Organization

    metrics = _add_catalog(say)
    main = Network.objects.get(slug=synthetic.SLUG)
    slugs = list(
        Organization.objects.filter(pk__in=synthetic._active_orgs(main))
        .order_by("slug")
        .values_list("slug", flat=True)
    )
    rows = getattr(args, "measurements", ROWS)
    path = Path(settings.VAR_DIR) / "bench-measurements.csv"
    written = _write_csv(path, metrics, slugs, rows)
    say(f"Importing {written:,} measurements from {path} ({path.stat().st_size >> 20} MB)…")
    validated, total, created, cpu = _import(path, metrics, say)
    vendor = connection.vendor
    import_target = TARGET_IMPORT_S.get(vendor, 60.0)
    import_met = total <= import_target
    good, bad = marks
    say(
        f"  validated in {validated:.1f} s, written with rollups in {total - validated:.1f} s: "
        f"{total:.1f} s for {created:,} rows ({created / total:,.0f} rows/s; {cpu:.1f} s of "
        f"CPU in this process, the rest is waiting for the disk or other processes) "
        f"{good if import_met else bad} target ≤ {import_target:g} s on {vendor}"
    )
    measurements = Measurement.objects.filter(metric__network=main).count()
    first, last = metrics[0].pk, metrics[-1].pk
    S = bench.Scenario
    base = f"/n/{synthetic.SLUG}"
    scenarios = [
        S("metric dashboard", f"{base}/metrics/", f"{base}/metrics/", "session"),
        S("metric page", f"{base}/metrics/{first}/", f"{base}/metrics/{last}/", "session"),
        S("ledger balance", f"{base}/ledger/", f"{base}/ledger/?window=all", "session"),
        S(
            "API metric totals",
            f"/api/v1/metrics/{first}/totals",
            f"/api/v1/metrics/{last}/totals",
            "token",
        ),
    ]
    credentials = bench.sign_in()
    results = [bench.Result(s) for s in scenarios]
    try:
        for result in results:
            counts, errors = bench.count_queries(result.scenario, credentials)
            result.queries, result.query_errors = tuple(counts), errors
        connections.close_all()
        log_path = Path(settings.VAR_DIR) / "bench-server.log"
        with bench.Server(
            database_url=database_url,
            workers=args.workers,
            threads=args.threads,
            log_path=log_path,
        ) as server:
            for result in results:
                paths = [result.scenario.path, result.scenario.later]
                headers = credentials.headers(result.scenario)
                bench.hammer(server.port, paths, headers, args.warmup, args.concurrency, None)
                result.seconds = bench.hammer(
                    server.port, paths, headers, args.requests, args.concurrency, result
                )
    finally:
        bench.sign_out(credentials)
    saved = bench.TARGET_P95_MS, bench.TARGET_QUERIES
    bench.TARGET_P95_MS, bench.TARGET_QUERIES = TARGET_P95_MS, TARGET_QUERIES
    try:
        table, all_met, any_failed = bench.report(results)
    finally:
        bench.TARGET_P95_MS, bench.TARGET_QUERIES = saved
    say("")
    say(
        f"Metrics: {len(slugs):,} member organizations, {len(metrics)} metrics, "
        f"{measurements:,} measurements; {args.concurrency} client threads."
    )
    say(table)
    return 0, import_met and all_met and not any_failed
