"""A run records the protocol version of the client that started it (v2: X25519 on u = s²).
A page or client of another version (a stale browser tab, an old command) is refused at every
step with a sentence naming both versions, and nothing changes; a run left by a v1 client says
it cannot be finished and can still be cancelled."""

import hashlib
import importlib

import pysodium
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from consortia.cli import main as cli_main
from consortia.overlap import client, protocol, services
from consortia.overlap.client import LocalSide
from consortia.overlap.models import Blob, Partnership, Run, RunSide
from tests.conftest import fresh, login

from .conftest import domains, keys_csv, read, run_between

pytestmark = pytest.mark.django_db

migration = importlib.import_module("consortia.overlap.migrations.0002_run_protocol")


def start(pair, **kwargs) -> Run:
    world = pair.world
    return services.run_start(
        actor=fresh(world.leader),
        network=world.network,
        partner=world.beta,
        population_ids=[pair.acme_pop.pk],
        **kwargs,
    )


def started_by_a_v1_client(pair) -> Run:
    """A run as one left under way before versions were recorded, by a v1 client."""
    run = start(pair)
    Run.objects.filter(pk=run.pk).update(protocol=1)
    run.refresh_from_db()
    return run


def untouched(run) -> bool:
    sides = RunSide.objects.filter(run=run)
    return (
        not Blob.objects.filter(run=run).exists()
        and not sides.filter(blinded_at__isnull=False).exists()
        and Run.objects.get(pk=run.pk).status == "open"
    )


# Services ---------------------------------------------------------------------------------------


def test_a_run_records_the_version_its_clients_speak(pair):
    world = pair.world
    run, *_ = run_between(
        world, domains("a", range(30)), domains("a", range(10, 40)), pair.acme_pop, pair.beta_pop
    )
    assert protocol.PROTOCOL == 2 and protocol.VERSION == b"consortia-overlap-v2"
    assert (run.protocol, run.status) == (2, "complete")


@pytest.mark.parametrize(
    ("speaks", "says"),
    [(1, "your page or client speaks v1"), (None, "does not say which version it speaks")],
)
def test_a_client_of_another_version_cannot_start_a_run(pair, speaks, says):
    with pytest.raises(ValidationError) as refused:
        start(pair, speaks=speaks)
    message = " ".join(refused.value.messages)
    assert "This server speaks overlap protocol v2" in message and says in message
    assert "reload the page (or upgrade the consortia command)" in message
    assert not Run.objects.exists()


def test_a_client_of_another_version_cannot_join_or_send_to_a_run(pair, monkeypatch):
    world = pair.world
    run = start(pair)
    with pytest.raises(ValidationError, match="This run uses overlap protocol v2 and your page or "
                       "client speaks v3: reload the page"):  # fmt: skip
        services.run_join(
            actor=fresh(world.other_leader), run=run, population_ids=[pair.beta_pop.pk], speaks=3
        )
    assert RunSide.objects.get(run=run, organization=world.beta).joined_at is None
    services.run_join(actor=fresh(world.other_leader), run=run, population_ids=[pair.beta_pop.pk])
    monkeypatch.setattr(client, "SPEAKS", 1)
    acme = LocalSide(person=fresh(world.leader), run=run)
    with pytest.raises(ValidationError, match="your page or client speaks v1"):
        acme.blind({pair.acme_pop.pk: read(domains("a", range(30)))})
    assert untouched(run)


def test_a_run_started_by_a_v1_client_cannot_be_finished_but_can_be_cancelled(pair):
    world = pair.world
    run = started_by_a_v1_client(pair)
    with pytest.raises(ValidationError) as refused:
        services.run_join(
            actor=fresh(world.other_leader), run=run, population_ids=[pair.beta_pop.pk]
        )
    message = " ".join(refused.value.messages)
    assert message == (
        "This run was started with overlap protocol v1, which this server no longer relays, and "
        "your page or client speaks v2: the run cannot be finished. Cancel it and start another "
        "run."
    )
    assert RunSide.objects.get(run=run, organization=world.beta).joined_at is None
    services.run_cancel(actor=fresh(world.other_leader), run=run)
    assert Run.objects.get(pk=run.pk).status == "cancelled"


def test_a_run_an_older_program_inserted_without_a_version_cannot_be_finished(pair):
    """A program older than versions (an old command on the same database) leaves the version
    empty: no current client can tell which it spoke, so none may take part."""
    world = pair.world
    run = start(pair)
    Run.objects.filter(pk=run.pk).update(protocol=None)
    unrecorded = (
        r"started with an unrecorded version of the overlap protocol \(v1 or an early v2\).* "
        r"speaks v2: the run cannot be finished"
    )
    with pytest.raises(ValidationError, match=unrecorded):
        services.run_join(
            actor=fresh(world.other_leader), run=run, population_ids=[pair.beta_pop.pk]
        )
    assert RunSide.objects.get(run=run, organization=world.beta).joined_at is None


# API --------------------------------------------------------------------------------------------


def test_the_api_shows_the_version_and_refuses_another_with_a_sentence(pair):
    world = pair.world
    ada, bo = login(world.leader), login(world.other_leader)
    api = f"/api/v1/networks/{world.network.slug}/overlap/runs"
    body = {"partner": "beta-works", "populations": ["customers"]}
    for sent, says in ((None, "does not say which version"), (1, "speaks v1")):
        extra = {} if sent is None else {"protocol": sent}
        answer = ada.post(api, {**body, **extra}, content_type="application/json")
        assert answer.status_code == 422
        message = answer.json()["detail"][0]["msg"]
        assert "overlap protocol v2" in message and says in message and "reload the page" in message
    assert not Run.objects.exists()

    answer = ada.post(api, {**body, "protocol": 2}, content_type="application/json")
    assert answer.status_code == 201 and answer.json()["protocol"] == 2
    run_api = f"{api}/{answer.json()['id']}"
    assert bo.get(run_api).json()["protocol"] == 2
    joined = bo.post(run_api + "/join", {"populations": ["customers"], "protocol": 1},
                     content_type="application/json")  # fmt: skip
    assert joined.status_code == 422 and "speaks v1" in joined.json()["detail"][0]["msg"]
    assert RunSide.objects.get(organization=world.beta).joined_at is None

    values = b"".join(bytes([i]) * 32 for i in range(1, 31))
    upload = {"meta": "{}", f"blinded-{pair.acme_pop.pk}": SimpleUploadedFile("b", values)}
    for extra in ({}, {"protocol": "1"}):
        answer = ada.post(run_api + "/blinded", {**upload, **extra})
        assert answer.status_code == 422
        assert "This run uses overlap protocol v2" in answer.json()["detail"][0]["msg"]
    run = Run.objects.get()
    assert untouched(run)
    joined = bo.post(run_api + "/join", {"populations": ["customers"], "protocol": 2},
                     content_type="application/json")  # fmt: skip
    assert joined.status_code == 200

    Run.objects.update(protocol=1)
    upload[f"blinded-{pair.acme_pop.pk}"] = SimpleUploadedFile("b", values)
    answer = ada.post(run_api + "/blinded", {**upload, "protocol": "2"})
    assert answer.status_code == 422
    assert "started with overlap protocol v1" in answer.json()["detail"][0]["msg"]
    assert "Cancel it" in answer.json()["detail"][0]["msg"]
    assert untouched(run)
    assert bo.get(run_api).json()["protocol"] == 1
    assert bo.post(run_api + "/cancel").status_code == 200


# Pages ------------------------------------------------------------------------------------------


def test_the_run_page_shows_the_version_and_says_when_a_run_cannot_be_finished(pair):
    world = pair.world
    ada, bo = login(world.leader), login(world.other_leader)
    home = ada.get("/n/northwind/overlap/").content.decode()
    assert '<input type="hidden" name="protocol" value="2">' in home
    # A page drawn before versions were recorded sends none: refused, nothing started.
    stale = ada.post(
        "/n/northwind/overlap/runs/new/",
        {"partner": world.beta.pk, "populations": [pair.acme_pop.pk]},
        follow=True,
    )
    assert "does not say which version it speaks" in stale.content.decode()
    assert not Run.objects.exists()

    run = start(pair)
    url = f"/n/northwind/overlap/runs/{run.uuid}/"
    page = bo.get(url).content.decode()
    assert "Protocol: v2." in page and 'data-protocol="2"' in page
    assert '<input type="hidden" name="protocol" value="2">' in page
    refused = bo.post(url + "join/", {"populations": [pair.beta_pop.pk], "protocol": "1"})
    assert refused.status_code == 422
    assert "This run uses overlap protocol v2 and your page or client speaks v1" in (
        refused.content.decode()
    )
    assert RunSide.objects.get(run=run, organization=world.beta).joined_at is None

    Run.objects.filter(pk=run.pk).update(protocol=1)
    page = bo.get(url).content.decode()
    assert "Protocol: v1." in page and "data-overlap-outdated" in page
    assert "cannot be finished" in page and "Take part: choose your populations" not in page
    assert "Cancel this run" in page
    Run.objects.filter(pk=run.pk).update(protocol=None, status="cancelled")
    page = bo.get(url).content.decode()
    assert "Protocol: not recorded" in page and "data-overlap-outdated" not in page


# CLI --------------------------------------------------------------------------------------------


def cli_run(pair, tmp_path, person):
    csv = tmp_path / "list.csv"
    csv.write_bytes(keys_csv(domains("a", range(30))))
    partner = "acme-labs" if person == pair.world.other_leader else "beta-works"
    return cli_main(
        ["overlap", "run", str(csv), "--network", "northwind", "--with", partner,
         "--population", "customers", "--as", person.email, "--wait", "1", "--workers", "1",
         "--key-dir", str(tmp_path / "keys")]
    )  # fmt: skip


def test_the_cli_of_another_version_says_so_and_exits_2(pair, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(client, "SPEAKS", 1)
    assert cli_run(pair, tmp_path, pair.world.leader) == 2
    err = capsys.readouterr().err
    assert "This server speaks overlap protocol v2 and your page or client speaks v1" in err
    assert "upgrade the consortia command" in err and "Traceback" not in err
    assert not Run.objects.exists()


def test_the_cli_cannot_join_a_run_a_v1_client_started(pair, tmp_path, capsys):
    world = pair.world
    run = started_by_a_v1_client(pair)
    assert cli_run(pair, tmp_path, world.other_leader) == 2
    err = capsys.readouterr().err
    assert "started with overlap protocol v1" in err and "speaks v2" in err
    assert "Cancel it and start another run" in err and "Traceback" not in err
    assert untouched(run) and Run.objects.count() == 1
    assert RunSide.objects.get(run=run, organization=world.beta).joined_at is None
    assert cli_main(["overlap", "show", str(run.uuid), "--as", world.leader.email]) == 0
    assert "protocol v1" in capsys.readouterr().out


# The migration that added the version -----------------------------------------------------------


def v1_values(n: int) -> bytes:
    """What a v1 client uploaded: ristretto255 encodings of H(x)^m (scalar multiplication)."""
    m = pysodium.crypto_core_ristretto255_scalar_random()
    return b"".join(
        pysodium.crypto_scalarmult_ristretto255(
            m,
            pysodium.crypto_core_ristretto255_from_hash(
                hashlib.sha512(b"consortia-overlap-v1|run=x|" + f"k{i}".encode()).digest()
            ),
        )
        for i in range(n)
    )


def test_the_migration_gives_runs_under_way_the_version_their_uploads_imply(pair):
    v2_values, _ = protocol.Party("x").blind("p", read(domains("a", range(20))).records,
                                             share_fields=None)  # fmt: skip
    assert migration.implied_protocol([v1_values(20)]) == 1
    assert migration.implied_protocol([v2_values]) == 2
    assert migration.implied_protocol([v1_values(20), v2_values]) == 2
    assert migration.implied_protocol([]) == 2  # nothing sent yet: the next client must be v2

    Partnership.objects.update(runs_per_day=20)
    ended = start(pair)
    Run.objects.filter(pk=ended.pk).update(status="complete")
    v1_run, fresh_run = start(pair), start(pair)
    runs = [v1_run, fresh_run, ended]
    Run.objects.update(protocol=None)
    for run, data in ((v1_run, v1_values(20)), (fresh_run, None)):
        if data:
            Blob.objects.create(
                run=run, organization=pair.world.acme, kind="blinded",
                population_id=pair.acme_pop.pk, count=20, data=data,
            )  # fmt: skip
    migration.forward(apps, None)
    assert [Run.objects.get(pk=r.pk).protocol for r in runs] == [1, 2, None]
