"""The benchmark's synthetic data is valid, and its report says plainly what failed."""

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from consortia.bench import run, synthetic, tally_bench
from consortia.core.models import Event
from consortia.networks.models import Network, NetworkMembership, Organization, Person

SMALL = synthetic.Size(organizations=12, people=40, events=100)


@pytest.mark.django_db
def test_it_generates_the_requested_size_and_recognises_it():
    assert synthetic.is_disposable()  # an empty database
    synthetic.generate(SMALL, say=lambda message: None)
    assert Organization.objects.count() == 12
    assert Person.objects.count() == 40
    assert Event.objects.count() == 100
    assert all(person.org_membership for person in Person.objects.select_related("org_membership"))
    main = Network.objects.get(slug=synthetic.SLUG)
    assert NetworkMembership.objects.filter(network=main, status="active").count() >= 10
    assert synthetic.is_ready(SMALL)
    assert not synthetic.is_ready(synthetic.Size(organizations=12, people=40, events=101))
    assert synthetic.is_disposable()


@pytest.mark.django_db
def test_its_rows_pass_the_models_validation():
    synthetic.generate(SMALL, say=lambda message: None)
    for model in (Organization, Person, NetworkMembership, Network, Event):
        for row in model.objects.all()[:25]:
            row.full_clean()


@pytest.mark.django_db
def test_it_never_offers_to_wipe_a_database_with_real_data(world):
    assert not synthetic.is_disposable()


def test_the_report_marks_missed_targets_and_failed_requests():
    fast = run.Result(run.SCENARIOS[2], queries=(3, 3), latencies=[0.010] * 20, seconds=0.5)
    broken = run.Result(
        run.SCENARIOS[0],
        queries=(None, None),
        failures=Counter({"HTTP 404": 20}),
        seconds=0.5,
        query_errors=["/n/bench/members/ answered HTTP 404"],
    )
    table, all_met, any_failed = run.report([fast, broken])
    assert not all_met
    assert any_failed
    assert "20 x HTTP 404" in table
    assert "10.0" in table  # p50 of the fast endpoint, in milliseconds


# The poll and initiative scenarios ------------------------------------------------------------


@pytest.mark.django_db
def test_its_polls_have_an_electorate_and_an_unbroken_ballot_log():
    from consortia.decisions import services as decisions
    from consortia.decisions.models import Ballot, BallotRecord, Poll, PollVoter

    synthetic.generate(SMALL, say=lambda message: None)
    ids = synthetic.landmarks()
    assert all(ids.values())
    active = NetworkMembership.objects.filter(network__slug=synthetic.SLUG, status="active").count()
    assert PollVoter.objects.filter(poll_id=ids["poll"]).count() == active
    for pk in (ids["poll"], ids["small_poll"]):
        poll = Poll.objects.get(pk=pk)
        poll.full_clean()
        assert poll.state == "open"
        voters = set(PollVoter.objects.filter(poll=poll).values_list("organization_id", flat=True))
        previous = decisions.GENESIS
        records = list(BallotRecord.objects.filter(poll=poll).order_by("seq"))
        assert [r.seq for r in records] == list(range(1, len(records) + 1))
        for record in records:
            record.full_clean()
            assert record.organization_id in voters
            assert record.previous_hash == previous
            assert record.hash == decisions.chain_hash(previous, decisions.record_payload(record))
            assert record.ballot_key == decisions.ballot_key(poll, record.organization_id)
            decisions.clean_choice(poll, record.choice)  # a ballot the services would accept
            previous = record.hash
        viewer = NetworkMembership.objects.filter(
            network__slug=synthetic.SLUG, status="active"
        ).order_by("organization__slug")[0]
        assert viewer.organization_id in {r.organization_id for r in records}  # same page state
        ballots = {b.organization_id: b for b in Ballot.objects.filter(poll=poll)}
        assert len(ballots) == len(records) > 0
        for record in records:
            assert ballots[record.organization_id].receipt == record.hash
        decisions.compute_result(poll)  # the live result counts


@pytest.mark.django_db
def test_its_initiatives_have_participants_plans_requests_and_commitments():
    from consortia.initiatives import models
    from consortia.initiatives.permissions import current_leader

    synthetic.generate(SMALL, say=lambda message: None)
    ids = synthetic.landmarks()
    initiative = models.Initiative.objects.get(pk=ids["initiative"])
    initiative.full_clean()
    assert current_leader(initiative) is not None
    participants = models.Participation.objects.filter(initiative=initiative, status="active")
    assert participants.count() >= 10
    assert models.JointPlan.objects.filter(initiative=initiative).count() == 3
    for model in (
        models.Participation,
        models.JointPlan,
        models.PlanAcceptance,
        models.Request,
        models.Commitment,
        models.LeadershipTerm,
    ):
        rows = list(model.objects.all()[:25])
        assert rows, model
        for row in rows:
            row.full_clean()
    assert models.Commitment.objects.filter(initiative=initiative).exists()


def test_the_web_scenarios_point_at_the_synthetic_poll_and_initiative():
    ids = {"poll": 7, "small_poll": 8, "initiative": 3, "small_initiative": 4}
    by_name = {s.name: run.resolve(s, ids) for s in run.SCENARIOS}
    assert by_name["poll page"].path == "/n/bench/decisions/7/"
    assert by_name["poll page"].later == "/n/bench/decisions/8/"
    assert by_name["initiative page"].path == "/n/bench/initiatives/3/"
    assert by_name["member list page"] == run.SCENARIOS[0]  # the others are unchanged


# The tally comparison -------------------------------------------------------------------------


def test_the_tally_profile_is_deterministic_and_round_trips_through_the_file(tmp_path):
    first = tally_bench.profile(ballots=300, candidates=8)
    assert first == tally_bench.profile(ballots=300, candidates=8)
    assert first != tally_bench.profile(ballots=300, candidates=8, seed=1)
    lengths = {len(b["ranking"]) for b in first["ballots"]}
    assert 8 in lengths and len(lengths) > 2  # full and truncated rankings
    for ballot in first["ballots"]:
        assert len(set(ballot["ranking"])) == len(ballot["ranking"])  # strict
    path = tmp_path / "ballots.json"
    tally_bench.write_profile(path, first)
    assert tally_bench.read_profile(path) == first


def test_the_tally_comparison_agrees_with_the_oracle_and_flags_a_mismatch():
    from consortia.decisions.tally import tally

    data = tally_bench.profile(ballots=400, candidates=6)
    results = tally_bench.measure(data, ours_runs=1, oracle_runs=1)
    assert [r.method for r in results] == list(tally_bench.METHODS)
    assert all(r.identical for r in results)
    table, all_met = tally_bench.report(results, ("ok", "MISS"))
    assert "schulze" in table and "ranked pairs" in table and "irv" in table

    for method in tally_bench.METHODS:
        ballots = tally_bench.oracle_input(method, data)
        oracle = tally_bench.oracle_count(method, ballots, list(data["candidates"]))
        ours = tally(method, data)
        assert tally_bench.agree(method, data, ours, oracle, ballots)
        loser = next(c for c in data["candidates"] if c not in ours["winners"])
        wrong = {**ours, "winners": [loser]}
        assert not tally_bench.agree(method, data, wrong, oracle, ballots)

    slow = [
        tally_bench.TallyResult("schulze", 10.0, 50.0, 1, 1, ["A"], ["A"], True),
        tally_bench.TallyResult("irv", 1.0, 100.0, 1, 1, ["A"], ["B"], False),
    ]
    table, all_met = tally_bench.report(slow, ("ok", "MISS"))
    assert not all_met
    assert "5.0x" in table and "MISS A (oracle: B)" in table


def test_the_report_flags_a_query_count_that_grows_with_the_data():
    grows = run.Result(run.SCENARIOS[3], queries=(9, 8), latencies=[0.010] * 20, seconds=0.5)
    table, all_met, any_failed = run.report([grows])
    assert not all_met and not any_failed
    assert "9 (not flat)" in table


# The speed section ------------------------------------------------------------------------------


def test_the_speed_section_reads_wrk_and_server_timing():
    from consortia.bench import speed_bench

    out = (
        'Running 8s test\nBENCHJSON {"requests": 400, "duration_us": 8000000, "p50_us": 9000,'
        ' "p95_us": 21000, "p99_us": 30000, "max_us": 41000, "non2xx": 0, "errors": 0}\n'
    )
    load = speed_bench.parse_wrk(out)
    assert load["rps"] == 50.0 and load["p50_ms"] == 9.0 and load["p95_ms"] == 21.0
    assert load["failed"] == 0
    base = {"rps": 100.0, "p95_ms": 10.0}
    assert speed_bench.ratios(load, base) == {"rate_ratio": 0.5, "p95_ratio": 2.1}
    timing = speed_bench.parse_server_timing("total;dur=12.5, db;dur=3.25, tpl;dur=4, q;desc=7")
    assert timing == {"total": 12.5, "db": 3.25, "tpl": 4.0, "q": 7.0}


def test_the_speed_summary_is_the_worst_and_median_throughput_ratio():
    from consortia.bench import speed_bench

    pages = [speed_bench.Page(name, "/x/", "/x/") for name in ("members", "poll", "health")]
    for page, ratio in zip(pages, (0.8, 0.3, 0.6), strict=True):
        page.queries = (5, 5)
        page.load["gthread"] = {
            "rps": 10 * ratio,
            "p50_ms": 5.0,
            "p95_ms": 9.0,
            "failed": 0,
            "rate_ratio": ratio,
            "p95_ratio": 1.5,
        }
    line = speed_bench.summary(pages, "gthread")
    assert line == "speed: worst page ratio=0.30 (poll) median ratio=0.60"
    text, all_met = speed_bench.table(pages, "gthread", {"rps": 10.0, "p50_ms": 3, "p95_ms": 6})
    assert not all_met  # the poll is under half the baseline's throughput
    assert "baseline (50 rows, bare)" in text and "0.30" in text


def test_the_benchmark_settings_time_each_request_and_serve_a_bare_baseline(world, settings):
    """Only the benchmark's URLconf knows the baseline; its middleware reports the split."""
    from django.test import Client

    from consortia.bench import instrument, speed_bench

    client = Client()
    client.force_login(world.leader)
    assert client.get(instrument.BASELINE_PATH).status_code == 404  # not in production

    settings.ROOT_URLCONF = "consortia.bench.urls"
    settings.MIDDLEWARE = ["consortia.bench.instrument.TimingMiddleware", *settings.MIDDLEWARE]
    client = Client()  # a client loads the middleware once
    client.force_login(world.leader)
    response = client.get("/n/northwind/members/")
    assert response.status_code == 200
    split = speed_bench.parse_server_timing(response["Server-Timing"])
    assert {"total", "db", "view", "tpl", "mw", "cpu", "q"} <= set(split)
    assert split["q"] > 0 and split["tpl"] > 0
    assert split["total"] >= split["db"] + split["tpl"] - 0.01
    costs = json.loads(response["X-Bench-Costs"])
    assert 1 <= len(costs) <= 3
    assert any(name.startswith("template ") for name in costs) or "view code" in costs

    settings.BENCHMARK = True
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, headers

    handler = instrument.wrap(lambda environ, start: pytest.fail("the app answered"))
    environ = RequestFactory()._base_environ(PATH_INFO=instrument.BASELINE_PATH)
    environ["HTTP_COOKIE"] = f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}"
    # As Django's test client does: a request must not close the test's transaction's
    # connection (PostgreSQL would then find it closed).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(handler(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert seen["status"].startswith("200")
    assert body.count(b"<tr>") == 1 + min(instrument.BASELINE_ROWS, Organization.objects.count())
    # No middleware beyond sessions and auth: none of the app's headers.
    names = {name.lower() for name, _ in seen["headers"]}
    assert not names & {"x-frame-options", "content-security-policy", "server-timing"}


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is missing (make bench installs it)")
def test_the_speed_section_runs_end_to_end_in_its_quick_mode(tmp_path):
    """A tiny network, three pages for a second each: the last line is the summary."""
    env = {
        **os.environ,
        "CONSORTIA_VAR_DIR": str(tmp_path),
        "SHARING_BENCH_ITEMS": "200",
        "FAST_PASSWORD_HASHING": "true",
    }
    env.pop("DATABASE_URL", None)
    env.pop("BENCH_DATABASE_URL", None)
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [
            *[sys.executable, "-m", "consortia.cli", "bench", "--only", "speed", "--quick"],
            *["--organizations", "12", "--people", "40", "--events", "100"],
            *["--measurements", "300", "--json", str(figures)],
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"speed: worst page ratio=\d+\.\d\d \(.+\) median ratio=\d+\.\d\d", last)
    data = json.loads(figures.read_text())["speed"]
    assert set(data["pages"]) == {"dashboard", "members", "API organizations"}
    for page in data["pages"].values():
        load = page["load"]["gthread"]
        assert load["failed"] == 0  # (a busy machine may finish few requests in a second)
        assert {"p50_ms", "p95_ms", "rps", "rate_ratio", "p95_ratio"} <= set(load)
        assert page["queries"][0] == page["queries"][1]
        assert page["in_process_ms"]["total"] > 0 and page["largest_costs_ms"]
    assert data["baseline"]["gthread"]["rps"] > 0
