"""The agenda pages: what they show, HTMX answers, bad input, and 404 for everyone else."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consortia.agenda import services
from consortia.agenda.models import Agenda, Criterion, DiligenceCheck, Prospect, Score
from tests.conftest import fresh, login

from .conftest import SCALE

HX = {"HTTP_HX_REQUEST": "true"}


def test_the_agenda_page_shows_sections_gaps_and_prospects(world, prospect, criterion):
    services.agenda_save(
        actor=fresh(world.leader), why_partner="To **grow**", gaps="Aluminium casting"
    )
    response = login(world.member).get("/organization/agenda/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>grow</strong>" in page
    assert "/n/northwind/match/?q=Aluminium%20casting" in page
    assert "Beta Works" in page and "scored 0 of 1 criteria" in page
    assert "Edit the agenda" not in page  # a member reads it


def test_a_leader_writes_a_new_version(world):
    client = login(world.leader)
    response = client.post(
        "/organization/agenda/edit/", {"why_partner": "Reach", "partner_capacity": "2"}
    )
    assert response.status_code == 302
    assert Agenda.objects.get().version == 1
    bad = client.post("/organization/agenda/edit/", {"partner_capacity": "-1"})
    assert bad.status_code == 422 and Agenda.objects.get().version == 1
    history = client.get("/organization/agenda/history/").content.decode()
    assert "Version 1" in history and "Ada Leader" in history and "Why partner" in history


def test_a_member_may_not_edit(world):
    assert login(world.member).get("/organization/agenda/edit/").status_code == 403


@pytest.mark.parametrize("weight", ["0", "-2", "abc"])
def test_a_non_positive_weight_is_refused_next_to_the_field(world, weight):
    data = {"name": "Fit", "group": "strategic", "weight": weight}
    data.update({f"scale_{n}": w for n, w in enumerate(SCALE)})
    response = login(world.leader).post("/organization/agenda/criteria/", data)
    assert response.status_code == 422
    assert "weight must be a positive number" in response.content.decode()
    assert not Criterion.objects.exists()


def test_adding_a_prospect_twice_or_unknown_is_refused(world, prospect):
    client = login(world.leader)
    twice = client.post("/organization/agenda/prospects/", {"partner": world.beta.slug})
    assert twice.status_code == 422 and "already on your list" in twice.content.decode()
    unknown = client.post("/organization/agenda/prospects/", {"partner": world.delta.slug})
    assert unknown.status_code == 422
    assert "Choose an organization of one of your networks" in unknown.content.decode()
    assert Prospect.objects.count() == 1
    ok = client.post(
        "/organization/agenda/prospects/", {"name": "Foundry Co", "website": "https://f.example"}
    )
    assert ok.status_code == 302 and Prospect.objects.count() == 2


def test_scoring_by_htmx_answers_the_whole_card(world, prospect, criterion):
    client = login(world.leader)
    url = f"/organization/agenda/prospects/{prospect.pk}/scores/{criterion.pk}/"
    response = client.post(
        url, {f"c{criterion.pk}-value": "3", f"c{criterion.pk}-note": "Good fit"}, **HX
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="prospect-card"' in page and "<html" not in page
    assert "75.0" in page and "scored 1 of 1 criteria" in page
    bad = client.post(url, {f"c{criterion.pk}-value": "7"}, **HX)
    assert bad.status_code == 422 and "0 to 4" in bad.content.decode()
    assert Score.objects.get().value == 3


def test_a_stage_skip_is_refused_and_a_tick_is_recorded(world, prospect):
    client = login(world.leader)
    stage_url = f"/organization/agenda/prospects/{prospect.pk}/stage/"
    skip = client.post(stage_url, {"stage-stage": "approached"}, **HX)
    assert skip.status_code == 422 and "Due diligence comes first" in skip.content.decode()
    assert client.post(stage_url, {"stage-stage": "due_diligence"}, **HX).status_code == 200
    check = DiligenceCheck.objects.filter(prospect=prospect).first()
    tick = client.post(
        f"/organization/agenda/prospects/{prospect.pk}/checks/{check.pk}/",
        {f"k{check.pk}-status": "passed", f"k{check.pk}-evidence": "Annual report 2025"},
        **HX,
    )
    assert tick.status_code == 200 and "Annual report 2025" in tick.content.decode()
    check.refresh_from_db()
    assert check.status == "passed" and check.checked_by_id == world.leader.pk


def test_the_prospect_page_shows_trust_for_a_partner(world, prospect):
    page = (
        login(world.member).get(f"/organization/agenda/prospects/{prospect.pk}/").content.decode()
    )
    assert "Already a partner" in page and "Trust index" in page
    assert "Reach out" not in page  # a member who does not own it reads only


def test_nobody_else_sees_anything(world, prospect, criterion):
    services.agenda_save(actor=fresh(world.leader), why_partner="SECRET-REASON")
    for person in (world.other_leader, world.other_member, world.outsider, world.applicant):
        client = login(person)
        assert "SECRET-REASON" not in client.get("/organization/agenda/").content.decode()
        assert client.get(f"/organization/agenda/prospects/{prospect.pk}/").status_code == 404
        assert client.get(f"/organization/agenda/criteria/{criterion.pk}/").status_code == 404
        assert "SECRET-REASON" not in client.get("/organization/agenda/export.md").content.decode()


def test_export_is_markdown(world, prospect, criterion):
    services.agenda_save(actor=fresh(world.leader), why_partner="Reach")
    response = login(world.member).get("/organization/agenda/export.md")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/markdown")
    assert text.startswith("# Partnering agenda — Acme Labs") and "Beta Works" in text


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_stay_flat(world, prospect, criterion):
    ada = fresh(world.leader)
    client = login(world.leader)
    # The first visit computes the network's health snapshot (the partner's trust); later
    # visits read it.
    _count(client, f"/organization/agenda/prospects/{prospect.pk}/")
    home_before = _count(client, "/organization/agenda/")
    page_before = _count(client, f"/organization/agenda/prospects/{prospect.pk}/")
    for n in range(4):
        other = services.criterion_create(actor=ada, name=f"C{n}", weight=1, scale=SCALE)
        services.score_set(actor=ada, prospect=prospect, criterion=other, value=n)
        p = services.prospect_add(actor=ada, name=f"Outside {n}")
        services.score_set(actor=ada, prospect=p, criterion=other, value=2)
    services.agenda_save(actor=ada, why_partner="x", gaps="a\nb\nc")
    # The home page: session, person, agenda, criteria, networks, prospects, sums, template,
    # candidates and people for the form selects: the same however many rows.
    assert _count(client, "/organization/agenda/") == home_before
    assert _count(client, f"/organization/agenda/prospects/{prospect.pk}/") == page_before
    # Home: session, person, agenda, criteria, networks, prospects with counts, weighted sums,
    # template, candidate organizations, people. Prospect: session, person, prospect, criteria,
    # scores, documents, checks, stage changes, people, the partner's shared networks, the
    # health snapshot's key and row, and the network selects of the two forms.
    assert (home_before, page_before) == (10, 17)


def test_the_prospects_export_is_the_organizations_own_prioritized_list(world, prospect, criterion):
    services.score_set(actor=fresh(world.leader), prospect=prospect, criterion=criterion, value=4)
    services.prospect_add(actor=fresh(world.leader), name="=cmd|' /C calc'!A0", website="")
    response = login(world.member).get("/organization/agenda/prospects.csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("name,website,member_of_our_networks,stage")
    assert lines[1].startswith("Beta Works,") and ",100.0,1,1," in lines[1]
    assert lines[2].startswith("'=cmd")  # a formula is written as text

    for person in (world.other_leader, world.outsider):
        text = b"".join(login(person).get("/organization/agenda/prospects.csv").streaming_content)
        assert b"Beta Works" not in text and b"Acme" not in text


def test_a_score_with_a_shared_document_as_evidence_is_saved(world, prospect, criterion):
    """Choosing one of the organization's documents in the score form saves it; anything
    else in that select is refused with a message, never a server error."""
    from tests.sharing.conftest import share

    ours = share(fresh(world.leader), world.network, kind="document", title="Audit report")
    client = login(world.leader)
    url = f"/organization/agenda/prospects/{prospect.pk}/scores/{criterion.pk}/"
    key = f"c{criterion.pk}"
    for bad in ("abc", "-1", "99999999999999999999", str(ours.pk + 1000)):
        response = client.post(url, {f"{key}-value": "3", f"{key}-document": bad}, **HX)
        assert response.status_code == 422, bad
        assert "own" in response.content.decode() and "documents" in response.content.decode()
    assert not Score.objects.exists()
    response = client.post(url, {f"{key}-value": "3", f"{key}-document": str(ours.pk)}, **HX)
    assert response.status_code == 200 and "Audit report" in response.content.decode()
    assert Score.objects.get().document_id == ours.pk
