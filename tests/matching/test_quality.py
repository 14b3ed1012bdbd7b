"""Quality on the labelled set (tests/data/matching), measured, with thresholds that fail.

The thresholds sit a little under what the ranker measures today (README: recall@5 0.85 on
SQLite), so a change that makes matching worse fails here; the benchmark
(`consortia bench --only matching`) prints the full figures."""

import pytest

from consortia.matching import bench, labelled, ranking
from consortia.networks.models import Network


@pytest.fixture(scope="module")
def the_set():
    return labelled.read_set(labelled.default_directory())


def test_the_set_is_as_the_issue_asks(the_set):
    assert len(the_set.organizations) >= 60
    assert len(the_set.challenges) >= 40
    other = [c for c in the_set.challenges if c["key"][:3] in ("de-", "fr-", "es-")]
    assert len(other) >= 3
    for challenge in the_set.challenges:
        assert set(challenge["highly_relevant"]) <= set(challenge["relevant"])
    # Distractors: organizations that need what a challenge asks for are never labelled.
    needs_cold = {o["key"] for o in the_set.organizations if "Refrigerated" in o["needs"]}
    assert needs_cold
    cold = next(c for c in the_set.challenges if c["key"] == "vaccines-cold")
    assert not needs_cold & set(cold["relevant"])


def test_the_ranker_beats_both_baselines_and_a_floor(db, the_set):
    network = Network.objects.create(name="Quality", slug="quality")
    ids = labelled.load(the_set, network=network)

    def scores(weights):
        rankings = bench.ranker_rankings(the_set, network, ids, weights)
        return labelled.evaluate(the_set.challenges, rankings)

    fused = scores(ranking.Weights())
    lexical = scores(ranking.Weights(lexical=1.0))
    semantic = scores(ranking.Weights(lexical=0.0))
    tfidf = labelled.evaluate(the_set.challenges, bench.tfidf_rankings(the_set))
    # SQLite measures recall@5 0.852, nDCG@10 0.866 (0.802 and 0.805 with WordLlama).
    assert fused.recall_at_5 >= 0.82, fused.as_dict()
    assert fused.ndcg_at_10 >= 0.83, fused.as_dict()
    assert fused.recall_at_5 > lexical.recall_at_5 + 0.1
    assert fused.recall_at_5 > tfidf.recall_at_5 + 0.1
    # The lexical part earns its place in recall@5 (SQLite: +0.006 over semantic only) and
    # costs nothing elsewhere (MRR +0.003, nDCG@10 +0.001).
    assert fused.recall_at_5 >= semantic.recall_at_5
    assert fused.mrr > max(lexical.mrr, tfidf.mrr)
    assert fused.mrr >= semantic.mrr - 0.01
    assert fused.ndcg_at_10 > max(lexical.ndcg_at_10, tfidf.ndcg_at_10)
    assert fused.ndcg_at_10 >= semantic.ndcg_at_10 - 0.01


def test_the_metrics_are_right_on_a_hand_checked_case():
    challenge = {"key": "c", "relevant": ["a", "b"], "highly_relevant": ["a"]}
    recall, rr, ndcg = labelled.score_one(challenge, ["x", "b", "a", "y"])
    assert recall == 1.0
    assert rr == 0.5
    import math

    dcg = 1 / math.log2(3) + 3 / math.log2(4)
    ideal = 3 + 1 / math.log2(3)
    assert abs(ndcg - dcg / ideal) < 1e-9


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda o, c: o.append(dict(o[0])), "share a key"),
        (lambda o, c: c[0].update(relevant=["no-such-org"]), "unknown organizations"),
        (lambda o, c: c[0].update(relevant=[]), "no relevant"),
        (lambda o, c: o[0].pop("name"), "lacks name"),
    ],
)
def test_a_broken_set_is_refused_with_a_sentence(tmp_path, the_set, mutate, message):
    import copy
    import json

    orgs, challenges = copy.deepcopy(the_set.organizations), copy.deepcopy(the_set.challenges)
    mutate(orgs, challenges)
    (tmp_path / "organizations.json").write_text(json.dumps(orgs))
    (tmp_path / "challenges.json").write_text(json.dumps(challenges))
    with pytest.raises(labelled.SetError, match=message):
        labelled.read_set(tmp_path)


def test_a_missing_set_is_refused(tmp_path):
    with pytest.raises(labelled.SetError, match="no such file"):
        labelled.read_set(tmp_path)
