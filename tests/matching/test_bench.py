"""`consortia bench --only matching` on a tiny set, padded to a few hundred organizations: its
figures, its last line, its JSON; and it leaves nothing behind in a shared database."""

import argparse
import json
import re

import pytest

from consortia.matching import bench, labelled
from consortia.networks.models import Network, Organization, Person


@pytest.fixture
def tiny_set(tmp_path):
    the_set = labelled.read_set(labelled.default_directory())
    keys = {"polar-logistics", "harvest-foods", "sentinel-cyber", "datafoundry-iot"}
    orgs = [o for o in the_set.organizations if o["key"] in keys]
    challenges = [
        c
        for c in the_set.challenges
        if c["key"] in ("vaccines-cold", "ransomware", "hacker-machines")
    ]
    for c in challenges:
        c["relevant"] = [k for k in c["relevant"] if k in keys]
        c["highly_relevant"] = [k for k in c["highly_relevant"] if k in keys]
    (tmp_path / "organizations.json").write_text(json.dumps(orgs))
    (tmp_path / "challenges.json").write_text(json.dumps(challenges))
    return tmp_path


def test_it_reports_quality_speed_and_a_machine_readable_last_line(
    world, tiny_set, tmp_path, monkeypatch
):
    monkeypatch.setenv("MATCHING_BENCH_ORGANIZATIONS", "150")
    before_orgs, before_people = Organization.objects.count(), Person.objects.count()
    lines = []
    output = tmp_path / "figures.json"
    args = argparse.Namespace(set=str(tiny_set), json=str(output))
    status, _met = bench.run(args, lines.append)
    assert status == 0
    assert re.fullmatch(
        r"matching: recall@5=\d\.\d{3} mrr=\d\.\d{3} ndcg@10=\d\.\d{3} \(3 challenges\)", lines[-1]
    )
    text = "\n".join(lines)
    for ranker in ("fused", "lexical only", "semantic only", "TF-IDF baseline"):
        assert ranker in text
    figures = json.loads(output.read_text())
    assert figures["challenges"] == 3 and figures["speed"]["organizations"] == 150
    assert (
        figures["speed"]["queries_per_search"]["small"]
        == figures["speed"]["queries_per_search"]["padded"]
    )
    assert figures["quality"]["fused"]["all"]["recall@5"] == 1.0  # the obvious helpers
    # Nothing missed, and the misses section says so (the full set lists its near misses).
    assert figures["misses"] == []
    assert "outside the top 5" in text and "  none" in lines
    # In a shared database (Django already set up) it removes what it made afterwards.
    assert not Network.objects.filter(slug=bench.SLUG).exists()
    assert Organization.objects.count() == before_orgs and Person.objects.count() == before_people


def test_a_bad_set_is_one_line_and_status_2(db, tmp_path):
    from consortia.cli import CliError

    args = argparse.Namespace(set=str(tmp_path), json=None)
    with pytest.raises(CliError, match="no such file") as error:
        bench.run(args, lambda line: None)
    assert error.value.code == 2
