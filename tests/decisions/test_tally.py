"""Vote tallying: published reference profiles, ties, ballot shapes, errors and properties."""

import json
import random
import subprocess
import sys
from contextlib import contextmanager
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consortia.decisions import tally as tally_module
from consortia.decisions.tally import METHODS, TallyError, tally

RANKED = ["schulze", "ranked_pairs", "irv"]
NAMES = ["A", "B", "C", "D", "E", "F"]


@contextmanager
def counting_path(path):
    """Force the ballot-by-ballot path ("loop") or the column-wise bitsets ("bits")."""
    saved = tally_module._BITSET_MIN_BALLOTS
    tally_module._BITSET_MIN_BALLOTS = 1 if path == "bits" else 10**9
    try:
        yield
    finally:
        tally_module._BITSET_MIN_BALLOTS = saved


def ranked(candidates, *groups_of_ballots):
    """``ranked("ABC", (3, "ABC"), (2, ["C", ["A", "B"]]))``: weight, ranking pairs."""
    ballots = []
    for weight, ranking in groups_of_ballots:
        ballots.append({"ranking": list(ranking), "weight": weight})
    return {"candidates": list(candidates), "ballots": ballots}


def expanded(data):
    """The same profile with every ballot of weight n written out n times, without weights."""
    return {
        "candidates": data["candidates"],
        "ballots": [
            {"ranking": b["ranking"]} for b in data["ballots"] for _ in range(b.get("weight", 1))
        ],
    }


# ---------------------------------------------------------------------------------------------
# Wikipedia, "Schulze method", example with 45 voters

WIKIPEDIA_45 = ranked(
    "ABCDE",
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
)
WIKIPEDIA_D = {  # d[row][column]: voters preferring row to column
    "A": {"B": 20, "C": 26, "D": 30, "E": 22},
    "B": {"A": 25, "C": 16, "D": 33, "E": 18},
    "C": {"A": 19, "B": 29, "D": 17, "E": 24},
    "D": {"A": 15, "B": 12, "C": 28, "E": 14},
    "E": {"A": 23, "B": 27, "C": 21, "D": 31},
}
WIKIPEDIA_P = {  # strongest paths p[row][column]
    "A": {"B": 28, "C": 28, "D": 30, "E": 24},
    "B": {"A": 25, "C": 28, "D": 33, "E": 24},
    "C": {"A": 25, "B": 29, "D": 29, "E": 24},
    "D": {"A": 25, "B": 28, "C": 28, "E": 24},
    "E": {"A": 25, "B": 28, "C": 28, "D": 31},
}


@pytest.mark.parametrize("written_out", [False, True], ids=["weighted", "45 ballots"])
def test_it_reproduces_the_wikipedia_schulze_example(written_out):
    data = expanded(WIKIPEDIA_45) if written_out else WIKIPEDIA_45

    result = tally("schulze", data)

    assert result["winners"] == ["E"]
    assert result["ranking"] == [["E"], ["A"], ["C"], ["B"], ["D"]]
    assert result["details"]["pairwise"] == WIKIPEDIA_D
    assert result["details"]["strongest_paths"] == WIKIPEDIA_P
    assert result["details"]["total_weight"] == 45
    assert result["details"]["ballots"] == (45 if written_out else 8)


def test_it_reads_the_quoted_wikipedia_values():
    details = tally("schulze", WIKIPEDIA_45)["details"]
    d, p = details["pairwise"], details["strongest_paths"]
    assert (d["A"]["B"], d["B"]["A"], p["A"]["B"], p["E"]["D"]) == (20, 25, 28, 31)


# ---------------------------------------------------------------------------------------------
# Wikipedia, the Tennessee capital election (shares in percent as weights)

TN = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
TENNESSEE = ranked(
    TN,
    (42, ["Memphis", "Nashville", "Chattanooga", "Knoxville"]),
    (26, ["Nashville", "Chattanooga", "Knoxville", "Memphis"]),
    (15, ["Chattanooga", "Knoxville", "Nashville", "Memphis"]),
    (17, ["Knoxville", "Chattanooga", "Nashville", "Memphis"]),
)


def test_it_elects_nashville_in_tennessee_by_schulze():
    result = tally("schulze", TENNESSEE)
    assert result["winners"] == ["Nashville"]
    assert result["ranking"] == [["Nashville"], ["Chattanooga"], ["Knoxville"], ["Memphis"]]
    assert result["details"]["pairwise"]["Nashville"]["Memphis"] == 58
    assert result["details"]["pairwise"]["Chattanooga"]["Knoxville"] == 83


def test_it_elects_nashville_in_tennessee_by_ranked_pairs_locking_every_majority():
    result = tally("ranked-pairs", TENNESSEE)

    assert result["winners"] == ["Nashville"]
    assert result["ranking"] == [["Nashville"], ["Chattanooga"], ["Knoxville"], ["Memphis"]]
    pairs = result["details"]["pairs"]
    assert [(p["winner"], p["loser"], p["margin"]) for p in pairs] == [
        ("Chattanooga", "Knoxville", 66),
        ("Nashville", "Chattanooga", 36),
        ("Nashville", "Knoxville", 36),
        ("Nashville", "Memphis", 16),
        ("Chattanooga", "Memphis", 16),
        ("Knoxville", "Memphis", 16),
    ]
    assert all(p["locked"] for p in pairs)


def test_it_elects_knoxville_in_tennessee_by_instant_runoff_round_by_round():
    result = tally("irv", TENNESSEE)

    assert result["winners"] == ["Knoxville"]
    rounds = result["details"]["rounds"]
    assert [r["counts"] for r in rounds] == [
        {"Memphis": 42, "Nashville": 26, "Chattanooga": 15, "Knoxville": 17},
        {"Memphis": 42, "Nashville": 26, "Knoxville": 32},
        {"Memphis": 42, "Knoxville": 58},
    ]
    assert [r.get("eliminated") for r in rounds] == ["Chattanooga", "Nashville", None]
    assert rounds[-1]["elected"] == ["Knoxville"]
    assert result["ranking"] == [["Knoxville"], ["Memphis"], ["Nashville"], ["Chattanooga"]]


def test_it_elects_memphis_in_tennessee_by_plurality_from_rankings_or_choices():
    from_rankings = tally("plurality", TENNESSEE)
    choices = {
        "candidates": TN,
        "ballots": [
            {"choice": b["ranking"][0], "weight": b["weight"]} for b in TENNESSEE["ballots"]
        ],
    }
    from_choices = tally("plurality", choices)

    assert from_rankings["winners"] == from_choices["winners"] == ["Memphis"]
    assert from_rankings["ranking"] == from_choices["ranking"]
    assert from_choices["details"]["counts"] == {
        "Memphis": 42,
        "Nashville": 26,
        "Chattanooga": 15,
        "Knoxville": 17,
    }


# ---------------------------------------------------------------------------------------------
# ties and tie-breaks

CYCLE = ranked("ABC", (1, "ABC"), (1, "BCA"), (1, "CAB"))


def test_it_reports_every_tied_winner_of_a_perfect_cycle_by_schulze_and_plurality():
    assert tally("schulze", CYCLE)["winners"] == ["A", "B", "C"]
    assert tally("schulze", CYCLE)["ranking"] == [["A", "B", "C"]]
    assert tally("plurality", CYCLE)["winners"] == ["A", "B", "C"]


def test_it_breaks_equal_ranked_pair_margins_by_candidate_order():
    result = tally("ranked_pairs", CYCLE)

    assert [(p["winner"], p["loser"], p["locked"]) for p in result["details"]["pairs"]] == [
        ("A", "B", True),
        ("B", "C", True),
        ("C", "A", False),
    ]
    assert result["winners"] == ["A"]
    assert result["ranking"] == [["A"], ["B"], ["C"]]


def test_it_breaks_a_first_round_irv_tie_by_eliminating_the_last_listed_candidate():
    result = tally("irv", CYCLE)

    first = result["details"]["rounds"][0]
    assert first["tied"] == ["A", "B", "C"]
    assert first["tie_break"] == "candidate order"
    assert first["eliminated"] == "C"
    assert result["winners"] == ["A"]


def test_it_breaks_a_later_irv_tie_by_looking_back_at_earlier_rounds():
    # round 1: A 6, C 3, B 4, D 1 -> D out; round 2: A 6, C 4, B 4 -> tie between C and B.
    # C had fewer votes in round 1, so C goes (candidate order alone would remove B, and A would
    # then win); C's ballots go to B, which wins 8 to 6.
    data = ranked("ACBD", (6, "A"), (4, "B"), (3, "CB"), (1, "DCB"))

    result = tally("irv", data)

    rounds = result["details"]["rounds"]
    assert rounds[1]["counts"] == {"A": 6, "C": 4, "B": 4}
    assert rounds[1]["tied"] == ["C", "B"]
    assert rounds[1]["tie_break"] == "round 1"
    assert rounds[1]["eliminated"] == "C"
    assert result["winners"] == ["B"]


def test_it_declares_every_candidate_tied_when_nobody_voted():
    empty = {"candidates": ["A", "B"], "ballots": []}
    for method in [*RANKED, "plurality"]:
        assert tally(method, empty)["winners"] == ["A", "B"], method
    assert tally("approval", empty)["winners"] == ["A", "B"]


def test_it_gives_the_same_result_whatever_the_ballot_order():
    rng = random.Random(5)
    shuffled = dict(WIKIPEDIA_45)
    shuffled["ballots"] = WIKIPEDIA_45["ballots"][:]
    rng.shuffle(shuffled["ballots"])
    for method in RANKED:
        assert tally(method, shuffled) == tally(method, WIKIPEDIA_45)


# ---------------------------------------------------------------------------------------------
# ballot shapes: truncated rankings, equal ranks, weights, blanks


def test_it_ties_the_candidates_a_truncated_ballot_leaves_out_below_the_ranked_ones():
    d = tally("schulze", ranked("ABC", (1, "A")))["details"]["pairwise"]
    assert d == {"A": {"B": 1, "C": 1}, "B": {"A": 0, "C": 0}, "C": {"A": 0, "B": 0}}


def test_it_reads_nested_lists_as_equal_ranks():
    short = tally("schulze", ranked("ABCD", (1, ["A"])))["details"]["pairwise"]
    grouped = tally("schulze", ranked("ABCD", (1, ["A", ["B", "C", "D"]])))["details"]["pairwise"]
    middle = tally("schulze", ranked("ABCD", (1, [["A", "B"], "C"])))["details"]["pairwise"]

    assert short == grouped
    assert middle["A"] == {"B": 0, "C": 1, "D": 1}
    assert middle["B"] == {"A": 0, "C": 1, "D": 1}
    assert middle["C"] == {"A": 0, "B": 0, "D": 1}


def test_it_splits_an_irv_vote_equally_across_equal_first_ranks():
    # round 1: A 1/2, B 1/2, C 1; A and B tie with no earlier round: B (listed last) goes and its
    # half returns to A: A 1, C 1; A had fewer in round 1, so A goes and C wins.
    result = tally("irv", ranked("ABC", (1, [["A", "B"]]), (1, ["C"])))

    rounds = result["details"]["rounds"]
    assert rounds[0]["counts"] == {"A": 0.5, "B": 0.5, "C": 1}
    assert rounds[1]["counts"] == {"A": 1, "C": 1}
    assert rounds[1]["tie_break"] == "round 1"
    assert result["winners"] == ["C"]
    thirds = tally("irv", ranked("ABC", (1, [["A", "B", "C"]])))["details"]["rounds"][0]
    assert thirds["counts"] == {"A": pytest.approx(1 / 3)} | {
        "B": pytest.approx(1 / 3),
        "C": pytest.approx(1 / 3),
    }


def test_it_counts_exhausted_and_blank_ballots_separately_in_irv():
    result = tally("irv", ranked("ABC", (2, "A"), (2, "B"), (1, "C"), (3, "")))

    rounds = result["details"]["rounds"]
    assert result["details"]["blank"] == 3
    assert rounds[0]["exhausted"] == 0
    assert rounds[0]["eliminated"] == "C"
    assert rounds[1]["exhausted"] == 1  # C's ballot ranked nobody else


def test_it_ignores_ballots_of_weight_zero():
    with_zero = ranked("AB", (3, "AB"), (0, "BA"), (2, "BA"))
    without = ranked("AB", (3, "AB"), (2, "BA"))
    for method in RANKED:
        assert tally(method, with_zero)["ranking"] == tally(method, without)["ranking"]
    assert tally("schulze", with_zero)["details"]["pairwise"]["B"]["A"] == 2


def test_it_takes_weight_as_a_number_of_identical_ballots():
    for method in RANKED:
        weighted = tally(method, TENNESSEE)
        written = tally(method, expanded(TENNESSEE))
        assert weighted["winners"] == written["winners"]
        assert weighted["ranking"] == written["ranking"]


def test_it_counts_a_large_export_column_wise_like_a_small_one():
    rng = random.Random(11)
    cands = [f"Partner {i}" for i in range(9)]
    ballots = []
    for i in range(400):
        order = cands[:]
        rng.shuffle(order)
        ranking = order[: rng.randint(0, 9)]
        if i % 50 == 0 and len(ranking) > 2:
            ranking = [ranking[0], ranking[1:3], *ranking[3:]]
        ballot = {"ranking": ranking, "weight": rng.choice([1, 1, 2, 5])}
        if i % 7 == 0:
            ballot["voter"] = f"person-{i}"  # extra keys are allowed and ignored
        ballots.append(ballot)
    data = {"candidates": cands, "ballots": ballots}
    for method in [*RANKED, "plurality"]:
        with counting_path("loop"):
            loop = tally(method, data)
        with counting_path("bits"):
            bits = tally(method, data)
        assert loop == bits == tally(method, data), method


# ---------------------------------------------------------------------------------------------
# approval, score, plurality


def test_it_elects_the_most_approved_candidates_and_reports_a_tie_at_the_last_seat():
    data = {
        "candidates": ["A", "B", "C", "D"],
        "ballots": [
            {"approve": ["A", "B"]},
            {"approve": ["A", "C"], "weight": 2},
            {"approve": ["B", "C", "D"]},
            {"approve": []},
        ],
    }
    one = tally("approval", data)
    two = tally("approval", data, seats=2)
    three = tally("approval", data, seats=3)

    assert one["winners"] == ["A", "C"]  # 3 approvals each
    assert one["details"]["tied"] == ["A", "C"]
    assert two["winners"] == ["A", "C"] and two["details"]["tied"] == []
    assert three["winners"] == ["A", "B", "C"] and three["details"]["tied"] == []
    assert one["ranking"] == [["A", "C"], ["B"], ["D"]]
    assert one["details"]["approvals"] == {"A": 3, "B": 2, "C": 3, "D": 1}


def test_it_ranks_score_ballots_by_sum_or_by_mean():
    data = {
        "candidates": ["Solid", "Loved", "Unknown"],
        "ballots": [
            {"scores": {"Solid": 4, "Loved": 5}},
            {"scores": {"Solid": 4}},
            {"scores": {"Solid": 4}, "weight": 2},
        ],
    }
    by_sum = tally("score", data)
    by_mean = tally("score", data, rank_by="mean")

    assert by_sum["winners"] == ["Solid"]
    assert by_sum["details"]["sums"] == {"Solid": 16, "Loved": 5, "Unknown": 0}
    assert by_mean["winners"] == ["Loved"]
    assert by_mean["details"]["means"] == {"Solid": 4.0, "Loved": 5.0, "Unknown": None}
    assert by_mean["ranking"] == [["Loved"], ["Solid"], ["Unknown"]]


def test_it_counts_blank_plurality_ballots_without_giving_them_to_anyone():
    data = {"candidates": ["A", "B"], "ballots": [{"choice": "A"}, {"choice": None, "weight": 4}]}
    result = tally("plurality", data)
    assert result["winners"] == ["A"]
    assert result["details"]["blank"] == 4


# ---------------------------------------------------------------------------------------------
# consensus and yes-no


def choices(*pairs):
    return {"ballots": [{"choice": c, "weight": w} for c, w in pairs]}


def test_it_passes_consensus_at_three_quarters_of_agree_and_disagree_by_default():
    passed = tally("consensus", choices(("agree", 3), ("disagree", 1), ("abstain", 10)))
    short = tally("consensus", choices(("agree", 2), ("disagree", 1)))

    assert passed["winners"] == ["agree"] and passed["details"]["passed"] is True
    assert (
        short["winners"] == ["disagree"] and short["details"]["reason"] == "threshold not reached"
    )
    assert tally("consensus", choices(("agree", 2), ("disagree", 1)), threshold="two-thirds")[
        "details"
    ]["passed"]


def test_it_lets_a_single_block_stop_a_consensus():
    result = tally("consensus", choices(("agree", 20), ("block", 1)))
    assert result["details"]["passed"] is False
    assert result["details"]["reason"] == "blocked"
    assert result["details"]["blocked"] is True


def test_it_fails_a_consensus_nobody_agreed_to():
    result = tally("consensus", choices(("abstain", 5)))
    assert result["details"]["passed"] is False
    assert result["winners"] == ["disagree"]


@pytest.mark.parametrize(
    ("yes", "no", "threshold", "passes"),
    [
        (3, 2, "majority", True),
        (2, 2, "majority", False),  # an exact half is not a majority
        (2, 1, "two-thirds", True),
        (3, 2, "two-thirds", False),
        (5, 0, "unanimity", True),
        (5, 1, "unanimity", False),
        (3, 2, 0.6, True),
        (3, 2, "60%", True),
        (3, 2, "3/4", False),
        (0, 0, "majority", False),
    ],
)
def test_it_applies_the_yes_no_threshold_to_yes_over_yes_and_no(yes, no, threshold, passes):
    data = choices(("yes", yes), ("no", no), ("abstain", 7))
    result = tally("yes-no", data, threshold=threshold)
    assert result["details"]["passed"] is passes
    assert result["winners"] == (["yes"] if passes else ["no"])


def test_it_fails_a_yes_no_vote_that_misses_its_quorum_counting_abstentions_as_turnout():
    four = choices(("yes", 3), ("abstain", 1))
    five = choices(("yes", 3), ("abstain", 2))

    missed = tally("yes_no", four, electorate=10, quorum=0.5)
    met = tally("yes_no", five, electorate=10, quorum="1/2")

    assert missed["details"]["passed"] is False
    assert missed["details"]["reason"] == "quorum not met"
    assert missed["details"]["quorum"]["turnout"] == 4
    assert met["details"]["passed"] is True
    assert met["details"]["quorum"]["quorum_met"] is True


# ---------------------------------------------------------------------------------------------
# invalid input: always TallyError, one line

GOOD = {"candidates": ["A", "B"]}


def with_ballots(*ballots):
    return {"candidates": ["A", "B"], "ballots": list(ballots)}


INVALID = [
    ("schulze", [], {}, "must be a JSON object"),
    ("schulze", {"ballots": []}, {}, "no 'candidates' list"),
    ("schulze", {"candidates": [], "ballots": []}, {}, "'candidates' is empty"),
    ("schulze", {"candidates": "AB", "ballots": []}, {}, "'candidates' must be a list"),
    ("schulze", {"candidates": ["A", "A"], "ballots": []}, {}, "'A' is listed twice"),
    ("schulze", {"candidates": ["A", 3], "ballots": []}, {}, "candidate 2 must be a non-empty"),
    ("schulze", {"candidates": ["A", ""], "ballots": []}, {}, "candidate 2 must be a non-empty"),
    ("schulze", GOOD, {}, "no 'ballots' list"),
    ("schulze", {"candidates": ["A"], "ballots": {"r": 1}}, {}, "'ballots' must be a list"),
    ("schulze", with_ballots(["A", "B"]), {}, "ballot 1: must be an object"),
    ("schulze", with_ballots({"rank": ["A"]}), {}, "ballot 1: has no 'ranking' entry"),
    ("schulze", with_ballots({"ranking": "AB"}), {}, "ballot 1: 'ranking' must be a list"),
    (
        "irv",
        with_ballots({"ranking": ["A"]}, {"ranking": ["Z"]}),
        {},
        "ballot 2: unknown candidate",
    ),
    ("ranked_pairs", with_ballots({"ranking": ["A", "A"]}), {}, "'A' is ranked more than once"),
    ("schulze", with_ballots({"ranking": ["A", ["B", "A"]]}), {}, "ranked more than once"),
    ("schulze", with_ballots({"ranking": ["A", []]}), {}, "empty group of equal ranks"),
    ("schulze", with_ballots({"ranking": ["A", [["B"]]]}), {}, "holds names only"),
    ("schulze", with_ballots({"ranking": [1]}), {}, "names or lists of names"),
    ("schulze", with_ballots({"ranking": [None]}), {}, "names or lists of names"),
    ("irv", with_ballots({"ranking": ["A"], "weight": -1}), {}, "non-negative integer, not -1"),
    ("irv", with_ballots({"ranking": ["A"], "weight": 1.5}), {}, "non-negative integer"),
    ("irv", with_ballots({"ranking": ["A"], "weight": True}), {}, "non-negative integer"),
    ("irv", with_ballots({"ranking": ["A"], "weight": "2"}), {}, "non-negative integer"),
    ("score", with_ballots({"scores": {"A": 6}}), {}, "must be an integer from 0 to 5, not 6"),
    ("score", with_ballots({"scores": {"A": -1}}), {}, "from 0 to 5"),
    ("score", with_ballots({"scores": {"A": 2.5}}), {}, "from 0 to 5"),
    ("score", with_ballots({"scores": {"A": None}}), {}, "from 0 to 5"),
    ("score", with_ballots({"scores": ["A", 3]}), {}, "'scores' must be an object"),
    ("score", with_ballots({"scores": {"Z": 3}}), {}, "unknown candidate 'Z'"),
    ("score", with_ballots({"scores": {}}), {"rank_by": "median"}, "rank_by must be"),
    ("approval", with_ballots({"approve": "A"}), {}, "'approve' must be a list"),
    ("approval", with_ballots({"approve": ["A", "A"]}), {}, "approved more than once"),
    ("approval", with_ballots({"approve": ["Z"]}), {}, "unknown candidate 'Z'"),
    ("approval", with_ballots({"approve": [["A"]]}), {}, "unknown candidate"),
    ("approval", with_ballots(), {"seats": 0}, "seats must be an integer from 1 to 2"),
    ("approval", with_ballots(), {"seats": 3}, "seats must be an integer from 1 to 2"),
    ("approval", with_ballots(), {"seats": "2"}, "seats must be an integer"),
    ("plurality", with_ballots({"choice": "Z"}), {}, "ballot 1: unknown candidate 'Z'"),
    ("plurality", with_ballots({"choice": ["A"]}), {}, "unknown candidate"),
    ("plurality", with_ballots({"ranking": ["A"]}, {"choice": "B"}), {}, "ballot 2: has no"),
    ("consensus", choices(("maybe", 1)), {}, "choice must be one of agree, abstain, disagree"),
    ("consensus", {"ballots": [{"vote": "agree"}]}, {}, "ballot 1: has no 'choice' entry"),
    ("consensus", choices(("agree", 1)), {"threshold": 0}, "threshold must be a number in"),
    ("yes_no", choices(("yes please", 1)), {}, "choice must be one of yes, no, abstain"),
    ("yes_no", choices(("yes", 1)), {"threshold": 1.5}, "threshold must be a number in (0, 1]"),
    ("yes_no", choices(("yes", 1)), {"threshold": "most"}, "threshold must be a number"),
    ("yes_no", choices(("yes", 1)), {"threshold": True}, "threshold must be a number"),
    ("yes_no", choices(("yes", 1)), {"quorum": 0.5}, "a quorum needs the electorate size"),
    ("yes_no", choices(("yes", 1)), {"electorate": -3}, "electorate must be a positive"),
    ("yes_no", choices(("yes", 5)), {"electorate": 3}, "exceed the electorate of 3"),
    ("yes_no", choices(("yes", 1)), {"electorate": 3, "quorum": 2}, "quorum must be a number"),
    ("borda", with_ballots(), {}, "unknown method 'borda' (known: schulze, ranked-pairs"),
    (None, with_ballots(), {}, "method must be a name"),
    ("schulze", with_ballots(), {"seats": 2}, "'schulze' does not take option 'seats'"),
]


@pytest.mark.parametrize(("method", "data", "options", "message"), INVALID)
def test_it_rejects_invalid_input_with_one_clear_line(method, data, options, message):
    with pytest.raises(TallyError) as caught:
        tally(method, data, **options)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert isinstance(caught.value, ValueError)


def large_export(bad_ballot_number, bad):
    ballots = [{"ranking": ["A", "B", "C"][: 1 + i % 3]} for i in range(120)]
    ballots[bad_ballot_number - 1] = bad
    return {"candidates": ["A", "B", "C"], "ballots": ballots}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"ranking": ["A", "Zed"]}, "ballot 73: unknown candidate 'Zed'"),
        ({"ranking": ["C", "B", "C"]}, "ballot 73: candidate 'C' is ranked more than once"),
        ({"ranking": ["A"], "weight": -2}, "ballot 73: weight must be a non-negative integer"),
        ({"ranking": ["A", ["B", "B"]]}, "ballot 73: candidate 'B' is ranked more than once"),
        ("A>B>C", "ballot 73: must be an object"),
    ],
)
def test_it_names_the_faulty_ballot_in_a_large_export(bad, message):
    for method in RANKED:
        with pytest.raises(TallyError, match=message):
            tally(method, large_export(73, bad))


# ---------------------------------------------------------------------------------------------
# properties


@st.composite
def ranked_profiles(draw, max_cands=5, max_ballots=10, ties=True, truncate=True, weights=True):
    n = draw(st.integers(1, max_cands))
    cands = NAMES[:n]
    ballots = []
    for _ in range(draw(st.integers(0, max_ballots))):
        order = draw(st.permutations(cands))
        if truncate:
            order = order[: draw(st.integers(0, n))]
        ranking = []
        for name in order:
            if ties and ranking and draw(st.integers(0, 3)) == 0:
                last = ranking[-1]
                ranking[-1] = [*last, name] if isinstance(last, list) else [last, name]
            else:
                ranking.append(name)
        ballot = {"ranking": ranking}
        if weights:
            ballot["weight"] = draw(st.integers(0, 4))
        ballots.append(ballot)
    return {"candidates": cands, "ballots": ballots}


def reference_pairwise(data):
    """Brute force: d[x][y] is the weight of ballots ranking x strictly above y."""
    cands = data["candidates"]
    d = {x: dict.fromkeys([y for y in cands if y != x], 0) for x in cands}
    for ballot in data["ballots"]:
        level = {}
        for depth, group in enumerate(ballot["ranking"]):
            for name in group if isinstance(group, list) else [group]:
                level[name] = depth
        bottom = len(ballot["ranking"])
        for x in cands:
            for y in cands:
                if x != y and level.get(x, bottom) < level.get(y, bottom):
                    d[x][y] += ballot.get("weight", 1)
    return d


@settings(max_examples=150, deadline=None)
@given(ranked_profiles())
def test_it_counts_pairwise_preferences_like_brute_force_on_both_paths(data):
    expected = reference_pairwise(data)
    for path in ("loop", "bits"):
        with counting_path(path):
            assert tally("schulze", data)["details"]["pairwise"] == expected


@settings(max_examples=100, deadline=None)
@given(ranked_profiles())
def test_it_gives_identical_results_on_both_counting_paths(data):
    for method in [*RANKED, "plurality"]:
        with counting_path("loop"):
            loop = tally(method, data)
        with counting_path("bits"):
            bits = tally(method, data)
        assert loop == bits, method
        json.dumps(loop)


@settings(max_examples=150, deadline=None)
@given(ranked_profiles())
def test_it_elects_a_condorcet_winner_by_schulze_and_ranked_pairs(data):
    d = reference_pairwise(data)
    cands = data["candidates"]
    condorcet = [x for x in cands if all(d[x][y] > d[y][x] for y in cands if y != x)]
    if condorcet:
        assert tally("schulze", data)["winners"] == condorcet
        assert tally("ranked_pairs", data)["winners"] == condorcet


@settings(max_examples=100, deadline=None)
@given(ranked_profiles())
def test_it_keeps_every_result_when_every_ballot_is_cast_twice(data):
    doubled = dict(data, ballots=data["ballots"] * 2)
    for method in [*RANKED, "plurality"]:
        once, twice = tally(method, data), tally(method, doubled)
        assert once["winners"] == twice["winners"], method
        assert once["ranking"] == twice["ranking"], method
    once = tally("irv", data)["details"]["rounds"]
    twice = tally("irv", doubled)["details"]["rounds"]
    assert [{c: 2 * v for c, v in r["counts"].items()} for r in once] == [
        pytest.approx(r["counts"]) for r in twice
    ]


@settings(max_examples=100, deadline=None)
@given(ranked_profiles())
def test_it_counts_a_ballot_of_weight_n_as_n_identical_ballots(data):
    written = expanded(data)
    for method in [*RANKED, "plurality"]:
        weighted, copies = tally(method, data), tally(method, written)
        assert weighted["winners"] == copies["winners"], method
        assert weighted["ranking"] == copies["ranking"], method
        weighted["details"].pop("ballots")
        copies["details"].pop("ballots")
        assert weighted["details"] == copies["details"], method


@settings(max_examples=150, deadline=None)
@given(ranked_profiles())
def test_it_ranks_by_schulze_strongest_paths(data):
    result = tally("schulze", data)
    p = result["details"]["strongest_paths"]
    cands = data["candidates"]
    beats = {(x, y) for x in cands for y in cands if x != y and p[x][y] > p[y][x]}
    assert result["winners"] == [x for x in cands if not any((y, x) in beats for y in cands)]
    position = {x: i for i, tier in enumerate(result["ranking"]) for x in tier}
    assert sorted(position) == sorted(cands)
    assert all(position[x] < position[y] for x, y in beats)
    # a strongest path is at least as strong as the direct link
    d = result["details"]["pairwise"]
    assert all(p[x][y] >= d[x][y] for x, y in beats if d[x][y] > d[y][x])


@settings(max_examples=150, deadline=None)
@given(ranked_profiles())
def test_it_locks_an_acyclic_set_of_ranked_pairs_in_margin_order(data):
    result = tally("ranked_pairs", data)
    pairs = result["details"]["pairs"]
    margins = [p["margin"] for p in pairs]
    assert margins == sorted(margins, reverse=True)
    assert all(p["margin"] > 0 for p in pairs)
    locked = {(p["winner"], p["loser"]) for p in pairs if p["locked"]}
    position = {x: i for i, tier in enumerate(result["ranking"]) for x in tier}
    assert all(position[x] < position[y] for x, y in locked)  # so no cycle
    assert result["ranking"][0] == result["winners"]


@settings(max_examples=150, deadline=None)
@given(ranked_profiles())
def test_it_conserves_every_vote_through_the_irv_rounds(data):
    result = tally("irv", data)
    details = result["details"]
    for r in details["rounds"]:
        total = sum(r["counts"].values()) + r["exhausted"] + details["blank"]
        assert total == pytest.approx(details["total_weight"])
    last = details["rounds"][-1]
    continuing = sum(last["counts"].values())
    if len(result["winners"]) == 1:
        (winner,) = result["winners"]
        assert len(last["counts"]) == 1 or last["counts"][winner] * 2 > continuing
    else:
        assert continuing == 0 and len(details["rounds"]) == 1
    eliminated = [r["eliminated"] for r in details["rounds"] if "eliminated" in r]
    assert len(eliminated) == len(set(eliminated)) == len(details["rounds"]) - 1


json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 8),
    st.floats(allow_nan=False),
    st.sampled_from(["A", "B", "Z", "", "yes", "no", "agree", "block", "abstain"]),
)
json_values = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["ranking", "weight", "approve", "scores", "choice", "A", "B"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
ballot_like = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "ranking": st.lists(st.sampled_from(["A", "B", "C"]) | json_values, max_size=4),
            "weight": json_values,
            "approve": st.lists(st.sampled_from(["A", "B", "C"]) | json_values, max_size=3),
            "scores": st.dictionaries(st.sampled_from(["A", "B", "Z"]), json_values, max_size=3),
            "choice": st.sampled_from(["A", "yes", "no", "agree", "block"]) | json_values,
        },
    ),
)
file_like = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "candidates": st.just(["A", "B", "C"]) | json_values,
            "ballots": st.lists(ballot_like, max_size=6) | json_values,
        },
    ),
)


@settings(max_examples=300, deadline=None)
@given(file_like, st.sampled_from(sorted(METHODS)))
def test_it_answers_any_json_with_a_result_or_a_tally_error(data, method):
    try:
        result = tally(method, data)
    except TallyError as error:
        assert str(error) and "\n" not in str(error)
    else:
        json.dumps(result)
        assert set(result) == {"method", "winners", "ranking", "details"}


def test_it_never_needs_django():
    code = (
        "import sys, consortia.decisions.tally as t; "
        "t.tally('schulze', {'candidates': ['A'], 'ballots': []}); "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_it_reports_exact_counts_as_json_numbers():
    result = tally("irv", ranked("ABC", (1, [["A", "B", "C"]]), (3, "A")))
    first = result["details"]["rounds"][0]["counts"]
    assert first["A"] == pytest.approx(float(Fraction(10, 3)))
    assert json.loads(json.dumps(result)) == result
