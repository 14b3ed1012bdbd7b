"""`consortia bench --only sharing`: the feed, search and the challenge list at 200,000 items.

On top of run.py's synthetic network (1,000 organizations), this adds SHARING_BENCH_ITEMS
(default 200,000) challenges, posts and documents with mixed audiences (network, named
partners, an initiative's participants, own organization) and levels (open, confidential under
the network NDA that about half the organizations accepted, restricted to named people), some
comments, and their search index rows — with bulk inserts, seeded, once (later runs reuse them).

A second, small network ("bench-small", 100 organizations, SMALL_ITEMS items) holds the same
mix: each scenario counts its queries on the big network and on the small one, so a flat count
shows the work per page does not grow with the number of items. Latency: run.py's real server
and 8 client threads, as for the other pages. The feed is measured with `since=` (reading
only: the first look at the page also records the visit, one small UPDATE).
"""

from __future__ import annotations

import os
import random
import time
from datetime import timedelta

SMALL_SLUG = "bench-small"
SMALL_ITEMS = 2_000
DEFAULT_ITEMS = 200_000
BATCH = 5_000
MARK = "[sharing bench]"
WORDS = (  # noqa: SIM905
    "supply chain castings aluminium forecast capacity robotics sensor calibration polymer "
    "logistics pallet warehouse tooling quality audit supplier energy hydrogen recycling "
    "composite machining coating textile analytics dashboard pilot prototype certification "
    "regulation export customs lead time shortage demand inventory training apprentices "
    "safety maintenance downtime digital twin traceability packaging sustainability carbon "
    "water"
).split()
COMMON_WORD = "supply"  # in about one item in six
RARE_WORD = "zeolite"  # in about one item in 500


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _items_wanted() -> int:
    try:
        return max(1, int(os.environ.get("SHARING_BENCH_ITEMS", DEFAULT_ITEMS)))
    except ValueError:
        return DEFAULT_ITEMS


def scenarios(run):
    """(big, small) pairs: the same page on both networks."""
    big, small = run.SLUG, SMALL_SLUG

    def pair(name, template, auth="session"):
        return run.Scenario(name, template.format(slug=big), template.format(slug=small), auth)

    return [
        pair("feed page", "/n/{slug}/feed/?since=0"),
        pair("feed API", "/api/v1/networks/{slug}/feed", "token"),
        pair("search page (common word)", f"/n/{{slug}}/search/?q={COMMON_WORD}"),
        pair("search page (rare word)", f"/n/{{slug}}/search/?q={RARE_WORD}"),
        pair("search API", f"/api/v1/networks/{{slug}}/search?q={COMMON_WORD}+pilot", "token"),
        pair("challenge list", "/n/{slug}/challenges/"),
    ]


# Data ------------------------------------------------------------------------------------------


def _people_by_org(org_ids) -> dict[int, list[int]]:
    from consortia.networks.models import OrgMembership

    people: dict[int, list[int]] = {}
    for org_id, person_id in (
        OrgMembership.objects.filter(organization_id__in=org_ids)
        .order_by("organization_id", "person_id")
        .values_list("organization_id", "person_id")
    ):
        people.setdefault(org_id, []).append(person_id)
    return people


def _small_network(viewer_org_id, rng):
    """A second network of 100 active organizations, the viewer's among them."""
    from django.utils import timezone

    from consortia.networks.models import (
        Agreement,
        AgreementAcceptance,
        Network,
        NetworkMembership,
    )

    network = Network.objects.filter(slug=SMALL_SLUG).first()
    if network is not None:
        return network
    main = Network.objects.get(slug="bench")
    org_ids = list(
        NetworkMembership.objects.filter(network=main, status="active")
        .exclude(organization_id=viewer_org_id)
        .order_by("organization_id")
        .values_list("organization_id", flat=True)[:99]
    )
    org_ids.insert(0, viewer_org_id)
    now = timezone.now()
    network = Network.objects.create(
        name="Benchmark pilot network",
        slug=SMALL_SLUG,
        description=f"Synthetic benchmark data {MARK}: the small network.",
        approvals_required=1,
    )
    charter = Agreement.objects.create(
        network=network, kind="charter", version=1, title="Charter", text="We partner."
    )
    NetworkMembership.objects.bulk_create(
        NetworkMembership(
            network=network, organization_id=pk, status="active", joined_at=now - timedelta(days=90)
        )
        for pk in org_ids
    )
    AgreementAcceptance.objects.bulk_create(
        AgreementAcceptance(agreement=charter, organization_id=pk) for pk in org_ids
    )
    return network


def _nda(network, org_ids, viewer_org_id, rng):
    """The network NDA, accepted by about half the organizations (and the viewer's)."""
    from consortia.networks.models import Agreement, AgreementAcceptance

    if Agreement.objects.filter(network=network, kind="nda").exists():
        return
    nda = Agreement.objects.create(
        network=network, kind="nda", version=1, title="Network NDA", text="We keep secrets."
    )
    accepting = {pk for pk in org_ids if rng.random() < 0.5} | {viewer_org_id}
    AgreementAcceptance.objects.bulk_create(
        AgreementAcceptance(agreement=nda, organization_id=pk) for pk in accepting
    )


def _fill(network, count, viewer, rng, say) -> None:
    """`count` items with mixed audiences and levels in `network`, indexed for search."""
    from django.db import transaction
    from django.utils import timezone

    from consortia.initiatives.models import Initiative, Participation
    from consortia.networks.models import NetworkMembership
    from consortia.sharing import search
    from consortia.sharing.models import Comment, Item, ItemPartner, ItemReader

    org_ids = list(
        NetworkMembership.objects.filter(network=network, status="active")
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
    )
    viewer_org = viewer.org_membership.organization_id
    _nda(network, org_ids, viewer_org, rng)
    people = _people_by_org(org_ids)
    initiatives = {
        pk: set(
            Participation.objects.filter(initiative_id=pk, status="active").values_list(
                "organization_id", flat=True
            )
        )
        for pk in Initiative.objects.filter(network=network).values_list("pk", flat=True)
    }
    now = timezone.now()
    start = now - timedelta(days=365)
    made = Item.objects.filter(network=network).count()
    while made < count:
        size = min(BATCH, count - made)
        rows, partners, readers = [], [], []
        for _ in range(size):
            org = rng.choice(org_ids)
            kind = rng.choices(("challenge", "post", "document"), (4, 4, 2))[0]
            audience = rng.choices(
                ("network", "partners", "initiative", "organization"), (4, 3, 1, 2)
            )[0]
            initiative = None
            if audience == "initiative":
                options = [pk for pk, orgs in initiatives.items() if org in orgs]
                if options:
                    initiative = rng.choice(options)
                else:
                    audience = "network"
            level = rng.choices(("open", "confidential", "restricted"), (6, 3, 1))[0]
            created = start + timedelta(seconds=rng.randrange(365 * 86400))
            title = _sentence(rng, rng.randint(3, 7)).capitalize()
            body = _sentence(rng, rng.randint(20, 60))
            if rng.random() < 0.002:
                body += f" {RARE_WORD}"
            rows.append(
                Item(
                    network=network,
                    kind=kind,
                    organization_id=org,
                    author_id=people[org][0],
                    title=title,
                    body=body,
                    body_html=f"<p>{body}</p>",
                    audience=audience,
                    initiative_id=initiative,
                    level=level,
                    status="open" if kind == "challenge" else "published",
                    created_at=created,
                    updated_at=created + timedelta(hours=rng.randrange(0, 24 * 30)),
                )
            )
        with transaction.atomic():
            items = Item.objects.bulk_create(rows)
            comments = []
            for item in items:
                if item.audience == "partners":
                    chosen = set(rng.sample(org_ids, 3)) - {item.organization_id}
                    if rng.random() < 0.3:
                        chosen.add(viewer_org)  # the viewer is named on some
                    chosen.discard(item.organization_id)
                    partners += [ItemPartner(item=item, organization_id=pk) for pk in chosen]
                if item.level == "restricted":
                    org = rng.choice(org_ids)
                    readers.append(ItemReader(item=item, person_id=rng.choice(people[org])))
                    if rng.random() < 0.2 and item.organization_id != viewer_org:
                        readers.append(ItemReader(item=item, person_id=viewer.pk))
                if rng.random() < 0.1:
                    comments.append(
                        Comment(
                            item=item,
                            author_id=item.author_id,
                            organization_id=item.organization_id,
                            body=_sentence(rng, 12),
                            body_html="",
                            created_at=item.updated_at,
                        )
                    )
            ItemPartner.objects.bulk_create(partners, ignore_conflicts=True)
            ItemReader.objects.bulk_create(readers, ignore_conflicts=True)
            Comment.objects.bulk_create(comments)
            text = {c.item_id: c.body for c in comments}
            search.index_rows(
                (item.pk, network.pk, item.title, item.body, text.get(item.pk, ""), "")
                for item in items
            )
        partners, readers = [], []
        made += size
        say(f"  {made:,} / {count:,} items in {network.slug}")


def prepare(viewer, say) -> tuple[int, int]:
    """Make sure both networks hold their items; returns (big, small) item counts."""
    from consortia.networks.models import Network
    from consortia.sharing import search
    from consortia.sharing.models import Item

    rng = random.Random(20261122)
    main = Network.objects.get(slug="bench")
    if not Item.objects.filter(network=main).exists():
        from django.db import connection

        with connection.cursor() as cursor:  # a regenerated base: drop stale index rows
            cursor.execute(f"DELETE FROM {search.TABLE}")  # noqa: S608
    small = _small_network(viewer.org_membership.organization_id, rng)
    wanted = _items_wanted()
    started = time.perf_counter()
    have = Item.objects.filter(network=main).count()
    if have < wanted:
        say(f"Generating {wanted - have:,} shared items (once; later runs reuse them)…")
    _fill(main, wanted, viewer, rng, say)
    _fill(small, SMALL_ITEMS, viewer, rng, say)
    if have < wanted:
        from django.db import connection

        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would gather
            cursor.execute("ANALYZE")
        say(f"  done in {time.perf_counter() - started:.1f}s")
    return Item.objects.filter(network=main).count(), Item.objects.filter(network=small).count()


# Run -------------------------------------------------------------------------------------------


def _alone_ms(scenario, credentials, repeat: int = 15) -> tuple[float, float]:
    """Median milliseconds of one request at a time (no concurrency), big and small network:
    what a page costs by itself, apart from queueing on a busy machine."""
    from django.conf import settings
    from django.test import Client

    client = Client(raise_request_exception=False)
    if scenario.auth == "token":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {credentials.raw_token}"
    else:
        client.cookies[settings.SESSION_COOKIE_NAME] = credentials.session_key
    medians = []
    for path in (scenario.path, scenario.later):
        client.get(path)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        medians.append(sorted(times)[len(times) // 2])
    return medians[0], medians[1]


def run(args) -> tuple[int, bool]:
    """The sharing scenarios; returns (exit status, whether every target was met)."""
    import sys
    from pathlib import Path

    from consortia.bench import run as base

    say = base.say

    database_url = base.open_database(args, say)
    from django.conf import settings
    from django.db import connections

    from consortia.networks.models import Person
    from consortia.sharing.audience import visible_items

    credentials = base.sign_in()
    viewer = Person.objects.select_related("org_membership").get(pk=credentials.person.pk)
    big, small = prepare(viewer, say)
    results = [base.Result(scenario) for scenario in scenarios(base)]
    alone = {}
    try:
        for result in results:
            counts, errors = base.count_queries(result.scenario, credentials)
            result.queries, result.query_errors = tuple(counts), errors
            alone[result.scenario.path] = _alone_ms(result.scenario, credentials)
        visible = visible_items(viewer).filter(network__slug=base.SLUG).count()
        connections.close_all()
        log_path = Path(settings.VAR_DIR) / "bench-server.log"
        with base.Server(
            database_url=database_url,
            workers=args.workers,
            threads=args.threads,
            log_path=log_path,
        ) as server:
            say(
                f"Server: consortia serve on {base.LOOPBACK}:{server.port}, {args.workers} "
                f"worker(s) x {args.threads} threads (log: {log_path})"
            )
            for result in results:
                paths = [result.scenario.path, result.scenario.later]
                headers = credentials.headers(result.scenario)
                base.hammer(server.port, paths, headers, args.warmup, args.concurrency, None)
                result.seconds = base.hammer(
                    server.port, paths, headers, args.requests, args.concurrency, result
                )
    finally:
        base.sign_out(credentials)
    table, all_met, any_failed = base.report(results)
    say("")
    say(
        f"Sharing: {big:,} items in {base.SLUG} ({visible:,} visible to the viewer) and "
        f"{small:,} in {SMALL_SLUG}; {args.concurrency} client threads, {args.requests} "
        f"requests per endpoint (after {args.warmup} warm-up), alternating the big and the "
        "small network; queries: big/small."
    )
    say(table)
    say("")
    say("One request at a time, in-process (Django test client, median of 15; big / small):")
    for path, (big_ms, small_ms) in alone.items():
        say(f"  {path:<46} {big_ms:7.1f} ms / {small_ms:7.1f} ms")
    if any_failed:
        print("consortia bench: error: some requests failed (see above)", file=sys.stderr)
        return 1, all_met
    return 0, all_met
