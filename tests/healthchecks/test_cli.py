"""`consortia health-checks`: the same permissions as the pages; bad input is exit 2."""

import json

from consortia.cli import main
from tests.healthchecks.conftest import answer


def test_it_lists_and_shows_what_the_person_may_see(world, check, capsys):
    answer(world.leader, check, 5)
    assert main(["health-checks", "list", "--as", world.other_leader.email, "--waiting"]) == 0
    assert "sealed\t1/2 answered" in capsys.readouterr().out
    assert main(["health-checks", "show", str(check.pk), "--as", world.other_leader.email]) == 0
    out = capsys.readouterr().out
    assert "(sealed)" in out and "Acme Labs —" in out
    answer(world.other_leader, check, 2)
    assert main(["health-checks", "show", str(check.pk), "--as", world.leader.email, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dimensions"][0]["gap"] == 3.0


def test_bad_input_and_outsiders_are_one_line_and_exit_2(world, check, capsys):
    for argv in (
        ["health-checks", "show", "abc", "--as", world.leader.email],
        ["health-checks", "show", str(check.pk), "--as", world.outsider.email],
        ["health-checks", "show", str(check.pk), "--as", "nobody@nowhere.test"],
        ["health-checks", "list", "7", "--as", world.leader.email],
        ["health-checks", "delete", "--as", world.leader.email],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "consortia health-checks" in err, err


def test_show_without_an_id_says_so(world, check, capsys):
    assert main(["health-checks", "show", "--as", world.leader.email]) == 2
    err = capsys.readouterr().err
    assert "show needs the health check's ID" in err and "None" not in err, err
