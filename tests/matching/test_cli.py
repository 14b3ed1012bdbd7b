"""`consortia match TEXT --network SLUG --as EMAIL [--top N] [--json]`."""

import io
import json

import pytest

from consortia import cli

from .conftest import COLD


def run(capsys, *argv) -> tuple[int, str, str]:
    status = cli.main(["match", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_it_prints_the_ranking_with_evidence(world, helpers, capsys):
    status, out, err = run(capsys, COLD, "--network", "northwind", "--as", "max@acme.test")
    assert status == 0, err
    assert "3 member organization(s)" in out
    assert out.index("Frost Freight") < out.index("Dairy Delights")
    assert "[" in out and "≈" in out  # matched words, closest phrase
    assert "Acme Labs" not in out


def test_it_prints_json_as_the_api(world, helpers, capsys):
    status, out, _ = run(
        capsys, COLD, "--network", "northwind", "--as", "max@acme.test", "--top", "2", "--json"
    )
    data = json.loads(out)
    assert status == 0 and len(data["results"]) == 2
    assert data["results"][0]["organization"]["name"] == "Frost Freight"


def test_it_reads_the_text_from_stdin(world, helpers, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(COLD))
    status, out, _ = run(capsys, "-", "--network", "northwind", "--as", "max@acme.test")
    assert status == 0 and "Frost Freight" in out


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["", "--network", "northwind", "--as", "max@acme.test"], "Describe what you need"),
        (["x" * 4001, "--network", "northwind", "--as", "max@acme.test"], "at most 4,000"),
        ([COLD, "--network", "nowhere", "--as", "max@acme.test"], "no network"),
        ([COLD, "--network", "northwind", "--as", "nobody@x.test"], "no active person"),
        ([COLD, "--network", "northwind", "--as", "dee@delta.test"], "no network"),
        ([COLD, "--network", "northwind", "--as", "gil@gamma.test"], "no network"),
        ([COLD, "--network", "northwind", "--as", "max@acme.test", "--top", "0"], "--top"),
        ([COLD, "--network", "northwind"], "--as"),
    ],
)
def test_bad_input_is_one_line_and_status_2(world, helpers, capsys, argv, fragment):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("consortia match: error:")
    assert fragment in err
    assert "Frost" not in out + err
