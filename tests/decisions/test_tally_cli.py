"""``consortia tally``: recount an exported ballot file from the command line."""

import io
import json

import pytest

from consortia.decisions.tally_cli import main

TENNESSEE = {
    "candidates": ["Memphis", "Nashville", "Chattanooga", "Knoxville"],
    "ballots": [
        {"ranking": ["Memphis", "Nashville", "Chattanooga", "Knoxville"], "weight": 42},
        {"ranking": ["Nashville", "Chattanooga", "Knoxville", "Memphis"], "weight": 26},
        {"ranking": ["Chattanooga", "Knoxville", "Nashville", "Memphis"], "weight": 15},
        {"ranking": ["Knoxville", "Chattanooga", "Nashville", "Memphis"], "weight": 17},
    ],
}


@pytest.fixture
def ballot_file(tmp_path):
    def write(content, name="ballots.json"):
        path = tmp_path / name
        if isinstance(content, (bytes, bytearray)):
            path.write_bytes(content)
        else:
            path.write_text(content if isinstance(content, str) else json.dumps(content))
        return str(path)

    return write


@pytest.mark.parametrize(
    ("method", "winner"),
    [
        ("schulze", "Nashville"),
        ("ranked-pairs", "Nashville"),
        ("irv", "Knoxville"),
        ("plurality", "Memphis"),
    ],
)
def test_it_prints_the_recount_as_indented_json(ballot_file, capsys, method, winner):
    status = main(["--method", method, ballot_file(TENNESSEE)])

    out, err = capsys.readouterr()
    assert status == 0
    assert err == ""
    result = json.loads(out)
    assert result["winners"] == [winner]
    assert out.startswith('{\n  "method"')


def test_it_passes_seats_threshold_and_quorum_to_the_method(ballot_file, capsys):
    approvals = {
        "candidates": ["A", "B", "C"],
        "ballots": [{"approve": ["A", "B"]}, {"approve": ["B", "C"]}, {"approve": ["C"]}],
    }
    assert main(["--method", "approval", "--seats", "2", ballot_file(approvals)]) == 0
    assert json.loads(capsys.readouterr().out)["winners"] == ["B", "C"]

    votes = {"ballots": [{"choice": "yes", "weight": 2}, {"choice": "no"}]}
    path = ballot_file(votes, "votes.json")
    assert main(["--method", "yes-no", "--threshold", "two-thirds", path]) == 0
    assert json.loads(capsys.readouterr().out)["details"]["passed"] is True
    assert main(["--method", "yes-no", "--electorate", "10", "--quorum", "50%", path]) == 0
    assert json.loads(capsys.readouterr().out)["details"]["reason"] == "quorum not met"

    consensus = {"ballots": [{"choice": "agree"}, {"choice": "block"}]}
    assert main(["--method", "consensus", ballot_file(consensus, "c.json")]) == 0
    assert json.loads(capsys.readouterr().out)["details"]["reason"] == "blocked"


def test_it_reads_the_ballot_file_from_standard_input(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(TENNESSEE)))
    assert main(["--method", "irv", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["winners"] == ["Knoxville"]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, [], "cannot read"),
        ("{not json", [], "is not valid JSON"),
        (b"\xff\xfe\x00garbage", [], "is not UTF-8 text"),
        ("[" * 100_000, [], "nested too deeply"),
        ([1, 2, 3], [], "must be a JSON object"),
        ({"candidates": ["A"], "ballots": [{"ranking": ["B"]}]}, [], "unknown candidate 'B'"),
        ({"candidates": [], "ballots": []}, [], "'candidates' is empty"),
        (TENNESSEE, ["--seats", "2"], "does not take option 'seats'"),
        (TENNESSEE, ["--seats", "two"], "invalid int value"),
        (TENNESSEE, ["--method", "borda"], "unknown method 'borda'"),
    ],
)
def test_it_exits_2_with_one_error_line_for_a_bad_file(
    ballot_file, tmp_path, capsys, content, args, message
):
    path = str(tmp_path / "missing.json") if content is None else ballot_file(content)
    method = [] if "--method" in args else ["--method", "schulze"]

    status = main([*method, *args, path])

    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("consortia tally: error: ")
    assert message in err


def test_it_exits_2_with_one_line_when_arguments_are_missing(capsys):
    assert main(["--method", "irv"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "consortia tally: error: the following arguments are required: FILE" in err


def test_it_lists_the_methods_in_its_help(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "ranked-pairs" in out and "yes-no" in out
