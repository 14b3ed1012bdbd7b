"""The tally part of `consortia bench`: our counts against the oracle library on one file.

A seeded random profile of 10,000 strict ballots over 20 candidates (most rank everyone, the
rest stop early) is written as a ballot file in the export format (`consortia tally` reads it),
read back, and counted with Schulze, ranked pairs and instant runoff by our tally and by
python-vote-core (module ``py3votecore``), the oracle of tests/decisions/test_tally_oracle.py.

Timings are the best of several runs, in the same process. Our time includes everything
`tally()` does with the file's dict (validation, parsing, counting). The oracle's time starts
once its input is built: turning our ballots into its ``{"count", "ballot"}`` list is not
timed (it is cheap next to its count, and it is not part of its algorithm).

Winners are compared as the oracle test does: sets for Schulze and ranked pairs (the oracle
reports ``tied_winners`` when several tie); for IRV, the oracle replays our elimination order
as its tie-breaker list, and, when our count broke no tie, must also agree with the plain
candidate order.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SEED = 20261122
BALLOTS = 10_000
CANDIDATES = 20
METHODS = ("schulze", "ranked_pairs", "irv")
TARGET_RATIO = 10.0


def profile(ballots: int = BALLOTS, candidates: int = CANDIDATES, seed: int = SEED) -> dict:
    """A deterministic ballot file: voters rank by a noisy view of each candidate's appeal
    (Plackett-Luce with Gumbel noise), 70% rank every candidate, 30% stop after 1 to n-1."""
    rng = random.Random(seed)
    names = [f"Candidate {i + 1:02d}" for i in range(candidates)]
    appeal = [rng.uniform(0.0, 2.0) for _ in names]
    rows = []
    for _ in range(ballots):
        noisy = [a - 0.9 * _gumbel(rng) for a in appeal]
        order = sorted(range(candidates), key=noisy.__getitem__, reverse=True)
        if rng.random() < 0.3:
            order = order[: rng.randint(1, candidates - 1)]
        rows.append({"ranking": [names[i] for i in order]})
    return {"candidates": names, "ballots": rows}


def _gumbel(rng: random.Random) -> float:
    return -math.log(-math.log(rng.random() or 1e-300))


def write_profile(path: Path, data: dict) -> None:
    """The export file's shape (the fields `consortia tally` reads, plus a title)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"title": "consortia bench: synthetic ranked ballots", "method": "schulze", **data}
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


def read_profile(path: Path) -> dict:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {"candidates": raw["candidates"], "ballots": raw["ballots"]}


# The oracle -----------------------------------------------------------------------------------


def oracle_input(method: str, data: dict) -> list[dict]:
    if method == "irv":
        return [
            {"count": b.get("weight", 1), "ballot": list(b["ranking"])} for b in data["ballots"]
        ]
    return [
        {
            "count": b.get("weight", 1),
            "ballot": [g if isinstance(g, list) else [g] for g in b["ranking"]],
        }
        for b in data["ballots"]
    ]


def oracle_count(method: str, ballots: list[dict], tie_breaker: list[str]):
    from py3votecore.condorcet import CondorcetHelper
    from py3votecore.irv import IRV
    from py3votecore.ranked_pairs import RankedPairs
    from py3votecore.schulze_method import SchulzeMethod

    if method == "irv":
        return IRV(ballots, tie_breaker=tie_breaker)
    cls = SchulzeMethod if method == "schulze" else RankedPairs
    return cls(
        ballots,
        tie_breaker=tie_breaker,
        ballot_notation=CondorcetHelper.BALLOT_NOTATION_GROUPING,
    )


def oracle_winners(result) -> set[str]:
    return set(getattr(result, "tied_winners", None) or {result.winner})


def agree(method: str, data: dict, ours: dict, oracle_result, ballots: list[dict]) -> bool:
    """Whether our winners are the oracle's, compared as in tests/decisions."""
    if method != "irv":
        return set(ours["winners"]) == oracle_winners(oracle_result)
    if len(ours["winners"]) != 1:
        return False
    (winner,) = ours["winners"]
    rounds = ours["details"]["rounds"]
    eliminated = [r["eliminated"] for r in rounds if "eliminated" in r]
    survivors = [c for c in data["candidates"] if c != winner and c not in eliminated]
    replay = oracle_count("irv", ballots, [winner, *survivors, *reversed(eliminated)])
    if replay.winner != winner:
        return False
    if any("tied" in r for r in rounds):
        return True
    return oracle_result.winner == winner


# Timing ---------------------------------------------------------------------------------------


@dataclass
class TallyResult:
    method: str
    ours_ms: float
    oracle_ms: float
    ours_runs: int
    oracle_runs: int
    ours_winners: list[str]
    oracle_winners: list[str]
    identical: bool

    @property
    def ratio(self) -> float:
        return self.oracle_ms / self.ours_ms if self.ours_ms else float("inf")


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        value = work()
        best = min(best, time.perf_counter() - started)
    return best * 1000, value


def measure(data: dict, *, ours_runs: int = 5, oracle_runs: int = 2) -> list[TallyResult]:
    from consortia.decisions.tally import tally

    results = []
    for method in METHODS:
        ours_ms, ours = best_of(ours_runs, lambda m=method: tally(m, data))
        ballots = oracle_input(method, data)  # not timed
        tie_breaker = list(data["candidates"])
        oracle_ms, oracle = best_of(
            oracle_runs, lambda m=method, b=ballots, t=tie_breaker: oracle_count(m, b, t)
        )
        results.append(
            TallyResult(
                method=method,
                ours_ms=ours_ms,
                oracle_ms=oracle_ms,
                ours_runs=ours_runs,
                oracle_runs=oracle_runs,
                ours_winners=list(ours["winners"]),
                oracle_winners=sorted(oracle_winners(oracle)),
                identical=agree(method, data, ours, oracle, ballots),
            )
        )
    return results


def report(results: list[TallyResult], marks: tuple[str, str]) -> tuple[str, bool]:
    """The table, and whether every method was ≥ TARGET_RATIO faster with identical winners."""
    good, bad = marks
    header = ("method", "ours ms", "oracle ms", "ratio", f"≥ {TARGET_RATIO:g}x", "winners")
    rows, all_met = [], True
    for r in results:
        fast = r.ratio >= TARGET_RATIO
        all_met &= fast and r.identical
        rows.append(
            (
                r.method.replace("_", " "),
                f"{r.ours_ms:.1f}",
                f"{r.oracle_ms:.1f}",
                f"{r.ratio:.1f}x",
                good if fast else bad,
                f"{good if r.identical else bad} {', '.join(r.ours_winners)}"
                + ("" if r.identical else f" (oracle: {', '.join(r.oracle_winners)})"),
            )
        )
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(widths[i]) if i in (0, len(header) - 1) else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in (header, *rows)
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines), all_met


def run(args) -> tuple[int, bool]:
    """Count the same file with ours and the oracle; returns (0, whether every target was met)."""
    from consortia.bench import run as bench

    say, marks = bench.say, bench.marks()
    try:
        import py3votecore  # noqa: F401
    except ImportError:
        raise bench.CliError(
            "the tally section compares with py-vote-core, a test-only dependency: install "
            "`consortia[dev]`, or run another section (`--only web`)"
        ) from None
    path = bench.var_dir() / "bench-ballots.json"
    write_profile(path, profile())
    data = read_profile(path)
    say(
        f"Tally: {len(data['ballots']):,} ballots x {len(data['candidates'])} candidates "
        f"({path}); best of 5 runs for ours, of 2 for the oracle (py-vote-core; its input "
        "conversion is not timed)…"
    )
    results = measure(data)
    table, all_met = report(results, marks)
    say(table)
    return 0, all_met
