"""One of everything in a network, built through the services: the table of
tests/test_not_found_rule.py and the browser's tour of pages under the CSP use it."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consortia.agenda import services as agenda
from consortia.decisions import services as decisions
from consortia.healthchecks import services as healthchecks
from consortia.initiatives import services as initiatives
from consortia.initiatives.models import Participation
from consortia.ledger import services as ledger
from consortia.metrics import services as metrics
from consortia.metrics.models import ImportJob, Metric
from consortia.networks import services as networks
from consortia.networks.models import NetworkMembership
from consortia.overlap import services as overlap
from consortia.reviews import services as reviews
from consortia.sharing import services as sharing
from tests.conftest import fresh, make_person

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(name="scene")
def scene_fixture(world, settings, tmp_path):
    """One of everything in Northwind, with Acme alone in the "Shared sensors" initiative."""
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    ada, max_ = fresh(world.leader), fresh(world.member)
    bo = fresh(world.other_leader)
    network = world.network
    project = initiatives.initiative_propose(
        actor=ada,
        network=network,
        title="Shared sensors",
        objective="Pool sensor data.",
        scope="Regional suppliers",
        boundaries="No pricing data",
        starts_on=today,
        ends_on=today + timedelta(days=90),
    )
    nomination = initiatives.nominate(actor=fresh(ada), initiative=project, person=fresh(ada))
    initiatives.nomination_accept(actor=fresh(ada), nomination=nomination)
    initiatives.leadership_term_grant(initiative=project, person=fresh(ada), source="consensus")
    initiatives.initiative_start(actor=fresh(ada), initiative=project)
    plan = initiatives.plan_revise(actor=fresh(ada), initiative=project, goals="Predict shortages")
    request = initiatives.request_send(
        actor=fresh(ada),
        initiative=project,
        to_organization=world.acme,
        to_person=max_,
        title="Install sensors",
        due_on=today + timedelta(days=10),
    )
    commitment = initiatives.request_accept(actor=fresh(max_), request=request)
    open_request = initiatives.request_send(
        actor=fresh(ada),
        initiative=project,
        to_organization=world.beta,
        title="Calibrate",
        due_on=today + timedelta(days=20),
    )
    review = reviews.review_add(
        actor=fresh(ada), initiative=project, scheduled_for=today + timedelta(days=1)
    )
    poll = decisions.poll_create(
        actor=fresh(ada),
        network=network,
        title="Meet monthly?",
        kind="yes_no",
        closes_at=timezone.now() + timedelta(days=2),
    )
    metric = metrics.metric_create(actor=fresh(ada), network=network, name="Parcels", unit="n")
    Metric.objects.filter(pk=metric.pk).update(status=Metric.Status.STANDARD)
    metric.refresh_from_db()
    measurement = metrics.measurement_record(
        actor=fresh(ada), metric=metric, period=today.replace(day=1), value=3
    )
    goal = metrics.goal_set(
        actor=fresh(ada),
        initiative=project,
        metric=metric,
        baseline=1,
        target=10,
        deadline=today + timedelta(days=60),
    )
    job = ImportJob.objects.create(
        network=network, organization=world.acme, created_by=ada, content="", total=0
    )
    entry = ledger.entry_create(
        actor=fresh(ada),
        network=network,
        direction="investment",
        kind="hours",
        date=today,
        hours=5,
    )
    challenge = sharing.item_create(
        actor=fresh(ada),
        network=network,
        kind="challenge",
        title="Castings",
        body="Who casts aluminium?",
        audience="network",
    )
    post = sharing.item_create(
        actor=fresh(ada), network=network, kind="post", title="Hello", audience="network"
    )
    document = sharing.item_create(
        actor=fresh(ada),
        network=network,
        kind="document",
        title="Plan",
        audience="network",
        file=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
    )
    offer = sharing.offer_create(actor=fresh(bo), item=challenge, offer="Our foundry")
    nda = sharing.nda_propose(
        actor=fresh(ada), network=network, counterparty=world.beta, title="NDA", text="Secret."
    )
    invitation, _token = networks.network_invite_organization(
        actor=fresh(ada), network=network, email="someone@elsewhere.test"
    )
    customers = overlap.population_create(actor=fresh(ada), name="Customers", kind="customers")
    overlap.population_create(actor=fresh(bo), name="Clients", kind="customers")
    pairing = overlap.partnership_propose(
        actor=fresh(ada), network=network, counterparty=world.beta
    )
    overlap.partnership_answer(actor=fresh(bo), partnership=pairing, accept=True)
    run = overlap.run_start(
        actor=fresh(ada), network=network, partner=world.beta, population_ids=[customers.pk]
    )
    health_check = healthchecks.health_check_open(
        actor=fresh(ada),
        network=network,
        partner=world.beta,
        deadline=timezone.now() + timedelta(days=7),
    )
    agenda.agenda_save(actor=fresh(ada), why_partner="Private reasons", gaps="Castings")
    criterion = agenda.criterion_create(
        actor=fresh(ada), name="Fit", weight=2, scale=["0", "1", "2", "3", "4"]
    )
    template_item = agenda.template_item_add(actor=fresh(ada), title="Insurance")
    prospect = agenda.prospect_add(actor=fresh(ada), partner=world.beta)
    agenda.score_set(actor=fresh(ada), prospect=prospect, criterion=criterion, value=3)
    nobody = make_person("nobody@nowhere.test", "No Body")
    return {
        "world": world,
        "nobody": nobody,
        "network": network,
        "initiative": project,
        "participation": Participation.objects.get(initiative=project, organization=world.acme),
        "nomination": nomination,
        "plan": plan,
        "request": open_request,
        "answered_request": request,
        "commitment": commitment,
        "review": review,
        "poll": poll,
        "metric": metric,
        "measurement": measurement,
        "goal": goal,
        "import_job": job,
        "ledger_entry": entry,
        "challenge": challenge,
        "post": post,
        "document": document,
        "offer": offer,
        "nda": nda,
        "invitation": invitation,
        "population": customers,
        "overlap_partnership": pairing,
        "overlap_run": run,
        "health_check": health_check,
        "prospect": prospect,
        "criterion": criterion,
        "dd_check": prospect.checks.first(),
        "template_item": template_item,
        "admission": NetworkMembership.objects.get(network=network, organization=world.gamma),
    }
