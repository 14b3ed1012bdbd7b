"""Our tallies against an independent, well-known implementation: python-vote-core
(package ``py-vote-core``, module ``py3votecore``, by Brad Beattie, maintained by VoteIT).

Where the oracle's rules differ from ours the comparison is adapted, never skipped:

* Schulze: the oracle finds the winners by Schwartz sequential dropping (winning votes), which
  gives the same winner set as our beatpath computation; when that set has several members the
  oracle picks one with its tie-breaker and reports the set as ``tied_winners``, so we compare
  sets. The oracle drops candidates that appear on no ballot and cannot read blank ballots, so
  the profiles give it neither (they change no pairwise count).
* Ranked pairs: the oracle sorts majorities by winning votes, we sort by margins (Tideman). The
  two orders coincide when every ballot ranks every candidate strictly (then margin =
  2 * winning votes - total weight), so that is what we compare on; our tie-break for equal
  margins (candidate order of the pair's winner, then loser) is the oracle's tie-breaker when
  given the candidate list. When two candidates tie exactly, the oracle first elects the
  candidates that no majority beats, if there are any, while we report every candidate nobody
  is locked above: then the oracle's winners must be among ours.
* IRV: the oracle eliminates the tied candidate that comes last in its tie-breaker list but
  knows nothing of our look-back to earlier rounds. Any sequence of eliminations is reproduced
  by the list "winner, other survivors, then the eliminated in reverse order", so we hand the
  oracle that list and expect the same winner; with no tie on the way we also expect the
  oracle's winner with the plain candidate list. The oracle stops at a quota fixed from the first
  round while we stop at a majority of the continuing votes; the winner is the same. The oracle
  has no equal ranks, so IRV profiles are strict (truncated, weighted).

Both of our counting paths (ballot by ballot and column-wise bitsets) are checked.
"""

import random
from contextlib import contextmanager

import pytest
from py3votecore.condorcet import CondorcetHelper
from py3votecore.irv import IRV
from py3votecore.plurality import Plurality
from py3votecore.ranked_pairs import RankedPairs
from py3votecore.schulze_method import SchulzeMethod

from consortia.decisions import tally as tally_module
from consortia.decisions.tally import tally

GROUPING = CondorcetHelper.BALLOT_NOTATION_GROUPING
NAMES = ["Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus"]


@contextmanager
def counting_path(path):
    """Force the ballot-by-ballot path ("loop") or the column-wise bitsets ("bits")."""
    saved = tally_module._BITSET_MIN_BALLOTS
    tally_module._BITSET_MIN_BALLOTS = 1 if path == "bits" else 10**9
    try:
        yield
    finally:
        tally_module._BITSET_MIN_BALLOTS = saved


def random_profile(rng, *, ties, truncate, weights, min_cands=2, max_cands=6, max_ballots=25):
    """A profile whose every candidate appears on some ballot and with no blank ballot."""
    cands = NAMES[: rng.randint(min_cands, max_cands)]
    ballots = []
    for _ in range(rng.randint(1, max_ballots)):
        order = cands[:]
        rng.shuffle(order)
        if truncate and rng.random() < 0.5:
            order = order[: rng.randint(1, len(order))]
        ranking = []
        for name in order:
            if ties and ranking and rng.random() < 0.3:
                last = ranking[-1]
                ranking[-1] = [*last, name] if isinstance(last, list) else [last, name]
            else:
                ranking.append(name)
        ballot = {"ranking": ranking}
        if weights:
            ballot["weight"] = rng.choice([1, 1, 2, 3, 7])
        ballots.append(ballot)
    present = {
        n for b in ballots for g in b["ranking"] for n in (g if isinstance(g, list) else [g])
    }
    return {"candidates": [c for c in cands if c in present], "ballots": ballots}


def grouped(ranking):
    return [g if isinstance(g, list) else [g] for g in ranking]


def oracle_condorcet(cls, data):
    ballots = [
        {"count": b.get("weight", 1), "ballot": grouped(b["ranking"])}
        for b in data["ballots"]
        if b.get("weight", 1)
    ]
    result = cls(ballots, tie_breaker=list(data["candidates"]), ballot_notation=GROUPING)
    winners = getattr(result, "tied_winners", None) or {result.winner}
    return result, set(winners)


def usable(data):
    """The oracle needs a positive weight on some ballot naming every candidate."""
    weighted = [b for b in data["ballots"] if b.get("weight", 1)]
    present = {n for b in weighted for g in grouped(b["ranking"]) for n in g}
    return weighted and present == set(data["candidates"])


def profiles(seed, count, **kinds):
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        data = random_profile(rng, **kinds)
        if usable(data):
            out.append(data)
    return out


@pytest.mark.parametrize("path", ["loop", "bits"])
def test_it_agrees_with_the_oracle_on_schulze_pairwise_counts_and_winners(path):
    compared = ties_seen = 0
    for data in profiles(101, 150, ties=True, truncate=True, weights=True):
        expected, expected_winners = oracle_condorcet(SchulzeMethod, data)
        with counting_path(path):
            ours = tally("schulze", data)
        pairwise = ours["details"]["pairwise"]
        for (x, y), votes in expected.pairs.items():
            assert pairwise[x][y] == votes, (data, x, y)
        assert set(ours["winners"]) == expected_winners, data
        compared += 1
        ties_seen += len(expected_winners) > 1
    assert compared == 150
    assert ties_seen > 0  # the sample does exercise tied winners


@pytest.mark.parametrize("path", ["loop", "bits"])
def test_it_agrees_with_the_oracle_on_ranked_pairs_for_complete_strict_ballots(path):
    equal_margins_seen = no_exact_ties = 0
    for data in profiles(202, 150, ties=False, truncate=False, weights=True):
        _, expected_winners = oracle_condorcet(RankedPairs, data)
        with counting_path(path):
            ours = tally("ranked_pairs", data)
        pairwise = ours["details"]["pairwise"]
        exact_ties = any(pairwise[x][y] == pairwise[y][x] for x in pairwise for y in pairwise[x])
        if exact_ties:
            # the oracle first elects the candidates no majority beats, if any; we report every
            # candidate nobody is locked above, which includes them
            assert expected_winners <= set(ours["winners"]), data
        else:
            assert set(ours["winners"]) == expected_winners, data
            no_exact_ties += 1
        margins = [p["margin"] for p in ours["details"]["pairs"]]
        equal_margins_seen += len(margins) != len(set(margins))
    assert equal_margins_seen > 0  # the tie-break between equal margins is exercised
    assert no_exact_ties > 100


def oracle_irv(data, tie_breaker):
    ballots = [
        {"count": b.get("weight", 1), "ballot": list(b["ranking"])}
        for b in data["ballots"]
        if b.get("weight", 1)
    ]
    return IRV(ballots, tie_breaker=tie_breaker)


@pytest.mark.parametrize("path", ["loop", "bits"])
def test_it_agrees_with_the_oracle_on_instant_runoff(path):
    tie_breaks = 0
    for data in profiles(303, 200, ties=False, truncate=True, weights=True):
        with counting_path(path):
            ours = tally("irv", data)
        rounds = ours["details"]["rounds"]
        (winner,) = ours["winners"]
        eliminated = [r["eliminated"] for r in rounds if "eliminated" in r]
        survivors = [c for c in data["candidates"] if c != winner and c not in eliminated]
        replay = oracle_irv(data, [winner, *survivors, *reversed(eliminated)])
        assert replay.winner == winner, data
        if replay.rounds:  # the oracle counts no round when there is a single candidate
            assert rounds[0]["counts"] == replay.rounds[0]["tallies"], data
        if any("tied" in r for r in rounds):
            tie_breaks += 1
        else:
            assert oracle_irv(data, list(data["candidates"])).winner == winner, data
    assert tie_breaks > 0


def test_it_agrees_with_the_oracle_on_plurality():
    rng = random.Random(404)
    for _ in range(100):
        cands = NAMES[: rng.randint(2, 6)]
        ballots = [
            {"choice": rng.choice(cands), "weight": rng.randint(1, 4)}
            for _ in range(rng.randint(1, 20))
        ]
        ours = tally("plurality", {"candidates": cands, "ballots": ballots})
        oracle = Plurality(
            [{"count": b["weight"], "ballot": b["choice"]} for b in ballots], tie_breaker=cands
        )
        expected = getattr(oracle, "tied_winners", None) or {oracle.winner}
        assert set(ours["winners"]) == set(expected)


def test_it_agrees_with_the_oracle_on_a_large_profile():
    """Thousands of distinct ballots, as a real poll export: the column-wise path."""
    rng = random.Random(505)
    cands = [f"Candidate {i:02d}" for i in range(12)]
    ballots = []
    for _ in range(3000):
        order = cands[:]
        rng.shuffle(order)
        ballots.append({"ranking": order[: rng.randint(6, 12)], "weight": rng.randint(1, 3)})
    data = {"candidates": cands, "ballots": ballots}
    expected, expected_winners = oracle_condorcet(SchulzeMethod, data)
    ours = tally("schulze", data)
    pairwise = ours["details"]["pairwise"]
    assert all(pairwise[x][y] == v for (x, y), v in expected.pairs.items())
    assert set(ours["winners"]) == expected_winners
    ours_irv = tally("irv", data)
    assert not any("tied" in r for r in ours_irv["details"]["rounds"])
    assert oracle_irv(data, cands).winner == ours_irv["winners"][0]
