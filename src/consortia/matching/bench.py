"""`consortia bench --only matching [--set DIR] [--json FILE]`: quality and speed of matching.

1. Load the labelled set (default tests/data/matching) into a scratch database as the active
   members of one network, and index it (index.rebuild, the same code as a profile save).
2. Rank every challenge (title + body) three ways and score the rankings against the labels:
   the fused ranker (what the product uses), lexical only (the BM25 half alone), and a plain
   TF-IDF baseline (cosine over each profile's whole text, needs included, written below in a
   few lines, no library). recall@5, MRR and nDCG@10 on the whole set, and on its two halves:
   the ranker's few weights were chosen on the first half (odd-numbered challenges). Then
   the misses: for each challenge the fused ranker does not fully recall, its relevant
   organizations outside the top 5 and where they rank (up to 40th).
3. Pad the network to 10,000 organizations (profiles recombined from the set's phrases,
   seeded) and time a search per challenge in-process, through `ranking.match` — the whole
   path a page takes: candidates, lexical query, vectors, evidence, organizations — after one
   warm-up search (which loads the process's vector copy). Median and p95, and the queries one
   search makes at both sizes (flat).

The database: MATCHING_BENCH_DATABASE_URL, default sqlite:///<var>/bench-matching.sqlite3,
emptied first. When Django is already set up (the full `consortia bench` run), the section
works in that database in a network of its own and removes it afterwards.

The last line is machine-readable:
    matching: recall@5=0.xxx mrr=0.xxx ndcg@10=0.xxx (N challenges)
"""

from __future__ import annotations

import collections
import json
import math
import os
import random
import statistics
import time
from pathlib import Path

SLUG = "matching-bench"
PAD_TO = 10_000  # MATCHING_BENCH_ORGANIZATIONS overrides it (the tests use a few hundred)
TARGET_RECALL = 0.85
TARGET_MS = 100.0
REPEATS = 3


def _pad_to() -> int:
    raw = os.environ.get("MATCHING_BENCH_ORGANIZATIONS", "").strip()
    try:
        return max(1, int(raw)) if raw else PAD_TO
    except ValueError:
        from consortia.cli import CliError

        raise CliError(f"MATCHING_BENCH_ORGANIZATIONS: not a number: {raw!r}", 2) from None


def _var_dir() -> Path:
    return Path(os.environ.get("CONSORTIA_VAR_DIR", "").strip() or Path.cwd() / "var").resolve()


def _open_database(say) -> bool:
    """Point Django at a scratch database; True when the section owns the whole database."""
    from django.apps import apps

    from consortia.cli import CliError, setup_django

    if apps.ready:
        return False
    url = os.environ.get("MATCHING_BENCH_DATABASE_URL", "").strip()
    if not url:
        path = _var_dir() / "bench-matching.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    os.environ["HTTPS"] = "false"
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    where = connection.settings_dict.get("NAME")
    say(f"Scratch database: {connection.vendor} {where}")
    try:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
    except Exception as exc:  # pragma: no cover - an unreachable database
        raise CliError(f"the scratch database could not be prepared: {exc}", 1) from None
    return True


VIEWER = "matching-bench@example.invalid"
SLUG_PREFIX = "mb-"  # every organization the section creates


def _remove_network() -> None:
    """Remove what the section created (its network, organizations and viewer), nothing else."""
    from consortia.networks.models import Network, Organization, Person

    Person.objects.filter(email=VIEWER).delete()
    network = Network.objects.filter(slug=SLUG).first()
    if network is not None:
        Organization.objects.filter(
            network_memberships__network=network, slug__startswith=SLUG_PREFIX
        ).delete()
        network.delete()


# The plain TF-IDF baseline ----------------------------------------------------------------------


def tfidf_rankings(labelled) -> dict[str, list[str]]:
    """Cosine of log-TF x IDF vectors of the whole profile text (name, description, offerings,
    needs, values): what one would try first."""
    from .text import words

    def bag(text):
        return collections.Counter(words(text))

    docs = {
        org["key"]: bag(
            " ".join(
                org.get(k) or "" for k in ("name", "description", "offerings", "needs", "values")
            )
        )
        for org in labelled.organizations
    }
    frequency = collections.Counter(word for counts in docs.values() for word in counts)
    n = len(docs)

    def vector(counts):
        weighted = {
            w: (1 + math.log(c)) * (math.log(n / frequency[w]) + 1)
            for w, c in counts.items()
            if w in frequency
        }
        norm = math.sqrt(sum(x * x for x in weighted.values())) or 1.0
        return {w: x / norm for w, x in weighted.items()}

    vectors = {key: vector(counts) for key, counts in docs.items()}
    rankings = {}
    for challenge in labelled.challenges:
        query = vector(bag(f"{challenge['title']}\n{challenge['body']}"))
        scored = [
            (-sum(x * v.get(w, 0.0) for w, x in query.items()), key) for key, v in vectors.items()
        ]
        rankings[challenge["key"]] = [key for _, key in sorted(scored)]
    return rankings


# The ranker's rankings -------------------------------------------------------------------------


def ranker_rankings(labelled, network, ids, weights) -> dict[str, list[str]]:
    from . import ranking

    by_id = {pk: key for key, pk in ids.items()}
    rankings = {}
    for challenge in labelled.challenges:
        text = ranking.clean_query(f"{challenge['title']}\n{challenge['body']}")
        ranked, _, _ = ranking.rank(text, network, (), top=10, weights=weights, evidence=False)
        rankings[challenge["key"]] = [by_id[org] for org, *_ in ranked if org in by_id]
    return rankings


MISS_DEPTH = 40  # how deep the misses are looked for


def misses(labelled, network, ids, weights, rankings, *, depth: int = MISS_DEPTH) -> list[dict]:
    """The relevant organizations the ranker left out of its top 5, for each challenge whose
    recall@5 is below 1: [{challenge, half, missed: [{organization, rank (None below
    `depth`), highly}]}]. The misses are ranked again `depth` deep (the figures above stop
    at 10), so this says whether a miss is a near miss or lost."""
    from . import labelled as labelled_set
    from . import ranking

    by_id = {pk: key for key, pk in ids.items()}
    found = []
    for n, challenge in enumerate(labelled.challenges):
        recall, _, _ = labelled_set.score_one(challenge, rankings.get(challenge["key"], []))
        if recall >= 1.0:
            continue
        text = ranking.clean_query(f"{challenge['title']}\n{challenge['body']}")
        ranked, _, _ = ranking.rank(text, network, (), top=depth, weights=weights, evidence=False)
        keys = [by_id[org] for org, *_ in ranked if org in by_id]
        top5 = set(keys[:5])
        relevant = list(dict.fromkeys(challenge["relevant"] + challenge["highly_relevant"]))
        missed = [
            {
                "organization": key,
                "rank": keys.index(key) + 1 if key in keys else None,
                "highly": key in challenge["highly_relevant"],
            }
            for key in relevant
            if key not in top5
        ]
        missed.sort(key=lambda m: (m["rank"] is None, m["rank"] or 0, m["organization"]))
        half = "tuning" if n % 2 == 0 else "held-out"  # labelled.halves: 1st, 3rd… tune
        found.append({"challenge": challenge["key"], "half": half, "missed": missed})
    return found


def _say_misses(found, say) -> None:
    say(f"fused: relevant organizations outside the top 5 (rank, '>{MISS_DEPTH}' below it):")
    if not found:
        say("  none")
    for row in found:
        shown = ", ".join(
            f"{m['organization']}{'*' if m['highly'] else ''} "
            + (str(m["rank"]) if m["rank"] else f">{MISS_DEPTH}")
            for m in row["missed"]
        )
        say(f"  [{row['half']}] {row['challenge']}: {shown}")
    if found:
        say("  (* highly relevant)")


# Padding ---------------------------------------------------------------------------------------


def padding_rows(labelled, count: int, *, seed: int = 9):
    """Synthetic profiles recombined from the set's own phrases (seeded)."""
    from .text import phrases

    rng = random.Random(seed)
    descriptions, offerings, values = [], [], []
    for org in labelled.organizations:
        descriptions += [p for _, p in phrases("d", org.get("description") or "", by_line=False)]
        offerings += [p for _, p in phrases("o", org.get("offerings") or "", by_line=True)]
        values += [p for _, p in phrases("v", org.get("values") or "", by_line=True)]
    kinds = ["company", "startup", "university", "public", "nonprofit"]
    for n in range(count):
        yield (
            f"mb-pad-{n}",
            f"Padding organization {n:05d}",
            rng.choice(kinds),
            " ".join(rng.sample(descriptions, 2)),
            "\n".join(rng.sample(offerings, rng.randint(2, 4))),
            "\n".join(rng.sample(offerings, 2)),
            rng.choice(values),
        )


# Main ------------------------------------------------------------------------------------------


def _figures(scores) -> str:
    return f"recall@5={scores.recall_at_5:.3f} mrr={scores.mrr:.3f} ndcg@10={scores.ndcg_at_10:.3f}"


def run(args, say=None) -> tuple[int, bool]:
    """The section (consortia.bench.run.SECTIONS): returns (exit status, whether every target
    was met)."""
    if say is None:

        def say(message: str) -> None:
            print(message, flush=True)

    from consortia.cli import CliError

    from . import labelled as labelled_set

    directory = Path(getattr(args, "set", None) or labelled_set.default_directory())
    try:
        labelled = labelled_set.read_set(directory)
    except labelled_set.SetError as exc:
        raise CliError(str(exc), 2) from None
    json_path = getattr(args, "json", None)
    if json_path and not Path(json_path).resolve().parent.is_dir():
        raise CliError(f"cannot write {json_path}: no such folder", 2)
    owns_database = _open_database(say)
    try:
        return _run(args, say, labelled, directory)
    finally:
        if not owns_database:
            _remove_network()


def _run(args, say, labelled, directory) -> tuple[int, bool]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consortia.networks.models import Network, OrgMembership, Person

    from . import embedding, ranking
    from . import labelled as labelled_set

    _remove_network()
    network = Network.objects.create(name="Matching benchmark", slug=SLUG)
    say(
        f"Matching: {len(labelled.organizations)} organizations and "
        f"{len(labelled.challenges)} challenges from {directory}"
    )
    started = time.perf_counter()
    ids = labelled_set.load(labelled, network=network, slug_prefix=SLUG_PREFIX)
    elapsed = time.perf_counter() - started
    say(
        f"  loaded and indexed in {elapsed:.1f}s (models {embedding.MODEL_NAME}, "
        f"{embedding.MULTILINGUAL_NAME})"
    )

    first, second = labelled_set.halves(labelled.challenges)
    rankers = {
        "fused": ranker_rankings(labelled, network, ids, ranking.Weights()),
        "lexical only": ranker_rankings(labelled, network, ids, ranking.Weights(lexical=1.0)),
        "semantic only": ranker_rankings(labelled, network, ids, ranking.Weights(lexical=0.0)),
        "TF-IDF baseline": tfidf_rankings(labelled),
    }
    results = {}
    say("")
    say(f"{'ranker':<16}  {'set':<22}  recall@5    MRR  nDCG@10")
    for name, rankings in rankers.items():
        results[name] = {}
        for label, challenges in (
            ("all", labelled.challenges),
            ("tuning half", first),
            ("held-out half", second),
        ):
            scores = labelled_set.evaluate(challenges, rankings)
            results[name][label] = scores.as_dict()
            say(
                f"{name:<16}  {label + f' ({len(challenges)})':<22}  {scores.recall_at_5:8.3f}  "
                f"{scores.mrr:5.3f}  {scores.ndcg_at_10:7.3f}"
            )
    fused = labelled_set.evaluate(labelled.challenges, rankers["fused"])
    languages = [c for c in labelled.challenges if c["key"][:3] in ("de-", "fr-", "es-")]
    if languages:
        other = labelled_set.evaluate(languages, rankers["fused"])
        say(f"fused, the {len(languages)} German/French/Spanish challenges: {_figures(other)}")
        results["fused"]["other languages"] = other.as_dict()
    missed = misses(labelled, network, ids, ranking.Weights(), rankers["fused"])
    _say_misses(missed, say)

    # Speed at 10,000 organizations ------------------------------------------------------------
    viewer_org = network.memberships.order_by("pk").first().organization
    viewer = Person.objects.create_user(email=VIEWER, password=None, name="Bench viewer")
    OrgMembership.objects.create(person=viewer, organization=viewer_org)
    viewer = Person.objects.select_related("org_membership__organization").get(pk=viewer.pk)
    texts = [f"{c['title']}\n{c['body']}" for c in labelled.challenges]

    def queries_per_search() -> int:
        ranking.match(viewer, network, texts[0])
        with CaptureQueriesContext(connection) as captured:
            ranking.match(viewer, network, texts[0])
        return len(captured)

    small_queries = queries_per_search()
    pad_to = _pad_to()
    pad = max(0, pad_to - len(labelled.organizations))
    say("")
    say(f"Padding the network to {pad_to:,} organizations ({pad:,} recombined profiles)…")
    started = time.perf_counter()
    labelled_set.load(
        labelled_set.LabelledSet(organizations=[], challenges=[]),
        network=network,
        extra_rows=padding_rows(labelled, pad),
        slug_prefix=SLUG_PREFIX,
    )
    indexing = time.perf_counter() - started
    if connection.vendor == "postgresql":  # fresh statistics, as autovacuum would keep them
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    say(f"  indexed in {indexing:.1f}s ({pad / max(indexing, 1e-9):,.0f} organizations/s)")
    large_queries = queries_per_search()  # also the warm-up: loads the vectors
    timings, cpu = [], []
    load_before = os.getloadavg()[0]
    for _ in range(REPEATS):
        for text in texts:
            started, started_cpu = time.perf_counter(), time.process_time()
            result = ranking.match(viewer, network, text)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert not result.error, result.error
    timings.sort()
    cpu.sort()
    median = statistics.median(timings)
    p95 = timings[max(0, math.ceil(0.95 * len(timings)) - 1)]
    cpu_median = statistics.median(cpu)
    cpu_p95 = cpu[max(0, math.ceil(0.95 * len(cpu)) - 1)]
    load = max(load_before, os.getloadavg()[0])
    where = (
        "every thread of this process, the query encoder's too; SQLite runs in this process, "
        "so this includes the database's work"
        if connection.vendor == "sqlite"
        else "every thread of this process, the query encoder's too; PostgreSQL's own work "
        "is in the wall time"
    )
    say(
        f"search at {pad_to:,} organizations: median {median:.1f} ms, p95 {p95:.1f} ms over "
        f"{len(timings)} searches (target ≤ {TARGET_MS:g} ms); CPU time per search: median "
        f"{cpu_median:.1f} ms, p95 {cpu_p95:.1f} ms ({where}; load average {load:.1f} on "
        f"{os.cpu_count()} cores: wall time includes waiting for a core)"
    )
    say(
        f"queries per search: {small_queries} at {len(labelled.organizations)} organizations, "
        f"{large_queries} at {pad_to:,}"
    )
    lexical = labelled_set.evaluate(labelled.challenges, rankers["lexical only"])
    tfidf = labelled_set.evaluate(labelled.challenges, rankers["TF-IDF baseline"])
    met = {
        "recall": fused.recall_at_5 >= TARGET_RECALL,
        "above baselines": fused.recall_at_5 > max(lexical.recall_at_5, tfidf.recall_at_5)
        and fused.ndcg_at_10 > max(lexical.ndcg_at_10, tfidf.ndcg_at_10),
        "speed": p95 <= TARGET_MS,
        "speed in CPU time": cpu_p95 <= TARGET_MS,
        "flat queries": small_queries == large_queries,
    }
    say(
        "targets: "
        + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in met.items())
        + f" (recall@5 ≥ {TARGET_RECALL}, p95 ≤ {TARGET_MS:g} ms)"
    )
    figures = {
        "set": str(directory),
        "organizations": len(labelled.organizations),
        "challenges": len(labelled.challenges),
        "model": embedding.MODEL_NAME,
        "multilingual_model": embedding.MULTILINGUAL_NAME,
        "weights": {
            "lexical": ranking.LEXICAL_WEIGHT,
            "document_share": ranking.DOCUMENT_SHARE,
            "multilingual_share": ranking.MULTILINGUAL_SHARE,
            "fields": ranking.FIELD_WEIGHTS,
        },
        "quality": results,
        "misses": missed,
        "speed": {
            "organizations": pad_to,
            "searches": len(timings),
            "median_ms": round(median, 2),
            "p95_ms": round(p95, 2),
            "cpu_median_ms": round(cpu_median, 2),
            "cpu_p95_ms": round(cpu_p95, 2),
            "load_average": round(load, 2),
            "indexing_s": round(indexing, 1),
            "queries_per_search": {"small": small_queries, "padded": large_queries},
            "database": connection.vendor,
        },
        "targets_met": met,
    }
    json_path = getattr(args, "json", None)
    if json_path:
        try:
            Path(json_path).write_text(json.dumps(figures, indent=2), encoding="utf-8")
        except OSError as exc:
            from consortia.cli import CliError

            raise CliError(f"cannot write {json_path}: {exc.strerror or exc}", 2) from None
        say(f"figures written to {json_path}")
    say(f"matching: {_figures(fused)} ({fused.count} challenges)")
    return 0, all(met.values())
