"""`consortia agenda export --as EMAIL [--output FILE]`."""

from consortia import cli
from consortia.agenda import services
from tests.conftest import fresh, make_person


def run(capsys, *argv):
    status = cli.main(["agenda", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_it_prints_the_own_agenda_as_markdown(world, prospect, criterion, capsys):
    services.agenda_save(actor=fresh(world.leader), why_partner="SECRET-WHY")
    status, out, err = run(capsys, "export", "--as", "max@acme.test")
    assert status == 0, err
    assert out.startswith("# Partnering agenda — Acme Labs")
    assert "SECRET-WHY" in out and "Beta Works" in out and "Product fit" in out
    status, out, _ = run(capsys, "export", "--as", world.other_leader.email)
    assert status == 0 and "SECRET-WHY" not in out and "Beta Works" in out  # its own, empty


def test_it_writes_a_file(world, tmp_path, capsys):
    target = tmp_path / "agenda.md"
    status, out, _ = run(capsys, "export", "--as", world.leader.email, "--output", str(target))
    assert status == 0 and out == "" and target.read_text().startswith("# Partnering agenda")


def test_bad_input_is_one_line_and_status_2(world, capsys):
    make_person("lonely@nowhere.test", "Lonely")
    for argv in (
        ("export", "--as", "nobody@nowhere.test"),
        ("export", "--as", "lonely@nowhere.test"),
        ("export",),
        ("frobnicate",),
    ):
        status, out, err = run(capsys, *argv)
        assert status == 2 and out == "" and len(err.strip().splitlines()) == 1, (argv, err)
