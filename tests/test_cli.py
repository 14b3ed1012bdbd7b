"""The `consortia` command: one-line errors with status 2, and each subcommand doing its job."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from consortia import cli
from consortia.core.mail import queue_email
from consortia.core.models import Event, OutboundEmail
from consortia.networks.models import (
    AgreementAcceptance,
    Invitation,
    NetworkMembership,
    Organization,
    Person,
)


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def test_it_rejects_an_unknown_command_with_one_line_and_status_2(capsys):
    assert cli.main(["frobnicate"]) == 2
    err = one_line_error(capsys)
    assert err.startswith("consortia: error:")
    assert "frobnicate" in err


def test_it_asks_for_a_command(capsys):
    assert cli.main([]) == 2
    assert "COMMAND" in one_line_error(capsys)


def test_it_rejects_a_port_that_is_not_a_number(capsys):
    assert cli.main(["serve", "--port", "notanumber"]) == 2
    err = one_line_error(capsys)
    assert err.startswith("consortia serve: error:")
    assert "notanumber" in err


def test_it_rejects_a_malformed_port_variable(capsys, monkeypatch):
    monkeypatch.setenv("PORT", "eighty")
    assert cli.main(["serve"]) == 2
    assert "PORT" in one_line_error(capsys)


def test_it_rejects_a_worker_interval_of_zero(capsys):
    assert cli.main(["worker", "--interval", "0"]) == 2
    one_line_error(capsys)


@pytest.mark.django_db
def test_serve_says_in_one_line_that_the_port_is_taken(capsys, monkeypatch):
    monkeypatch.setenv("HOST", "127.0.0.1")  # --host sets it for the settings; restore it after
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--host", "127.0.0.1", "--port", str(port)]) == 1
    assert "cannot listen on" in one_line_error(capsys)


def test_manage_runs_django_commands(capsys):
    assert cli.main(["manage", "check"]) == 0
    assert "System check identified" in capsys.readouterr().out


@pytest.mark.django_db
def test_worker_once_delivers_queued_emails(settings, mailoutbox, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email = queue_email(
        to="ada@acme.test",
        subject="Welcome",
        template="networks/email/admitted.txt",
        context={"membership": {"network": "Northwind", "organization": "Acme"}, "person": None},
    )
    assert cli.main(["worker", "--once"]) == 0
    assert [message.to for message in mailoutbox] == [["ada@acme.test"]]
    email.refresh_from_db()
    assert email.sent_at is not None
    assert "Delivered 1 email" in capsys.readouterr().out


@pytest.mark.django_db
def test_worker_stops_cleanly_on_sigterm(monkeypatch, capsys):
    def deliver_then_get_stopped(limit):
        os.kill(os.getpid(), signal.SIGTERM)
        return 0

    monkeypatch.setattr("consortia.core.mail.deliver_pending", deliver_then_get_stopped)
    before = signal.getsignal(signal.SIGTERM)
    assert cli.main(["worker", "--interval", "60"]) == 0
    assert "stopped" in capsys.readouterr().out
    assert signal.getsignal(signal.SIGTERM) is before


def counts() -> dict[str, int]:
    models = (
        Person,
        Organization,
        NetworkMembership,
        AgreementAcceptance,
        Invitation,
        Event,
        OutboundEmail,
    )
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_demo_loads_once_and_prints_the_sign_ins(capsys):
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "alice@northshore-steel.example" in out
    assert "partner-demo-2030" in out
    loaded = counts()
    assert loaded["Organization"] >= 8

    assert cli.main(["demo"]) == 0
    assert "already loaded" in capsys.readouterr().out
    assert counts() == loaded


@pytest.mark.django_db
def test_demo_reset_reloads_the_demo_only(world, capsys):
    assert cli.main(["demo"]) == 0
    loaded = counts()
    assert cli.main(["demo", "--reset"]) == 0
    assert "Removed the previous demo data" in capsys.readouterr().out
    assert counts()["Person"] == loaded["Person"]
    assert Organization.objects.filter(name="Acme Labs").exists()  # not the demo's: kept


def run_cli(*args, env=None, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-m", "consortia.cli", *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_a_malformed_setting_is_reported_in_one_line_with_status_2(tmp_path):
    process = run_cli(
        "migrate", env={"DATABASE_URL": "nonsense://nowhere", "CONSORTIA_VAR_DIR": str(tmp_path)}
    )
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2, err
    assert err.count("\n") == 1, err
    assert err.startswith("consortia migrate: error: DATABASE_URL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_answers_over_http_and_stops_on_sigterm(tmp_path):
    port = free_port()
    process = run_cli(
        "serve",
        "--port",
        str(port),
        "--workers",
        "1",
        env={"CONSORTIA_VAR_DIR": str(tmp_path), "DATABASE_URL": "", "HOST": "127.0.0.1"},
    )
    try:
        # A static file needs no database: this fresh one has no tables yet.
        url = f"http://127.0.0.1:{port}/static/admin/css/base.css"
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    status = response.status
                break
            except urllib.error.HTTPError as exc:
                status = exc.code
                break
            except OSError:
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.1)
        assert status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"serving http://127.0.0.1:{port}/" in out
    assert "GET /static/admin/css/base.css" in out  # the access log goes to standard output
    assert "migration(s) not applied" in err  # a fresh database: it says what to do
    assert Path(tmp_path, "consortia.sqlite3").exists()


def test_it_recounts_an_exported_ballot_file_through_the_consortia_command(tmp_path, capsys):
    import json

    ballots = tmp_path / "ballots.json"
    ballots.write_text(
        json.dumps(
            {
                "candidates": ["A", "B", "C"],
                "ballots": [
                    {"ranking": ["B", "A", "C"], "weight": 3},
                    {"ranking": ["A", "C", "B"]},
                ],
            }
        )
    )
    assert cli.main(["tally", "--method", "schulze", str(ballots)]) == 0
    assert json.loads(capsys.readouterr().out)["winners"] == ["B"]
    assert cli.main(["tally", "--method", "schulze", str(tmp_path / "missing.json")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_it_runs_the_registered_jobs_on_each_worker_pass(db, monkeypatch, capsys):
    from consortia.core import worker

    calls = []
    monkeypatch.setitem(worker._jobs, "test job", lambda: calls.append(1) or 2)
    monkeypatch.setitem(worker._jobs, "broken job", lambda: 1 / 0)
    assert cli.main(["worker", "--once"]) == 0
    out = capsys.readouterr().out
    assert calls == [1]
    assert "test job: 2" in out and "broken job: failed" in out


def test_it_verifies_a_poll_log_through_the_consortia_command(db, capsys):
    assert cli.main(["verify-poll", "999999"]) == 2
    assert "no poll 999999" in capsys.readouterr().err
    assert cli.main(["verify-poll", "not-a-number"]) == 2


@pytest.fixture
def keep_the_test_connection(monkeypatch):
    """`manage` ends like Django's own commands, closing every connection: on PostgreSQL that
    would end the test's transaction under it."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_the_test_connection")
def test_manage_createsuperuser_refuses_a_name_with_a_direction_override(capsys):
    args = ["manage", "createsuperuser", "--noinput", "--email", "ops@example.test"]
    assert cli.main([*args, "--name", "Operator\u202erotarepO"]) == 2
    err = one_line_error(capsys)
    assert err.startswith(
        "consortia manage: error: Remove the invisible character U+202E RIGHT-TO-LEFT OVERRIDE"
    )
    assert not Person.objects.filter(email="ops@example.test").exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_the_test_connection")
def test_manage_reports_a_taken_email_on_one_line_with_status_2(capsys):
    args = ["manage", "createsuperuser", "--noinput", "--email", "ops@example.test"]
    assert cli.main([*args, "--name", "Oda Operator"]) == 0
    capsys.readouterr()
    assert cli.main([*args, "--name", "Another Operator"]) == 2
    assert one_line_error(capsys) == "consortia manage: error: That email is already taken.\n"
    assert Person.objects.get(email="ops@example.test").name == "Oda Operator"


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_the_test_connection")
def test_manage_still_shows_the_traceback_when_asked(capsys):
    from django.core.management import CommandError

    args = ["manage", "createsuperuser", "--noinput", "--email", "ops@example.test"]
    with pytest.raises(CommandError, match="U\\+202E"):
        cli.main([*args, "--name", "Operator\u202erotarepO", "--traceback"])


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_the_test_connection")
@pytest.mark.parametrize("error", [RuntimeError, KeyError])
def test_manage_lets_a_crash_propagate(monkeypatch, error):
    from consortia.networks.models import PersonManager

    def crash(self, *args, **kwargs):
        raise error("a real bug")

    monkeypatch.setattr(PersonManager, "create_superuser", crash)
    args = ["manage", "createsuperuser", "--noinput", "--email", "ops@example.test"]
    with pytest.raises(error, match="a real bug"):
        cli.main([*args, "--name", "Oda Operator"])


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_the_test_connection")
def test_manage_check_reports_an_unknown_app_on_one_line_with_status_2(capsys):
    assert cli.main(["manage", "check", "nosuchapp"]) == 2
    err = one_line_error(capsys)
    assert err == "consortia manage: error: No installed app with label 'nosuchapp'.\n"


def test_manage_rejects_an_unknown_command_with_one_line_and_status_2(capsys):
    assert cli.main(["manage", "migrat"]) == 2
    err = one_line_error(capsys)
    assert err.startswith("consortia manage: error: unknown command 'migrat'")
    assert "did you mean migrate?" in err


def test_manage_rejects_an_unknown_argument_with_one_line_and_status_2(capsys):
    assert cli.main(["manage", "createsuperuser", "--frobnicate"]) == 2
    err = one_line_error(capsys)
    assert err.startswith("consortia manage createsuperuser: error: unrecognized arguments:")
    assert "--frobnicate" in err


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_the_test_connection")
def test_manage_createsuperuser_refuses_a_blank_name(capsys):
    args = ["manage", "createsuperuser", "--noinput", "--email", "ops@example.test"]
    assert cli.main([*args, "--name", "   "]) == 2
    assert one_line_error(capsys) == "consortia manage: error: A name is required.\n"
    assert not Person.objects.filter(email="ops@example.test").exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("keep_the_test_connection")
def test_manage_createsuperuser_still_creates_an_operator(capsys):
    args = ["manage", "createsuperuser", "--noinput", "--email", "ops@example.test"]
    assert cli.main([*args, "--name", "  Oda Operator "]) == 0
    assert Person.objects.get(email="ops@example.test").name == "Oda Operator"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ["backup", "back\x00up.db"],  # a file name: ValueError from open()
        ["tally", "--method", "schulze", "bal\x00lots.json"],
        ["agenda", "export", "--as", "ada@acme.test", "--output", "age\x00nda.md"],
        ["match", "steel", "--network", "north\x00wind", "--as", "ada@acme.test"],  # PostgreSQL
    ],
    ids=["backup", "tally", "agenda", "match"],
)
def test_an_argument_with_a_nul_byte_is_refused_on_one_line_with_status_2(capsys, args):
    # A shell cannot pass one, but a program calling main() can.
    assert cli.main(args) == 2
    err = one_line_error(capsys)
    typed = next(arg for arg in args if "\x00" in arg)
    assert err == f"consortia: error: the argument {typed!r} contains a NUL byte\n"
