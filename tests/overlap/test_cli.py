"""`consortia overlap run|list|show|export`: the CLI takes part in a run with a partner, waits
for it with a clear message, keeps the key of the records it receives, and exports them."""

import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connections

from consortia.cli import main as cli_main
from consortia.overlap import services
from consortia.overlap.client import LocalSide, retry_locked
from consortia.overlap.models import Run, RunSide
from tests.conftest import fresh

from .conftest import domains, keys_csv, read

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(test, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = test()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("timed out")


@contextmanager
def acme_runs_the_cli(pair, args):
    """`consortia overlap run` as Acme's leader in a thread; yields (the run once Acme has sent
    its blinded list and Beta has joined it, Beta's LocalSide, the CLI's outcome)."""
    world = pair.world
    outcome = {}

    def acme():
        try:
            outcome["status"] = cli_main(
                ["overlap", "run", *args, "--network", "northwind", "--with", "beta-works",
                 "--population", "customers", "--as", world.leader.email, "--wait", "60",
                 "--workers", "1"]
            )  # fmt: skip
        finally:
            connections.close_all()  # this thread's connection, or the test database lingers

    thread = threading.Thread(target=acme)
    thread.start()
    try:
        run = wait_until(
            lambda: retry_locked(
                lambda: Run.objects.filter(sides__blinded_at__isnull=False).first()
            )
        )
        # Beta's steps retry like the CLI's: the test database is SQLite shared between threads.
        retry_locked(
            lambda: services.run_join(
                actor=fresh(world.other_leader), run=run, population_ids=[pair.beta_pop.pk]
            )
        )
        yield run, LocalSide(person=fresh(world.other_leader), run=run), outcome
    finally:
        thread.join(90)


def test_the_cli_runs_with_a_partner_and_exports_what_it_received(pair, tmp_path, capsys):
    world = pair.world
    acme_csv = tmp_path / "acme.csv"
    acme_csv.write_bytes(keys_csv(domains("a", range(40))))
    keys_dir = tmp_path / "keys"
    with acme_runs_the_cli(pair, [str(acme_csv), "--key-dir", str(keys_dir)]) as (
        run,
        beta,
        outcome,
    ):
        retry_locked(lambda: beta.blind({pair.beta_pop.pk: read(domains("a", range(25, 60)))}))
        retry_locked(beta.double)
        wait_until(lambda: retry_locked(lambda: Run.objects.get(pk=run.pk).status != "open"))
        got = retry_locked(beta.open)
    assert outcome["status"] == 0
    assert len(got) == 15
    out, err = capsys.readouterr()
    assert "Waiting for Beta Works to send its blinded lists" in err
    assert "40 distinct keys from 40 rows" in err
    assert "Customers" in out and "15" in out
    run.refresh_from_db()
    assert run.status == "complete"

    code = cli_main(["overlap", "export", str(run.uuid), "--as", world.leader.email,
                     "--key-dir", str(keys_dir)])  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert (
        lines[0]
        == "key,your_population,your_name,their_population,their_name,their_owner,their_stage"
    )
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(
        f"a{n}.example" for n in range(25, 40)
    )
    assert (
        cli_main(["overlap", "export", str(run.uuid), "--as", world.leader.email, "--matrix"]) == 0
    )
    assert capsys.readouterr().out.splitlines()[1] == "Customers,Customers,15"
    assert cli_main(["overlap", "list", "--network", "northwind", "--as", world.leader.email]) == 0
    assert str(run.uuid) in capsys.readouterr().out
    assert cli_main(["overlap", "show", str(run.uuid), "--as", world.other_leader.email]) == 0
    assert "Acme Labs: Customers 40 keys" in capsys.readouterr().out
    # Beta kept its key elsewhere: this machine cannot open Beta's records.
    assert cli_main(["overlap", "export", str(run.uuid), "--as", world.other_leader.email,
                     "--key-dir", str(keys_dir)]) == 2  # fmt: skip
    assert "not on this machine" in capsys.readouterr().err
    # An outsider does not learn that the run exists.
    assert cli_main(["overlap", "show", str(run.uuid), "--as", world.outsider.email]) == 2
    assert "no run" in capsys.readouterr().err


def test_the_cli_cancels_the_run_when_the_partner_sends_values_that_are_not_elements(
    pair, tmp_path, capsys, monkeypatch
):
    """The server refuses such values (test_bad_input); the CLI does not rely on it."""
    monkeypatch.setattr(services.protocol, "all_canonical", lambda blob: True)
    acme_csv = tmp_path / "acme.csv"
    acme_csv.write_bytes(keys_csv(domains("a", range(30))))
    with acme_runs_the_cli(pair, [str(acme_csv)]) as (_, beta, outcome):
        # Beta's client is broken or hostile: 32-byte values above the field's prime.
        honest = beta.party.blind
        beta.party.blind = lambda name, records, share_fields: (
            b"".join(bytes([n]) + b"\xff" * 31 for n in range(len(records))),
            honest(name, records, share_fields=share_fields)[1],
        )
        retry_locked(lambda: beta.blind({pair.beta_pop.pk: read(domains("b", range(25)))}))
    assert outcome["status"] == 1
    err = capsys.readouterr().err
    assert "Beta Works's data cannot be used (a value is not a canonical group element)" in err
    assert "Traceback" not in err
    assert Run.objects.get().status == "cancelled"


def test_the_cli_gives_up_after_waiting_and_cancels_the_run(pair, tmp_path, capsys):
    world = pair.world
    csv = tmp_path / "acme.csv"
    csv.write_bytes(keys_csv(domains("a", range(30))))
    code = cli_main(
        ["overlap", "run", str(csv), "--network", "northwind", "--with", "beta-works",
         "--population", "customers", "--as", world.leader.email, "--wait", "0.5",
         "--workers", "1"]
    )  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "did not send its blinded lists within 0.5 s" in err
    assert Run.objects.get().status == "cancelled"
    assert not RunSide.objects.exclude(sealed_result=None).exists()


def test_the_cli_refuses_a_bad_wait_output_or_key_folder_before_starting_a_run(
    pair, tmp_path, capsys
):
    """What would only fail after the whole exchange (a file that cannot be written) or never
    end (a wait of "nan") is refused first, with a message and no run started."""
    world = pair.world
    csv = tmp_path / "acme.csv"
    csv.write_bytes(keys_csv(domains("a", range(30))))
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    base = ["overlap", "run", str(csv), "--network", "northwind", "--with", "beta-works",
            "--population", "customers", "--as", world.leader.email, "--workers", "1"]  # fmt: skip
    cases = [
        (["--wait", "nan"], "--wait"),
        (["--wait", "inf"], "--wait"),
        (["--wait", "1", "--output", str(tmp_path / "missing" / "out.csv")], "cannot write"),
        (["--wait", "1", "--output", str(tmp_path)], "cannot write"),
        (["--wait", "1", "--key-dir", str(a_file / "keys")], "cannot keep keys"),
        (["--wait", "1", "--workers", "0"], "--workers"),
    ]
    for extra, message in cases:
        assert cli_main(base + extra) == 2, extra
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (extra, err)
    assert cli_main(["overlap", "run", str(tmp_path), *base[3:], "--wait", "1"]) == 2
    assert "is a folder, not a file" in capsys.readouterr().err
    assert not Run.objects.exists()
