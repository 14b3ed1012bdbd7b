"""The Overlap pages: populations, consent, runs, the matrix; their queries stay flat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consortia.overlap import services
from consortia.overlap.models import Partnership, Population, PopulationOverride, RestrictedList
from tests.conftest import fresh, login

from .conftest import domains, population, run_between

pytestmark = pytest.mark.django_db


def test_it_shows_the_section_to_members_with_the_guarantees(world, as_leader):
    page = as_leader.get("/n/northwind/overlap/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="/n/northwind/overlap/"' in html and "aria-current" in html
    assert "set sizes" in html and "guessed" in html and "At least 20 keys" in html


def test_team_leaders_describe_populations_and_override_per_partner(world, as_leader):
    response = as_leader.post(
        "/n/northwind/overlap/",
        {"form": "population", "name": "Customers", "kind": "customers", "level": "records",
         "fields": ["name", "stage"]},
    )  # fmt: skip
    assert response.status_code == 302
    customers = Population.objects.get(organization=world.acme)
    assert (customers.slug, customers.level, customers.fields) == (
        "customers", "records", ["name", "stage"]
    )  # fmt: skip
    again = as_leader.post(
        "/n/northwind/overlap/", {"form": "population", "name": "Customers", "kind": "custom",
                                  "level": "counts"},
    )  # fmt: skip
    assert again.status_code == 422
    assert "already has a population" in again.content.decode()
    hidden = as_leader.post(
        "/n/northwind/overlap/", {"form": "population", "name": "Prospects\u202e", "kind": "custom",
                                  "level": "counts"},
    )  # fmt: skip
    assert hidden.status_code == 422
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in hidden.content.decode()
    assert Population.objects.filter(organization=world.acme).count() == 1
    url = f"/n/northwind/overlap/populations/{customers.pk}/"
    assert as_leader.get(url).status_code == 200
    response = as_leader.post(
        url, {"form": "override", "partner": world.beta.pk, "level": "hidden"}
    )
    assert response.status_code == 302
    assert PopulationOverride.objects.get(population=customers).level == "hidden"
    bad = as_leader.post(url, {"form": "override", "partner": world.acme.pk, "level": "counts"})
    assert bad.status_code == 422


def test_consent_is_proposed_accepted_and_stopped_by_team_leaders(world, as_leader):
    response = as_leader.post(
        "/n/northwind/overlap/",
        {"form": "propose", "counterparty": world.beta.pk, "result_days": 14, "runs_per_day": 2},
    )
    assert response.status_code == 302
    partnership = Partnership.objects.get()
    assert (partnership.status, partnership.result_days) == ("proposed", 14)
    # Acme cannot accept its own proposal; Beta's team leader can.
    as_leader.post(f"/n/northwind/overlap/partners/{partnership.pk}/accept/")
    partnership.refresh_from_db()
    assert partnership.status == "proposed"
    beta = login(world.other_leader)
    assert "Accept" in beta.get("/n/northwind/overlap/").content.decode()
    beta.post(f"/n/northwind/overlap/partners/{partnership.pk}/accept/")
    partnership.refresh_from_db()
    assert partnership.status == "accepted"
    beta.post(f"/n/northwind/overlap/partners/{partnership.pk}/stop/")
    partnership.refresh_from_db()
    assert (partnership.status, partnership.stopped_by) == ("stopped", world.beta)
    duplicate = as_leader.post(
        "/n/northwind/overlap/",
        {"form": "propose", "counterparty": world.beta.pk, "result_days": 30, "runs_per_day": 3},
    )
    assert duplicate.status_code == 302  # a new proposal after a stop is fine


def test_the_restricted_list_keeps_digests_only(world, as_leader):
    restricted = services.restricted_list_of(world.acme)
    digest = services.restricted_digest(restricted.salt, "d:secret-account.example")
    refused = as_leader.post(
        "/n/northwind/overlap/restricted/", {"accounts": "secret-account.example"}
    )
    assert refused.status_code == 302
    assert RestrictedList.objects.get().digests == []
    as_leader.post("/n/northwind/overlap/restricted/", {"digests": digest})
    assert RestrictedList.objects.get().digests == [digest]
    as_leader.post("/n/northwind/overlap/restricted/", {"digests": "not-a-digest"})
    assert RestrictedList.objects.get().digests == [digest]


def test_restricted_accounts_never_take_part(pair):
    world = pair.world
    services.restricted_keys_add(actor=fresh(world.leader), values=["a3.example", "a4.example"])
    a_records = domains("a", range(30))
    from consortia.overlap.keys import read_csv

    from .conftest import keys_csv

    restricted = services.restricted_list_of(world.acme)
    read = read_csv(
        keys_csv(a_records),
        is_restricted=lambda k: (
            services.restricted_digest(restricted.salt, k) in restricted.digests
        ),
    )
    assert read.restricted == 2 and "d:a3.example" not in read.records


def test_a_run_is_started_joined_shown_and_exported(pair):
    world = pair.world
    ada, bo = login(world.leader), login(world.other_leader)
    response = ada.post(
        "/n/northwind/overlap/runs/new/",
        {"partner": world.beta.pk, "populations": [pair.acme_pop.pk], "protocol": "2"},
    )
    assert response.status_code == 302
    run_url = response["Location"]
    page = bo.get(run_url).content.decode()
    assert "Take part: choose your populations" in page
    assert bo.post(run_url + "join/", {"populations": [], "protocol": "2"}).status_code == 422
    joined = bo.post(run_url + "join/", {"populations": [pair.beta_pop.pk], "protocol": "2"})
    assert joined.status_code == 302
    page = bo.get(run_url).content.decode()
    assert f'data-population="{pair.beta_pop.pk}"' in page
    assert bo.post(run_url + "cancel/").status_code == 302
    assert "Cancelled" in ada.get(run_url).content.decode()

    run, *_ = run_between(
        world, domains("a", range(30)), domains("a", range(10, 40)), pair.acme_pop, pair.beta_pop
    )
    url = f"/n/northwind/overlap/runs/{run.uuid}/"
    page = ada.get(url).content.decode()
    assert 'data-count="20"' in page
    csv = ada.get(url + "matrix.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[1] == "Customers,Customers,20"


def count(client, url) -> int:
    from django.utils import timezone

    from consortia.core.models import Notification

    # The runs notify; the header's exact unread count (one query when something is unread,
    # core.context_processors) is not the page's own, so everything is read before counting.
    Notification.objects.filter(read_at__isnull=True).update(read_at=timezone.now())
    client.get(url)  # warm-up: the restricted list is created on the first visit
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_pages_queries_do_not_grow_with_runs_and_populations(pair):
    world = pair.world
    ada = login(world.leader)
    run, *_ = run_between(
        world, domains("a", range(30)), domains("a", range(10, 40)), pair.acme_pop, pair.beta_pop
    )
    home, run_page = "/n/northwind/overlap/", f"/n/northwind/overlap/runs/{run.uuid}/"
    small = (count(ada, home), count(ada, run_page))
    for n in range(4):
        population(world.leader, name=f"List {n}")
    from consortia.overlap.models import Partnership as P

    P.objects.update(runs_per_day=100)
    for _ in range(2):
        run_between(
            world, domains("a", range(30)), domains("a", range(5, 40)), pair.acme_pop,
            pair.beta_pop,
        )  # fmt: skip
    assert (count(ada, home), count(ada, run_page)) == small
    # home: session, person, network, membership, purge (2), populations, overrides,
    # partnerships, accepted partners (2), runs, sides, restricted list, charter, acceptance…
    # run page: session, person, network, membership, purge (2), run, run again with its
    # sides, restricted list, charter, acceptance…
    assert small == (18, 13)


def test_it_says_what_waits_for_an_organization(pair):
    from consortia.overlap import selectors

    world = pair.world
    beta = fresh(world.other_leader)
    assert not selectors.waiting_for(beta, world.network)["runs"].exists()
    run = services.run_start(
        actor=fresh(world.leader), network=world.network, partner=world.beta,
        population_ids=[pair.acme_pop.pk],
    )  # fmt: skip
    assert list(selectors.waiting_for(beta, world.network)["runs"]) == [run]
    assert not selectors.waiting_for(fresh(world.leader), world.network)["runs"].exists()


def test_records_cannot_be_opened_once_the_nda_is_withdrawn(pair):
    from django.core.exceptions import PermissionDenied

    from consortia.overlap.client import LocalSide
    from consortia.sharing.models import Nda

    from .conftest import read

    world = pair.world
    run = services.run_start(
        actor=fresh(world.leader), network=world.network, partner=world.beta,
        population_ids=[pair.acme_pop.pk],
    )  # fmt: skip
    services.run_join(actor=fresh(world.other_leader), run=run, population_ids=[pair.beta_pop.pk])
    a = LocalSide(person=fresh(world.leader), run=run)
    b = LocalSide(person=fresh(world.other_leader), run=run)
    a.blind({pair.acme_pop.pk: read(domains("a", range(30)))})
    b.blind({pair.beta_pop.pk: read(domains("a", range(10, 40)))})
    a.double()
    b.double()
    Nda.objects.update(status=Nda.Status.WITHDRAWN)
    with pytest.raises(PermissionDenied, match="NDA"):
        a.open()
