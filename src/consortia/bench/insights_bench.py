"""The insights part of `consortia bench` (`--only insights`): the network health page, the
trust list, one organization's trust evidence and the API at 1,000 organizations.

On top of bench/synthetic.py's network it adds, once (marked by their titles), 20 settled or
open commitments per active member spread over two years (about 19,000) and 3,000 shared items
(partner-addressed and network-wide) so trust, sharing and the histogram have data.
It reports:
- the time to compute the health figures from scratch (what a page pays once after a change),
- query counts on page 1 and a later page, and p50/p95 over HTTP against `consortia serve`
  (the snapshot is reused while nothing changes; see insights/models.py).
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

TARGET_P95_MS = 100.0
TARGET_QUERIES = 12
MARK = "Insights bench"
PER_ORG = 20
ITEMS = 3000


def _add_data(say) -> None:
    from django.db import transaction
    from django.utils import timezone

    from consortia.bench import synthetic
    from consortia.initiatives.models import Commitment, Initiative, Request
    from consortia.networks.models import Network

    main = Network.objects.get(slug=synthetic.SLUG)
    if Commitment.objects.filter(initiative__network=main, title__startswith=MARK).exists():
        return
    say("Adding commitments and shared items for the insights benchmark (once)…")
    started = time.perf_counter()
    rng = random.Random(20261122)
    initiative = Initiative.objects.get(network=main, title=synthetic.INITIATIVE_TITLE)
    orgs = synthetic._active_orgs(main)
    leaders = synthetic._leaders(orgs)
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        requests = []
        for org in orgs:
            for k in range(PER_ORG):
                sender = orgs[(orgs.index(org) + 1 + k) % len(orgs)]
                created = now - timedelta(days=rng.randint(1, 730))
                requests.append(
                    Request(
                        initiative=initiative,
                        from_organization_id=sender,
                        from_person_id=leaders[sender],
                        to_organization_id=org,
                        title=f"{MARK} {org}-{k}",
                        due_on=timezone.localdate(created) + timedelta(days=rng.randint(5, 60)),
                        status=Request.Status.ACCEPTED,
                        created_at=created,
                        answered_at=created + timedelta(hours=rng.randint(1, 200)),
                        answered_by_id=leaders[org],
                    )
                )
        Request.objects.bulk_create(requests, batch_size=synthetic.BATCH)
        commitments = []
        reliability = {org: rng.uniform(0.3, 0.97) for org in orgs}
        for r in Request.objects.filter(initiative=initiative, title__startswith=MARK):
            c = Commitment(
                request=r,
                initiative=initiative,
                owner_organization_id=r.to_organization_id,
                owner_person_id=r.answered_by_id,
                title=r.title,
                due_on=r.due_on,
                created_at=r.answered_at,
            )
            roll = rng.random()
            if r.due_on >= today:
                pass  # open, not yet due
            elif roll < reliability[r.to_organization_id]:
                c.status = Commitment.Status.DELIVERED
                c.delivered_at = c.closed_at = r.answered_at + timedelta(days=rng.randint(1, 50))
            elif roll < 0.98:
                c.status = Commitment.Status.MISSED
                c.closed_at = timezone.make_aware(
                    timezone.datetime.combine(r.due_on, timezone.datetime.min.time())
                ) + timedelta(days=2)
            commitments.append(c)
        Commitment.objects.bulk_create(commitments, batch_size=synthetic.BATCH)
        _add_items(main, orgs, leaders, rng, now)
    say(f"  done in {time.perf_counter() - started:.1f}s")


def _add_items(main, orgs, leaders, rng, now) -> None:
    try:
        from consortia.sharing.models import Item, ItemPartner
    except ImportError:
        return
    from consortia.bench import synthetic

    items = []
    for k in range(ITEMS):
        org = rng.choice(orgs[:200])  # a few hundred share; the rest only read
        items.append(
            Item(
                network=main,
                kind="post",
                organization_id=org,
                author_id=leaders[org],
                title=f"{MARK} post {k}",
                audience="partners" if k % 3 else "network",
                status="published",
                created_at=now - timedelta(days=rng.randint(0, 365)),
            )
        )
    Item.objects.bulk_create(items, batch_size=synthetic.BATCH)
    partners = []
    for item in Item.objects.filter(network=main, title__startswith=MARK, audience="partners"):
        for org in rng.sample(orgs[:200], 3):
            if org != item.organization_id:
                partners.append(ItemPartner(item=item, organization_id=org))
    ItemPartner.objects.bulk_create(partners, batch_size=synthetic.BATCH, ignore_conflicts=True)


def run(args) -> tuple[int, bool]:
    """Measure; returns (exit status, whether every target was met)."""
    from pathlib import Path

    from consortia.bench import run as bench

    say = bench.say

    database_url = bench.open_database(args, say)
    from django.conf import settings
    from django.db import connections

    from consortia.bench import synthetic
    from consortia.initiatives.models import Commitment
    from consortia.insights import selectors
    from consortia.networks.models import Network

    _add_data(say)
    main = Network.objects.get(slug=synthetic.SLUG)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        data = selectors.compute_health(main)
        timings.append(time.perf_counter() - started)
    selectors.refresh(main)
    commitments = Commitment.objects.filter(initiative__network=main).count()
    org_slugs = sorted(o["slug"] for o in data["orgs"].values())
    busiest = max(data["orgs"].values(), key=lambda o: o["settled"])["slug"]
    S = bench.Scenario
    scenarios = [
        S("health page", f"/n/{synthetic.SLUG}/health/", f"/n/{synthetic.SLUG}/health/", "session"),
        S(
            "trust list",
            f"/n/{synthetic.SLUG}/trust/",
            f"/n/{synthetic.SLUG}/trust/?page=15",
            "session",
        ),
        S(
            "trust evidence",
            f"/n/{synthetic.SLUG}/trust/{busiest}/",
            f"/n/{synthetic.SLUG}/trust/{org_slugs[-1]}/",
            "session",
        ),
        S(
            "API health",
            f"/api/v1/networks/{synthetic.SLUG}/health",
            f"/api/v1/networks/{synthetic.SLUG}/health",
            "token",
        ),
        S(
            "API trust",
            f"/api/v1/networks/{synthetic.SLUG}/trust",
            f"/api/v1/networks/{synthetic.SLUG}/trust?offset=500",
            "token",
        ),
    ]
    credentials = bench.sign_in()
    results = [bench.Result(s) for s in scenarios]
    in_process = {}
    try:
        for result in results:
            counts, errors = bench.count_queries(result.scenario, credentials)
            result.queries, result.query_errors = tuple(counts), errors
            in_process[result.scenario.path] = _in_process_ms(result.scenario, credentials)
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
        f"Insights: {data['members']:,} member organizations, {commitments:,} commitments; "
        f"computing the health figures from scratch: best {min(timings) * 1000:.0f} ms, "
        f"worst {max(timings) * 1000:.0f} ms (then kept until the next event)."
    )
    say(table)
    say(
        "In-process cost of one request (best of 5, no HTTP, no concurrency): "
        + ", ".join(f"{path} {ms:.1f} ms" for path, ms in in_process.items())
    )
    return 0, all_met and not any_failed


def _in_process_ms(scenario, credentials, repeat: int = 5) -> float:
    """The app's own time for one request (Django's test client), to read the HTTP figures
    against on a busy machine."""
    from django.conf import settings
    from django.test import Client

    client = Client(raise_request_exception=False)
    if scenario.auth == "token":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {credentials.raw_token}"
    else:
        client.cookies[settings.SESSION_COOKIE_NAME] = credentials.session_key
    client.get(scenario.path)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(scenario.path)
        best = min(best, time.perf_counter() - started)
    return best * 1000
