"""`consortia bench`: latency and query counts of key pages on a synthetic large network.

The benchmark is part of the package (`consortia.bench`), so it runs from an installed
`consortia` too; only the tally section needs the test-only oracle library (`.[dev]`).

1. Fill a separate database (BENCH_DATABASE_URL, default sqlite:///var/bench.sqlite3) with
   1,000 organizations, 20,000 people and 50,000 events, unless it already holds that size.
   It also holds two ranked polls and two initiatives, one with every active member voting or
   participating, one with 100 of them.
2. Count the queries each scenario makes, in-process with Django's test client, on page 1 and
   on a later page: the count must not grow with the data.
3. Start the real server (`consortia serve`) on a free loopback port, hit each scenario from 8
   client threads (alternating page 1 and the later page), and print p50/p95/max latency and
   throughput next to the targets. The server is stopped whatever happens.
4. Tally 10,000 ballots x 20 candidates with Schulze, ranked pairs and IRV, ours against the
   oracle library on the same file (tally_bench.py).

Between 3 and 4 the insights, metrics and sharing sections measure their own pages. The
sections are one table, SECTIONS (name → module with `run(args)`); `--only NAME` runs one.
Web scenarios are data: add one to SCENARIOS to measure another page or API list.
"""

from __future__ import annotations

import argparse
import http.client
import importlib
import logging
import math
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from consortia.cli import CliError, ConciseArgumentParser, setup_django

LOOPBACK = "127.0.0.1"
TARGET_P95_MS = 50.0
TARGET_QUERIES = 10


@dataclass(frozen=True)
class Scenario:
    """One endpoint to measure, as the signed-in team leader of a member organization."""

    name: str
    path: str  # page 1
    later: str  # a later page of the same list, to show the work per page stays flat
    auth: str  # "session" (browser cookie) or "token" (API bearer token)


SLUG = "bench"
SCENARIOS: list[Scenario] = [
    Scenario("member list page", f"/n/{SLUG}/members/", f"/n/{SLUG}/members/?page=20", "session"),
    Scenario("activity page", f"/n/{SLUG}/activity/", f"/n/{SLUG}/activity/?page=200", "session"),
    Scenario(
        "API organization list",
        "/api/v1/organizations",
        "/api/v1/organizations?offset=500",
        "token",
    ),
    # {poll} and {initiative} have every active member (~940 of 1,000) voting or participating,
    # the "later" ones 100: the query count must be the same for both.
    Scenario(
        "poll page",
        f"/n/{SLUG}/decisions/{{poll}}/",
        f"/n/{SLUG}/decisions/{{small_poll}}/",
        "session",
    ),
    Scenario(
        "initiative page",
        f"/n/{SLUG}/initiatives/{{initiative}}/",
        f"/n/{SLUG}/initiatives/{{small_initiative}}/",
        "session",
    ),
]


def resolve(scenario: Scenario, ids: dict[str, int]) -> Scenario:
    """Fill in the primary keys of the synthetic poll and initiative."""
    return replace(scenario, path=scenario.path.format(**ids), later=scenario.later.format(**ids))


@dataclass
class Result:
    scenario: Scenario
    queries: tuple[int | None, int | None] = (None, None)
    query_errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    failures: Counter = field(default_factory=Counter)  # "HTTP 404" / "ConnectionResetError" → n
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.failures.values())

    def percentile(self, q: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000

    @property
    def max_queries(self) -> int | None:
        known = [n for n in self.queries if n is not None]
        return max(known) if known else None


# Arguments and database ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = ConciseArgumentParser(
        prog="consortia bench",
        description="Benchmark key pages on a synthetic large network, served by `consortia "
        "serve` on a free loopback port. The data lives in its own database "
        "(BENCH_DATABASE_URL, default sqlite:///<var>/bench.sqlite3) and is reused when it "
        "already has the requested size.",
    )
    parser.add_argument("--database-url", help="overrides BENCH_DATABASE_URL")
    parser.add_argument("--organizations", type=_count, default=1000, metavar="N")
    parser.add_argument("--people", type=_count, default=20000, metavar="N")
    parser.add_argument("--events", type=_count, default=50000, metavar="N")
    parser.add_argument("--requests", type=_count, default=400, help="per endpoint (default 400)")
    parser.add_argument("--warmup", type=int, default=40, help="unmeasured requests per endpoint")
    parser.add_argument("--concurrency", type=_count, default=8, help="client threads (default 8)")
    parser.add_argument("--workers", type=_count, default=2, help="server worker processes")
    parser.add_argument("--threads", type=_count, default=4, help="threads per server worker")
    parser.add_argument(
        "--only",
        choices=list(SECTIONS),
        metavar="SECTION",
        help=f"run one section: {', '.join(SECTIONS)} (default: all, in that order)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target is missed"
    )
    # matching: the labelled set to evaluate (default tests/data/matching), figures as JSON.
    parser.add_argument("--set", metavar="DIR", help="matching: the labelled set's folder")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    # speed: wrk's seconds per page, the measurements behind the metric dashboard, and a
    # one-second-per-page run on whatever database there is (the test suite).
    parser.add_argument("--seconds", type=_count, default=8, help="speed: seconds per page")
    parser.add_argument("--measurements", type=_count, default=1_000_000, metavar="N")
    parser.add_argument("--quick", action="store_true", help="speed: one second per page")
    return parser


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"invalid number {value!r}: use 1 or more")
    return number


def var_dir() -> Path:
    # The same rule as settings.VAR_DIR, needed before settings may be imported: they read
    # DATABASE_URL once, and it must already point at the benchmark's database.
    return Path(os.environ.get("CONSORTIA_VAR_DIR", "").strip() or Path.cwd() / "var").resolve()


def _use_database(url: str) -> None:
    from django.apps import apps

    if apps.ready:
        from django.conf import settings

        if url != settings.DATABASE_URL:
            raise CliError("the benchmark must run in its own process (`consortia bench`)")
        return
    os.environ["DATABASE_URL"] = url
    # Measure the app itself: with HTTPS=true every plain-HTTP request would be a redirect.
    os.environ["HTTPS"] = "false"
    setup_django()


def open_database(args, say) -> str:
    """For every section: point Django at the benchmark's database (its own process only) and
    make sure the synthetic network of the requested size is there."""
    database_url = (
        args.database_url
        or os.environ.get("BENCH_DATABASE_URL", "").strip()
        or f"sqlite:///{var_dir() / 'bench.sqlite3'}"
    )
    _use_database(database_url)
    from consortia.bench.synthetic import Size
    from consortia.cli import _database_label

    size = Size(organizations=args.organizations, people=args.people, events=args.events)
    say(f"Benchmark database: {_database_label()}")
    _prepare_data(size, say)
    return database_url


def _prepare_data(size, say) -> None:
    from django.core.management import call_command

    from consortia.bench import synthetic

    call_command("migrate", interactive=False, verbosity=0)
    if synthetic.is_ready(size):
        say("Reusing the synthetic data already in the benchmark database.")
        return
    if not synthetic.is_disposable():
        raise CliError(
            "the benchmark database holds data the benchmark did not generate; "
            "point BENCH_DATABASE_URL at an empty database"
        )
    say(
        f"Generating {size.organizations:,} organizations, {size.people:,} people and "
        f"{size.events:,} events (once; later runs reuse them)…"
    )
    started = time.perf_counter()
    call_command("flush", interactive=False, verbosity=0)
    synthetic.generate(size, say=say)
    say(f"  done in {time.perf_counter() - started:.1f}s")


# Credentials and query counts ----------------------------------------------------------------


@dataclass
class Credentials:
    person: object
    session_key: str
    token: object
    raw_token: str

    def headers(self, scenario: Scenario) -> dict[str, str]:
        from django.conf import settings

        if scenario.auth == "token":
            return {"Authorization": f"Bearer {self.raw_token}"}
        return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.session_key}"}


def sign_in() -> Credentials:
    """A team leader of an active member that accepted the charter, signed in two ways."""
    from django.conf import settings
    from django.test import Client

    from consortia.bench import synthetic
    from consortia.core import services
    from consortia.networks.models import (
        AgreementAcceptance,
        NetworkMembership,
        OrgMembership,
        Person,
    )

    accepted = AgreementAcceptance.objects.filter(agreement__network__slug=synthetic.SLUG).values(
        "organization_id"
    )
    active = NetworkMembership.objects.filter(
        network__slug=synthetic.SLUG, status=NetworkMembership.Status.ACTIVE
    ).values("organization_id")
    leader = (
        OrgMembership.objects.filter(
            role=OrgMembership.Role.TEAM_LEADER,
            organization_id__in=active,
        )
        .filter(organization_id__in=accepted)
        .order_by("organization__slug", "pk")
        .first()
    )
    if leader is None:
        raise CliError("the benchmark data has no team leader of an active member organization")
    person = Person.objects.select_related("org_membership__organization").get(pk=leader.person_id)
    client = Client()
    client.force_login(person)
    token, raw = services.api_token_create(actor=person, name="consortia bench")
    return Credentials(
        person=person,
        session_key=client.cookies[settings.SESSION_COOKIE_NAME].value,
        token=token,
        raw_token=raw,
    )


def sign_out(credentials: Credentials) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    from consortia.core import services

    SessionStore(session_key=credentials.session_key).delete()
    services.api_token_revoke(actor=credentials.person, token=credentials.token)


def count_queries(scenario: Scenario, credentials: Credentials) -> tuple[list, list[str]]:
    """Queries per request for page 1 and the later page (after one warm-up request, so
    once-a-minute bookkeeping such as a token's last use is not counted)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(raise_request_exception=False)
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the table reports 4xx
    if scenario.auth == "token":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {credentials.raw_token}"
    else:
        client.cookies[settings.SESSION_COOKIE_NAME] = credentials.session_key
    counts, errors = [], []
    for path in (scenario.path, scenario.later):
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code == 200:
            counts.append(len(captured))
        else:
            counts.append(None)
            errors.append(f"{path} answered HTTP {response.status_code}")
    return counts, errors


# Server ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class Server:
    """`consortia serve` in a subprocess on a loopback port; a context manager that always
    stops it."""

    def __init__(self, *, database_url: str, workers: int, threads: int, log_path: Path):
        self.port = _free_port()
        self.database_url = database_url
        self.workers = workers
        self.threads = threads
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, "DATABASE_URL": self.database_url, "HTTPS": "false"}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "consortia.cli",
                "serve",
                "--host",
                LOOPBACK,
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches the benchmark, which stops the server
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_until_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CliError(
                    f"the server exited with status {self.process.returncode} before answering; "
                    f"see {self.log_path}: {self._log_tail()}",
                    1,
                )
            try:
                connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=2)
                connection.request("GET", "/login/")
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.1)
        raise CliError(f"the server did not answer within {timeout:.0f}s; see {self.log_path}", 1)

    def _log_tail(self) -> str:
        self._log.flush()
        lines = [line for line in self.log_path.read_text(errors="replace").splitlines() if line]
        return lines[-1] if lines else "(no output)"

    def __exit__(self, *exc_info) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # gunicorn: graceful shutdown of the workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


# Load --------------------------------------------------------------------------------------


def hammer(port: int, paths: list[str], headers: dict, total: int, concurrency: int, result):
    """Send `total` GETs from `concurrency` threads, each on its own keep-alive connection."""
    lock = threading.Lock()
    issued = [0]

    def next_path() -> str | None:
        with lock:
            if issued[0] >= total:
                return None
            issued[0] += 1
            return paths[issued[0] % len(paths)]

    def client() -> None:
        connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        while (path := next_path()) is not None:
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
                if result is not None:
                    with lock:
                        result.failures[type(exc).__name__] += 1
                continue
            elapsed = time.perf_counter() - started
            if result is not None:
                with lock:
                    if response.status == 200:
                        result.latencies.append(elapsed)
                    else:
                        where = response.getheader("Location")
                        label = f"HTTP {response.status}" + (f" → {where}" if where else "")
                        result.failures[label] += 1
            if response.will_close:
                connection.close()
                connection = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
        connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


# Report ------------------------------------------------------------------------------------


def marks() -> tuple[str, str]:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "✓✗".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "ok", "MISS"
    return "✓", "✗"


def _count_text(value: int | None) -> str:
    return "—" if value is None else str(value)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def report(results: list[Result]) -> tuple[str, bool, bool]:
    """The table, whether every target was met, and whether any request failed."""
    good, bad = marks()
    header = (
        "endpoint",
        "requests",
        "p50 ms",
        "p95 ms",
        "max ms",
        "req/s",
        "queries p1/later",
        f"p95 ≤ {TARGET_P95_MS:g} ms",
        f"≤ {TARGET_QUERIES} queries, flat",
    )
    rows, all_met, any_failed = [], True, False
    for result in results:
        p95 = result.percentile(0.95)
        queries = "/".join("?" if n is None else str(n) for n in result.queries)
        fast = p95 is not None and p95 <= TARGET_P95_MS and not result.failures
        # Flat: page 1 and the later page (or the small poll/initiative) make as many queries.
        flat = None not in result.queries and len(set(result.queries)) == 1
        frugal = flat and result.max_queries <= TARGET_QUERIES
        all_met &= fast and frugal
        any_failed |= bool(result.failures) or bool(result.query_errors)
        rate = result.requests / result.seconds if result.seconds else 0.0
        rows.append(
            (
                result.scenario.path,
                str(result.requests),
                _ms(result.percentile(0.5)),
                _ms(p95),
                _ms(max(result.latencies) * 1000 if result.latencies else None),
                f"{rate:.0f}",
                queries,
                f"{good} {_ms(p95)}" if fast else f"{bad} {_ms(p95)}",
                f"{good if frugal else bad} {_count_text(result.max_queries)}"
                + ("" if flat or result.max_queries is None else " (not flat)"),
            )
        )
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )
        for row in (header, *rows)
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    for result in results:
        for label, count in result.failures.most_common():
            lines.append(f"  {result.scenario.path}: {count} x {label}")
        for error in result.query_errors:
            lines.append(f"  query count: {error}")
    return "\n".join(lines), all_met, any_failed


# Main --------------------------------------------------------------------------------------

# The sections, in the order a full run measures them: name → module with `run(args)`, which
# returns (exit status, whether every target was met). `--only NAME` runs one. A new app adds
# its benchmark with one line here (and its module beside this one).
SECTIONS: dict[str, str] = {
    "web": "consortia.bench.web_bench",
    "insights": "consortia.bench.insights_bench",
    "metrics": "consortia.bench.metrics_bench",
    "sharing": "consortia.bench.sharing_bench",
    "tally": "consortia.bench.tally_bench",
    "matching": "consortia.matching.bench",  # its own scratch database when run alone
    "overlap": "consortia.overlap.bench",
    "speed": "consortia.bench.speed_bench",  # last: its summary is the run's last line
}


def say(message: str) -> None:
    """How every section prints: at once, so a long run shows where it is."""
    print(message, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.people < 2 * args.organizations or args.organizations < 2:
        raise CliError("use at least 2 organizations and 2 people per organization")
    status, all_met = 0, True
    # Every section runs, also after another's failed requests: the figures are independent.
    for index, name in enumerate([args.only] if args.only else SECTIONS):
        if index:
            say("")
        section_status, section_met = importlib.import_module(SECTIONS[name]).run(args)
        status, all_met = status or section_status, all_met and section_met
    if status:
        return status
    if not all_met:
        # On stderr: the speed section's summary stays the last line on stdout.
        print("Some targets were missed.", file=sys.stderr, flush=True)
        return 1 if args.strict else 0
    return 0


if __name__ == "__main__":
    from consortia.cli import main as cli_main

    sys.exit(cli_main(["bench", *sys.argv[1:]]))
