"""Bad input gets a clear message and changes nothing, in the services, the API and the CLI."""

import pytest
from django.core.exceptions import ValidationError

from consortia.cli import main as cli_main
from consortia.overlap import keys, services
from consortia.overlap.models import Blob, Partnership, Run
from tests.conftest import fresh, login

from .conftest import domains, keys_csv, population, run_between

pytestmark = pytest.mark.django_db


def test_a_csv_without_a_key_column_is_refused():
    with pytest.raises(keys.CsvError, match="no “key” column"):
        keys.read_csv(b"domain,name\nacme.example,Acme\n")


def test_a_file_in_another_encoding_is_refused():
    latin1 = "key,name\nsociété.example,Société\n".encode("latin-1")
    with pytest.raises(keys.CsvError, match="not UTF-8"):
        keys.read_csv(latin1)
    utf16 = "key,name\nacme.example,Acme\n".encode("utf-16")
    with pytest.raises(keys.CsvError, match="not UTF-8"):
        keys.read_csv(utf16)


def test_an_empty_or_too_small_set_is_refused():
    with pytest.raises(keys.CsvError, match="empty"):
        keys.read_csv(b"")
    with pytest.raises(keys.CsvError, match="no usable key"):
        keys.read_csv(b"key\n\n,\n")
    with pytest.raises(keys.CsvError, match="at least 20"):
        keys.read_csv(keys_csv(domains("a", range(19))), minimum=20)


def test_duplicate_keys_are_counted_once_and_reported():
    data = keys_csv(domains("a", range(20))) + (
        b"https://www.a1.example/about,Again\nSALES@A2.EXAMPLE,Again\n,No key\n"
    )
    read = keys.read_csv(data, minimum=20)
    assert read.size == 20
    assert read.duplicates == 2
    assert read.records["d:a1.example"] == {"name": "Account 1"}  # the first row wins
    assert "2 duplicate(s) counted once" in read.report()
    assert "line 24: no key" in read.report()


def test_a_run_with_a_partner_who_has_not_accepted_is_refused(world):
    acme_pop = population(world.leader)
    services.partnership_propose(
        actor=fresh(world.leader), network=world.network, counterparty=world.beta
    )
    with pytest.raises(ValidationError, match="has not accepted overlap discovery"):
        services.run_start(
            actor=fresh(world.leader),
            network=world.network,
            partner=world.beta,
            population_ids=[acme_pop.pk],
        )
    assert not Run.objects.exists()


def test_a_third_concurrent_run_and_too_many_runs_a_day_are_refused(pair):
    world = pair.world

    def start():
        return services.run_start(
            actor=fresh(world.leader),
            network=world.network,
            partner=world.beta,
            population_ids=[pair.acme_pop.pk],
        )

    start(), start()
    with pytest.raises(ValidationError, match="2 runs with Beta Works are already under way"):
        start()
    assert Run.objects.count() == 2
    Run.objects.update(status=Run.Status.CANCELLED)
    start()
    with pytest.raises(ValidationError, match="at most 3 run"):
        start()
    assert Run.objects.count() == 3


def test_a_hidden_population_is_never_used(pair):
    world = pair.world
    hidden = population(world.leader, name="Secret prospects", level="hidden")
    with pytest.raises(ValidationError, match="hidden population is never used"):
        services.run_start(
            actor=fresh(world.leader),
            network=world.network,
            partner=world.beta,
            population_ids=[hidden.pk],
        )
    # Hidden for this partner only, by an override: refused as well.
    services.override_set(
        actor=fresh(world.leader),
        network=world.network,
        population=pair.acme_pop,
        partner=world.beta,
        level="hidden",
    )
    with pytest.raises(ValidationError, match="hidden"):
        services.run_start(
            actor=fresh(world.leader),
            network=world.network,
            partner=world.beta,
            population_ids=[pair.acme_pop.pk],
        )
    assert not Run.objects.exists()


def test_a_counts_only_side_never_sends_nor_receives_a_record(pair):
    world = pair.world
    services.population_update(
        actor=fresh(world.other_leader), population=pair.beta_pop, level="counts"
    )
    _, _, _, got_acme, got_beta = run_between(
        world, domains("a", range(30)), domains("a", range(10, 40)), pair.acme_pop, pair.beta_pop
    )
    assert got_acme is None  # Beta shares counts only: Acme gets no record
    assert len(got_beta) == 20  # Acme shares records with Beta
    # The server refuses a payload table for a counts-only population.
    run2 = services.run_start(
        actor=fresh(world.other_leader),
        network=world.network,
        partner=world.acme,
        population_ids=[pair.beta_pop.pk],
    )
    blinded = b"".join(bytes([i]) * 32 for i in range(1, 31))
    with pytest.raises(ValidationError, match="counts only: no records may be sent"):
        services.run_blinded(
            actor=fresh(world.other_leader),
            run=run2,
            uploads={pair.beta_pop.pk: services.Upload(blinded=blinded, payload=b"x" * 288 * 30)},
        )
    assert not Blob.objects.filter(run=run2).exists()


def test_the_api_answers_422_with_a_sentence_and_changes_nothing(pair):
    world = pair.world
    client = login(world.leader)
    api = f"/api/v1/networks/{world.network.slug}/overlap/runs"
    assert (
        client.post(
            api,
            {"partner": "nobody", "populations": ["customers"]},
            content_type="application/json",
        ).status_code
        == 422
    )
    Partnership.objects.update(status="proposed")
    response = client.post(
        api,
        {"partner": "beta-works", "populations": ["customers"]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "has not accepted" in response.json()["detail"][0]["msg"]
    Partnership.objects.update(status="accepted")
    response = client.post(
        api,
        {"partner": "beta-works", "populations": ["customers"], "protocol": 2},
        content_type="application/json",
    )
    assert response.status_code == 201
    run_api = f"{api}/{response.json()['id']}"
    from django.core.files.uploadedfile import SimpleUploadedFile

    for files, meta in (
        ({}, "{}"),
        ({"blinded-999": b"x" * 32}, "{}"),
        ({f"blinded-{pair.acme_pop.pk}": b"x" * 31}, "{}"),
        ({f"blinded-{pair.acme_pop.pk}": b"x" * 32 * 25}, "{}"),  # repeated values
        ({f"blinded-{pair.acme_pop.pk}": bytes(range(32)) * 3}, "not json"),
    ):
        data = {
            "meta": meta,
            "protocol": "2",
            **{k: SimpleUploadedFile(k, v) for k, v in files.items()},
        }
        answer = client.post(f"{run_api}/blinded", data)
        assert answer.status_code == 422, (files.keys(), answer.content)
    above_p = b"".join(bytes([n]) + b"\xff" * 31 for n in range(25))  # 25 distinct values >= p
    answer = client.post(
        f"{run_api}/blinded",
        {
            "meta": "{}",
            "protocol": "2",
            f"blinded-{pair.acme_pop.pk}": SimpleUploadedFile("b", above_p),
        },
    )
    assert answer.status_code == 422
    assert "not group elements" in answer.content.decode()
    assert client.post(f"{run_api}/doubled", {"protocol": "2"}).status_code == 422
    assert client.post(f"{run_api}/opened", {"protocol": "2"}).status_code == 422
    assert client.get(f"{run_api}/values/blinded/{pair.beta_pop.pk}").status_code == 404
    assert client.get(f"{run_api}/values/nonsense/1").status_code == 422
    assert not Blob.objects.exists()


def test_the_cli_says_one_line_and_exits_2(pair, tmp_path, capsys):
    world = pair.world
    good = tmp_path / "good.csv"
    good.write_bytes(keys_csv(domains("a", range(30))))
    bad_cases = [
        (["--population", "customers", str(tmp_path / "missing.csv")], "no such file"),
        (["--population", "nope", str(good)], "no population “nope”"),
    ]
    no_key = tmp_path / "nokey.csv"
    no_key.write_bytes(b"domain\nacme.example\n")
    bad_cases.append((["--population", "customers", str(no_key)], "no “key” column"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("key\nsociété.example\n".encode("latin-1"))
    bad_cases.append((["--population", "customers", str(latin)], "not UTF-8"))
    small = tmp_path / "small.csv"
    small.write_bytes(keys_csv(domains("a", range(5))))
    bad_cases.append((["--population", "customers", str(small)], "Too few keys"))
    for extra, message in bad_cases:
        argv = [
            "overlap",
            "run",
            "--network",
            "northwind",
            "--with",
            "beta-works",
            "--as",
            world.leader.email,
            *extra,
        ]
        assert cli_main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and "\n" not in err, err
    services.partnership_stop(actor=fresh(world.other_leader), partnership=pair.partnership)
    argv = [
        "overlap",
        "run",
        "--network",
        "northwind",
        "--with",
        "beta-works",
        "--as",
        world.leader.email,
        "--population",
        "customers",
        str(good),
    ]
    assert cli_main(argv) == 2
    assert "has not accepted overlap discovery" in capsys.readouterr().err
    assert not Run.objects.exists()
