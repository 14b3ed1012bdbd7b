"""`consortia bench --only speed`: every key page's throughput and p95 as a ratio to a bare
Django page, driven by wrk on its own core.

1. The benchmark database as the other sections build it (1,000 organizations, the poll and
   initiative with every active member, 200,000 shared items, the health commitments, the
   metric catalog and 1,000,000 measurements), reused when it is there.
2. Query counts in-process (page 1 and a later page, or the small poll/initiative: flat).
3. For each server model (gunicorn gthread, then granian when installed): `consortia serve`
   (2 workers) with CONSORTIA_BENCHMARK=true, pinned to CPU 1 with taskset. The benchmark
   settings add the baseline page (bench/instrument.py: 50 organizations as an HTML table,
   sessions and auth middleware only, no template inheritance) and a timing middleware.
   - Idle server, one request at a time: the in-process split of each page (queries, view
     code, templates, middleware) from its Server-Timing header, and its three largest costs.
   - Load: Debian's wrk (installed by `make bench`) pinned to CPU 0, 8 connections, with the
     session cookie or API token, alternating page 1 and the later page; the baseline is
     measured before and after the pages and its mean is the reference.
4. Per page: p50, p95, req/s, their ratios to the baseline, queries, the split; `--json FILE`
   keeps every figure under "speed". The last line is
   `speed: worst page ratio=… (PAGE) median ratio=…` (throughput ratios, the faster server).

Targets: every page ≥ 0.5x the baseline's throughput, p95 ≤ 2x the baseline's p95.
`--quick` (the test suite) runs three pages for one second each, gthread only.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from consortia.bench import run as bench
from consortia.cli import CliError

TARGET_RATE = 0.5  # of the baseline's req/s
TARGET_P95 = 2.0  # x the baseline's p95
CONNECTIONS = 8
SERVER_CPU, CLIENT_CPU = "1", "0"
QUICK_PAGES = ("dashboard", "members", "API organizations")


@dataclass
class Page:
    name: str
    path: str
    later: str
    auth: str = "session"
    queries: tuple = (None, None)
    errors: list = field(default_factory=list)
    split: dict = field(default_factory=dict)  # idle server, ms: total/db/view/tpl/mw, q
    costs: list = field(default_factory=list)  # [(name, ms)] the three largest
    load: dict = field(default_factory=dict)  # server → wrk figures

    def scenario(self) -> bench.Scenario:
        return bench.Scenario(self.name, self.path, self.later, self.auth)


def pages(ids: dict[str, int], metric: int | None) -> list[Page]:
    n = f"/n/{bench.SLUG}"
    from consortia.bench.sharing_bench import SMALL_SLUG

    small = f"/n/{SMALL_SLUG}"
    found = [
        Page("dashboard", "/", "/"),
        Page("members", f"{n}/members/", f"{n}/members/?page=20"),
        Page("activity", f"{n}/activity/", f"{n}/activity/?page=200"),
        Page("feed", f"{n}/feed/?since=0", f"{small}/feed/?since=0"),
        Page("challenge list", f"{n}/challenges/", f"{small}/challenges/"),
        Page("poll", f"{n}/decisions/{ids['poll']}/", f"{n}/decisions/{ids['small_poll']}/"),
        Page(
            "initiative",
            f"{n}/initiatives/{ids['initiative']}/",
            f"{n}/initiatives/{ids['small_initiative']}/",
        ),
        Page("metric dashboard", f"{n}/metrics/", f"{n}/metrics/"),
        Page("health", f"{n}/health/", f"{n}/health/"),
        # The pages the later issues added (the partnering agenda, health checks, overlap
        # discovery), with the benchmark network's 1,000 organizations in their pickers.
        Page("agenda", "/organization/agenda/", "/organization/agenda/"),
        Page("health checks", f"{n}/health-checks/", f"{n}/health-checks/"),
        Page("overlap", f"{n}/overlap/", f"{n}/overlap/"),
        Page(
            "API organizations",
            "/api/v1/organizations",
            "/api/v1/organizations?offset=500",
            "token",
        ),
        Page(
            "API feed",
            f"/api/v1/networks/{bench.SLUG}/feed",
            f"/api/v1/networks/{SMALL_SLUG}/feed",
            "token",
        ),
    ]
    if metric is None:
        found = [page for page in found if page.name != "metric dashboard"]
    return found


# Data -------------------------------------------------------------------------------------------


def prepare(args, say) -> tuple[str, bench.Credentials, dict]:
    """The benchmark database with every section's data; returns (url, credentials, facts)."""
    database_url = bench.open_database(args, say)
    from django.conf import settings

    from consortia.bench import insights_bench, metrics_bench, sharing_bench, synthetic
    from consortia.metrics.models import Measurement
    from consortia.networks.models import Network, Organization, Person

    credentials = bench.sign_in()
    viewer = Person.objects.select_related("org_membership").get(pk=credentials.person.pk)
    items, _ = sharing_bench.prepare(viewer, say)
    insights_bench._add_data(say)
    metrics = metrics_bench._add_catalog(say)
    main = Network.objects.get(slug=synthetic.SLUG)
    measurements = Measurement.objects.filter(metric__in=metrics).count()
    if not measurements:
        slugs = list(
            Organization.objects.filter(pk__in=synthetic._active_orgs(main))
            .order_by("slug")
            .values_list("slug", flat=True)
        )
        path = Path(settings.VAR_DIR) / "bench-measurements.csv"
        rows = metrics_bench._write_csv(path, metrics, slugs, args.measurements)
        say(f"Importing {rows:,} measurements for the metric dashboard (once)…")
        metrics_bench._import(path, metrics, say)
        measurements = Measurement.objects.filter(metric__in=metrics).count()
    facts = {
        "organizations": Organization.objects.count(),
        "people": Person.objects.count(),
        "items": items,
        "measurements": measurements,
        "metric": metrics[0].pk if metrics else None,
    }
    return database_url, credentials, facts


# Server and load --------------------------------------------------------------------------------


def _server_command(kind: str, port: int, workers: int, threads: int) -> list[str]:
    pin = ["taskset", "-c", SERVER_CPU] if shutil.which("taskset") else []
    if kind == "granian":
        return [
            *pin,
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            bench.LOOPBACK,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--no-ws",
            "--log-level",
            "warning",
            "consortia.wsgi:application",
        ]
    return [
        *pin,
        sys.executable,
        "-m",
        "consortia.cli",
        "serve",
        "--host",
        bench.LOOPBACK,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]


class Server(bench.Server):
    """bench.Server with the benchmark settings, pinned to its own CPU, gthread or granian."""

    def __init__(self, kind: str, **kwargs):
        super().__init__(**kwargs)
        self.kind = kind

    def __enter__(self):
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "HTTPS": "false",
            "CONSORTIA_BENCHMARK": "true",
            "DJANGO_SETTINGS_MODULE": "consortia.settings",
        }
        if self.kind == "granian":  # `consortia serve` does this for gunicorn
            import tempfile

            env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="consortia-prom-")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            _server_command(self.kind, self.port, self.workers, self.threads),
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self


def granian_available() -> bool:
    try:
        import granian  # noqa: F401
    except ImportError:
        return False
    return True


def _get(port: int, path: str, headers: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection(bench.LOOPBACK, port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def parse_server_timing(value: str) -> dict[str, float]:
    figures = {}
    for part in value.split(","):
        name, _, rest = part.strip().partition(";")
        _, _, number = rest.partition("=")
        try:
            figures[name] = float(number)
        except ValueError:
            continue
    return figures


def profile(page: Page, port: int, headers: dict, repeat: int) -> None:
    """On the idle server, one request at a time: the median split and the largest costs."""
    splits, costs = [], {}
    for index in range(repeat):
        status, answer = _get(port, page.path if index % 2 == 0 else page.later, headers)
        if status != 200:
            page.errors.append(f"{page.path} answered HTTP {status}")
            return
        if index == 0:
            continue  # warm-up
        splits.append(parse_server_timing(answer.get("server-timing", "")))
        for name, ms in json.loads(answer.get("x-bench-costs", "{}")).items():
            costs.setdefault(name, []).append(ms)
    if not splits:
        return
    page.split = {
        key: round(statistics.median(s.get(key, 0.0) for s in splits), 2)
        for key in ("total", "cpu", "db", "view", "tpl", "mw", "q")
    }
    ranked = sorted(
        ((name, sum(v) / len(splits)) for name, v in costs.items()), key=lambda x: -x[1]
    )
    page.costs = [(name, round(ms, 2)) for name, ms in ranked[:3]]


_LUA = """
local paths = {%(paths)s}
local i = 0
%(headers)s
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, \\"p95_us\\": %%d, "
    .. "\\"p99_us\\": %%d, \\"max_us\\": %%d, \\"non2xx\\": %%d, \\"errors\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def wrk_script(paths: list[str], headers: dict, folder: Path) -> Path:
    lua_paths = ", ".join(json.dumps(p) for p in paths)
    lua_headers = "\n".join(
        f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()
    )
    path = folder / "bench-wrk.lua"
    path.write_text(_LUA % {"paths": lua_paths, "headers": lua_headers})
    return path


def parse_wrk(output: str) -> dict:
    for line in output.splitlines():
        if line.startswith("BENCHJSON "):
            raw = json.loads(line[len("BENCHJSON ") :])
            seconds = raw["duration_us"] / 1e6
            return {
                "requests": raw["requests"],
                "seconds": round(seconds, 3),
                "rps": round(raw["requests"] / seconds, 2) if seconds else 0.0,
                "p50_ms": round(raw["p50_us"] / 1000, 2),
                "p95_ms": round(raw["p95_us"] / 1000, 2),
                "p99_ms": round(raw["p99_us"] / 1000, 2),
                "max_ms": round(raw["max_us"] / 1000, 2),
                "failed": raw["non2xx"] + raw["errors"],
            }
    raise CliError(f"wrk printed no figures: {output.strip()[-300:]}", 1)


def drive(port: int, paths: list[str], headers: dict, seconds: float, folder: Path) -> dict:
    """wrk on CLIENT_CPU, one thread, CONNECTIONS keep-alive connections, for `seconds`."""
    script = wrk_script(paths, headers, folder)
    pin = ["taskset", "-c", CLIENT_CPU] if shutil.which("taskset") else []
    command = [
        *pin,
        "wrk",
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        f"http://{bench.LOOPBACK}:{port}{paths[0]}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return parse_wrk(done.stdout + done.stderr)


# Report -----------------------------------------------------------------------------------------


def ratios(load: dict, base: dict) -> dict:
    return {
        "rate_ratio": round(load["rps"] / base["rps"], 3) if base["rps"] else 0.0,
        "p95_ratio": round(load["p95_ms"] / base["p95_ms"], 3) if base["p95_ms"] else 0.0,
    }


def combine(before: dict, after: dict) -> dict:
    """The baseline's reference: the mean of its runs before and after the pages."""
    merged = {k: round((before[k] + after[k]) / 2, 2) for k in ("rps", "p50_ms", "p95_ms")}
    return {**merged, "before": before, "after": after}


def table(page_list: list[Page], kind: str, base: dict) -> tuple[str, bool]:
    good, bad = bench.marks()
    header = (
        "page",
        "p50 ms",
        "p95 ms",
        "req/s",
        "rate/base",
        "p95/base",
        "queries",
        "in-process ms (cpu; db/view/tpl/mw)",
        "largest costs (ms, idle)",
    )
    rows = [
        (
            "baseline (50 rows, bare)",
            f"{base['p50_ms']:.1f}",
            f"{base['p95_ms']:.1f}",
            f"{base['rps']:.0f}",
            "1.00",
            "1.00",
            "",
            "",
            "",
        )
    ]
    all_met = True
    for page in page_list:
        load = page.load.get(kind)
        if not load:
            rows.append((page.name, "—", "—", "—", "—", "—", "", "", "; ".join(page.errors)))
            all_met = False
            continue
        fast = load["rate_ratio"] >= TARGET_RATE and not load["failed"]
        steady = load["p95_ratio"] <= TARGET_P95
        flat = None not in page.queries and len(set(page.queries)) == 1
        all_met &= fast and steady and flat
        split = page.split
        rows.append(
            (
                page.name,
                f"{load['p50_ms']:.1f}",
                f"{load['p95_ms']:.1f}",
                f"{load['rps']:.0f}",
                f"{good if fast else bad} {load['rate_ratio']:.2f}",
                f"{good if steady else bad} {load['p95_ratio']:.2f}",
                "/".join("?" if q is None else str(q) for q in page.queries)
                + ("" if flat else " (not flat)"),
                f"{split.get('total', 0):.1f} ({split.get('cpu', 0):.1f}; {split.get('db', 0):.1f}/"
                f"{split.get('view', 0):.1f}/{split.get('tpl', 0):.1f}/{split.get('mw', 0):.1f})"
                if split
                else "",
                "; ".join(f"{name} {ms:.1f}" for name, ms in page.costs),
            )
        )
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(widths[i]) if i in (0, 8) else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in (header, *rows)
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for page in page_list:
        load = page.load.get(kind)
        if load and load["failed"]:
            lines.append(f"  {page.path}: {load['failed']} failed requests (non-2xx or socket)")
        for error in page.errors:
            lines.append(f"  {page.name}: {error}")
    return "\n".join(lines), all_met


def summary(page_list: list[Page], kind: str) -> str:
    measured = [(p.load[kind]["rate_ratio"], p.name) for p in page_list if p.load.get(kind)]
    if not measured:
        return "speed: worst page ratio=— (none) median ratio=—"
    worst = min(measured)
    median = statistics.median(r for r, _ in measured)
    return f"speed: worst page ratio={worst[0]:.2f} ({worst[1]}) median ratio={median:.2f}"


def write_json(path: str, figures: dict, say) -> None:
    target = Path(path)
    data = {}
    if target.exists():
        try:
            data = json.loads(target.read_text())
        except (OSError, json.JSONDecodeError):
            data = {}
        if not isinstance(data, dict):
            data = {}
    data["speed"] = figures
    try:
        target.write_text(json.dumps(data, indent=2) + "\n")
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}", 2) from None
    say(f"figures written to {path}")


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


# Run --------------------------------------------------------------------------------------------


def run(args) -> tuple[int, bool]:
    say = bench.say
    if not shutil.which("wrk"):
        raise CliError(
            "wrk is missing: run `make bench` (it installs Debian's wrk) or apt-get install wrk", 1
        )
    if getattr(args, "json", None) and not Path(args.json).resolve().parent.is_dir():
        raise CliError(f"cannot write {args.json}: no such folder", 2)
    database_url, credentials, facts = prepare(args, say)
    from django.conf import settings
    from django.db import connections

    from consortia.bench import synthetic

    quick = getattr(args, "quick", False)
    seconds = 1 if quick else args.seconds
    ids = synthetic.landmarks()
    page_list = pages(ids, facts["metric"])
    if quick:  # the test suite: the machinery, on three pages
        page_list = [p for p in page_list if p.name in QUICK_PAGES]
    kinds = ["gthread"] + (["granian"] if granian_available() and not quick else [])
    baselines: dict[str, dict] = {}
    try:
        for page in page_list:
            counts, errors = bench.count_queries(page.scenario(), credentials)
            page.queries, page.errors = tuple(counts), list(errors)
        connections.close_all()
        folder = Path(settings.VAR_DIR)
        for kind in kinds:
            log_path = folder / f"bench-server-{kind}.log"
            with Server(
                kind,
                database_url=database_url,
                workers=args.workers,
                threads=args.threads,
                log_path=log_path,
            ) as server:
                say(
                    f"Server: {kind}, {args.workers} worker(s) x {args.threads} threads on CPU "
                    f"{SERVER_CPU}; wrk -c{CONNECTIONS} on CPU {CLIENT_CPU}, {seconds}s per page "
                    f"(log: {log_path})"
                )
                cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={credentials.session_key}"}
                from consortia.bench.instrument import BASELINE_PATH

                status, _ = _get(server.port, BASELINE_PATH, cookie)
                if status != 200:
                    raise CliError(f"the baseline page answered HTTP {status}", 1)
                drive(server.port, [BASELINE_PATH], cookie, 1, folder)  # warm-up
                before = drive(server.port, [BASELINE_PATH], cookie, seconds, folder)
                for page in page_list:
                    headers = credentials.headers(page.scenario())
                    if kind == kinds[0]:
                        profile(page, server.port, headers, 3 if quick else 11)
                    if page.errors:
                        continue
                    load = drive(server.port, [page.path, page.later], headers, seconds, folder)
                    page.load[kind] = load
                    say(f"  {page.name}: {load['rps']:.0f} req/s, p95 {load['p95_ms']:.0f} ms")
                after = drive(server.port, [BASELINE_PATH], cookie, seconds, folder)
                baselines[kind] = combine(before, after)
                for page in page_list:
                    if kind in page.load:
                        page.load[kind].update(ratios(page.load[kind], baselines[kind]))
    finally:
        bench.sign_out(credentials)

    def median_ratio(kind):
        found = [p.load[kind]["rate_ratio"] for p in page_list if kind in p.load]
        return statistics.median(found) if found else 0.0

    best = max(kinds, key=lambda kind: median_ratio(kind) * baselines[kind]["rps"])
    load_average = os.getloadavg()
    say("")
    say(
        f"{facts['organizations']:,} organizations, {facts['people']:,} people, "
        f"{facts['items']:,} items, {facts['measurements']:,} measurements; "
        f"{_vendor()}; load average {load_average[0]:.2f} "
        f"{load_average[1]:.2f} {load_average[2]:.2f}."
    )
    for kind in kinds:
        pages_rps = sum(p.load[kind]["rps"] for p in page_list if kind in p.load)
        say(
            f"  {kind}: baseline {baselines[kind]['rps']:.0f} req/s "
            f"(before {baselines[kind]['before']['rps']:.0f}, after "
            f"{baselines[kind]['after']['rps']:.0f}), p95 {baselines[kind]['p95_ms']:.1f} ms; "
            f"pages' median ratio {median_ratio(kind):.2f}, sum of pages' req/s {pages_rps:.0f}"
            + ("  ← the faster" if kind == best and len(kinds) > 1 else "")
        )
    text, all_met = table(page_list, best, baselines[best])
    say(f"Pages on {best} (targets: rate ≥ {TARGET_RATE}x baseline, p95 ≤ {TARGET_P95}x):")
    say(text)
    figures = {
        "database": _vendor(),
        "facts": facts,
        "load_average": load_average,
        "connections": CONNECTIONS,
        "seconds": seconds,
        "workers": args.workers,
        "threads": args.threads,
        "servers": kinds,
        "faster": best,
        "baseline": baselines,
        "pages": {
            page.name: {
                "path": page.path,
                "later": page.later,
                "queries": page.queries,
                "in_process_ms": page.split,
                "largest_costs_ms": page.costs,
                "load": page.load,
                "errors": page.errors,
            }
            for page in page_list
        },
    }
    if getattr(args, "json", None):
        write_json(args.json, figures, say)
    say(summary(page_list, best))
    failed = any(p.errors for p in page_list) or any(
        p.load.get(k, {}).get("failed") for p in page_list for k in kinds
    )
    return (1 if failed else 0), all_met
