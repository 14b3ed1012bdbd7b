"""The web section of `consortia bench` (`--only web`): the member list, activity, API list,
poll and initiative pages (SCENARIOS in run.py), query counts in-process, then latency under
load from the real server."""

from __future__ import annotations

import sys
from pathlib import Path

from consortia.bench.run import (
    LOOPBACK,
    SCENARIOS,
    Result,
    Server,
    count_queries,
    hammer,
    open_database,
    report,
    resolve,
    say,
    sign_in,
    sign_out,
)


def run(args) -> tuple[int, bool]:
    """The endpoints; returns (exit status so far, whether every target was met)."""
    database_url = open_database(args, say)
    from django.conf import settings
    from django.db import connections

    from consortia.bench import synthetic
    from consortia.core.models import Event

    ids = synthetic.landmarks()
    credentials = sign_in()
    results = [Result(resolve(scenario, ids)) for scenario in SCENARIOS]
    try:
        for result in results:
            counts, errors = count_queries(result.scenario, credentials)
            result.queries, result.query_errors = tuple(counts), errors
        events = Event.objects.count()
        connections.close_all()  # the server's processes get their own connections

        log_path = Path(settings.VAR_DIR) / "bench-server.log"
        with Server(
            database_url=database_url,
            workers=args.workers,
            threads=args.threads,
            log_path=log_path,
        ) as server:
            say(
                f"Server: consortia serve on {LOOPBACK}:{server.port}, {args.workers} worker(s) "
                f"x {args.threads} threads (log: {log_path})"
            )
            for result in results:
                paths = [result.scenario.path, result.scenario.later]
                headers = credentials.headers(result.scenario)
                hammer(server.port, paths, headers, args.warmup, args.concurrency, None)
                result.seconds = hammer(
                    server.port, paths, headers, args.requests, args.concurrency, result
                )
    finally:
        sign_out(credentials)

    table, all_met, any_failed = report(results)
    say("")
    say(
        f"{args.organizations:,} organizations, {args.people:,} people, {events:,} events; "
        f"{args.concurrency} client threads, {args.requests} requests per endpoint "
        f"(after {args.warmup} warm-up), alternating page 1 and a later page "
        f"(poll and initiative: {_voters(ids)})."
    )
    say(table)
    if any_failed:
        print("consortia bench: error: some requests failed (see above)", file=sys.stderr)
        return 1, all_met
    return 0, all_met


def _voters(ids: dict[str, int]) -> str:
    from consortia.decisions.models import Ballot, PollVoter
    from consortia.initiatives.models import Participation

    def poll(pk: int) -> str:
        voters = PollVoter.objects.filter(poll_id=pk).count()
        return f"{voters:,} voters/{Ballot.objects.filter(poll_id=pk).count():,} ballots"

    def initiative(pk: int) -> str:
        return f"{Participation.objects.filter(initiative_id=pk).count():,} participants"

    return (
        f"{poll(ids['poll'])} then {poll(ids['small_poll'])}; "
        f"{initiative(ids['initiative'])} then {initiative(ids['small_initiative'])}"
    )
