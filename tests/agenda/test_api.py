"""The agenda API: the caller's own organization only; bad input 422 next to the field with
nothing changed; 404 for everything of another organization; lists flat in queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consortia.agenda import services
from consortia.agenda.models import Agenda, Criterion, Prospect, Score
from tests.api.conftest import field_errors
from tests.conftest import fresh

from .conftest import SCALE


def put(client, path, body):
    return client._send("put", path, body)


def test_it_saves_versions_and_reads_them(api, world):
    response = put(api.leader, "/agenda", {"why_partner": "Reach", "partner_capacity": 2})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 1
    put(api.leader, "/agenda", {"gaps": "Casting\n- Coatings"})
    data = api.member.get("/agenda").json()
    assert data["why_partner"] == "Reach" and data["gap_lines"] == ["Casting", "Coatings"]
    assert data["partner_capacity"] == 2 and data["version"] == 2
    versions = api.member.get("/agenda/versions").json()
    assert [v["number"] for v in versions["items"]] == [2, 1]
    assert versions["items"][0]["changed"] == ["gaps"]
    assert put(api.member, "/agenda", {"why_partner": "x"}).status_code == 403
    assert put(api.leader, "/agenda", {"whoops": "x"}).status_code == 422
    errors = field_errors(put(api.leader, "/agenda", {"partner_capacity": -3}))
    assert "partner_capacity" in errors
    assert Agenda.objects.get().version == 2


def test_a_put_changes_only_the_fields_it_sends(api, world):
    put(api.leader, "/agenda", {"why_partner": "Reach", "gaps": "Casting", "partner_capacity": 2})
    response = put(api.leader, "/agenda", {})
    assert response.status_code == 200, response.content
    data = api.leader.get("/agenda").json()
    assert (data["why_partner"], data["gaps"], data["partner_capacity"]) == ("Reach", "Casting", 2)
    assert data["version"] == 1  # nothing changed, no new version
    put(api.leader, "/agenda", {"why_partner": None, "gaps": "", "partner_capacity": None})
    data = api.leader.get("/agenda").json()
    assert (data["why_partner"], data["gaps"], data["partner_capacity"]) == ("Reach", "", None)
    assert data["version"] == 2


def test_the_openapi_document_says_what_a_put_of_the_agenda_does(api):
    document = api.leader.client.get("/api/v1/openapi.json").json()
    operations = document["paths"]["/api/v1/agenda"]
    assert set(operations) == {"get", "put"}  # no PATCH, as the description says
    description = operations["put"]["description"]
    assert "Only the fields you send change" in description
    assert "`{}` changes nothing" in description
    assert 'send a section as `""` to empty it' in description
    assert "There is no PATCH on `/agenda`" in description


def test_others_see_their_own_empty_agenda_never_this_one(api, world):
    put(api.leader, "/agenda", {"why_partner": "SECRET"})
    for client in (api.other_leader, api.other_member, api.outsider, api.applicant):
        data = client.get("/agenda").json()
        assert data["why_partner"] == "" and data["version"] == 0
        assert "SECRET" not in client.get("/agenda/export").json()["markdown"]


@pytest.mark.parametrize("weight", [0, -1, "abc"])
def test_non_positive_weights_are_refused(api, weight):
    response = api.leader.post(
        "/agenda/criteria", {"name": "Fit", "weight": weight, "scale": SCALE}
    )
    assert "weight" in field_errors(response)
    assert not Criterion.objects.exists()


def test_criteria_prospects_scores_and_the_pipeline(api, world):
    made = api.leader.post(
        "/agenda/criteria", {"name": "Fit", "weight": 2.5, "scale": SCALE, "group": "risk"}
    )
    assert made.status_code == 201, made.content
    criterion = made.json()["id"]
    added = api.member.post("/agenda/prospects", {"partner": world.beta.slug})
    assert added.status_code == 201, added.content
    prospect = added.json()
    assert prospect["owner"]["email"] == world.member.email and len(prospect["checks"]) == 5
    pid = prospect["id"]
    # Twice, unknown, or outside the caller's networks: 422 next to the field.
    assert "partner" in field_errors(
        api.member.post("/agenda/prospects", {"partner": world.beta.slug})
    )
    assert "partner" in field_errors(api.member.post("/agenda/prospects", {"partner": "no-such"}))
    assert "partner" in field_errors(
        api.member.post("/agenda/prospects", {"partner": world.delta.slug})
    )
    assert "name" in field_errors(api.member.post("/agenda/prospects", {}))
    # The owner (a member) scores it; a score outside the scale is refused.
    assert "value" in field_errors(
        put(api.member, f"/agenda/prospects/{pid}/scores/{criterion}", {"value": 5})
    )
    scored = put(
        api.member, f"/agenda/prospects/{pid}/scores/{criterion}", {"value": 3, "note": "n"}
    )
    assert scored.status_code == 200 and scored.json()["anchor"] == SCALE[3]
    listed = api.leader.get("/agenda/prospects").json()["items"]
    assert listed[0]["total"] == 75.0 and listed[0]["scored"] == 1
    # Skipping due diligence is refused; ticking the required items opens the way.
    skip = api.member.post(f"/agenda/prospects/{pid}/stage", {"stage": "approached"})
    assert "stage" in field_errors(skip)
    assert (
        api.member.post(f"/agenda/prospects/{pid}/stage", {"stage": "due_diligence"}).status_code
        == 200
    )
    detail = api.member.get(f"/agenda/prospects/{pid}").json()
    for check in detail["checks"]:
        if check["required"]:
            ticked = api.member.patch(
                f"/agenda/prospects/{pid}/checks/{check['id']}",
                {"status": "passed", "evidence": "ok"},
            )
            assert ticked.status_code == 200, ticked.content
    moved = api.member.post(f"/agenda/prospects/{pid}/stage", {"stage": "approached"})
    assert moved.status_code == 200 and moved.json()["stage"] == "approached"
    memo = put(
        api.member, f"/agenda/prospects/{pid}/memo", {"context": "c", "risks": ["a", "b", "c", "d"]}
    )
    assert "risks" in field_errors(memo)
    assert detail["partner_figures"][0]["network"] == "northwind"


def test_invite_and_propose_through_the_api(api, world):
    outside = services.prospect_add(actor=fresh(world.leader), name="Foundry Co")
    beta = services.prospect_add(actor=fresh(world.leader), partner=world.beta)
    sent = api.leader.post(
        f"/agenda/prospects/{outside.pk}/invitations",
        {"network": "northwind", "email": "boss@foundry.test"},
    )
    assert sent.status_code == 201, sent.content
    assert "network" in field_errors(
        api.leader.post(
            f"/agenda/prospects/{outside.pk}/invitations", {"network": "nope", "email": "a@b.test"}
        )
    )
    today = timezone.localdate()
    proposed = api.leader.post(
        f"/agenda/prospects/{beta.pk}/initiatives",
        {
            "network": "northwind",
            "title": "Joint casting",
            "objective": "Cast",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert proposed.status_code == 201, proposed.content


def test_everything_of_another_organization_is_404(api, world):
    ada = fresh(world.leader)
    criterion = services.criterion_create(actor=ada, name="Fit", weight=1, scale=SCALE)
    prospect = services.prospect_add(actor=ada, partner=world.beta)
    check = prospect.checks.first()
    for client in (api.other_leader, api.other_member, api.outsider, api.applicant):
        assert client.get(f"/agenda/prospects/{prospect.pk}").status_code == 404
        assert (
            put(
                client, f"/agenda/prospects/{prospect.pk}/scores/{criterion.pk}", {"value": 1}
            ).status_code
            == 404
        )
        assert (
            client.patch(
                f"/agenda/prospects/{prospect.pk}/checks/{check.pk}", {"status": "passed"}
            ).status_code
            == 404
        )
        assert client.delete(f"/agenda/criteria/{criterion.pk}").status_code == 404
        assert client.get("/agenda/prospects").json()["count"] == 0
    assert Score.objects.count() == 0 and Prospect.objects.count() == 1


def test_next_steps(api, world):
    ada = fresh(world.leader)
    services.prospect_add(
        actor=ada, name="Soon Co", next_step="Call", next_step_on=timezone.localdate()
    )
    rows = api.leader.get("/agenda/next-steps").json()["items"]
    assert [r["name"] for r in rows] == ["Soon Co"]
    assert api.member.get("/agenda/next-steps").json()["count"] == 0


def _count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_the_prospect_list_is_flat(api, world):
    ada = fresh(world.leader)
    criterion = services.criterion_create(actor=ada, name="Fit", weight=1, scale=SCALE)
    first = services.prospect_add(actor=ada, name="One")
    services.score_set(actor=ada, prospect=first, criterion=criterion, value=1)
    api.leader.get("/agenda/prospects")  # the token's first use is recorded once
    before = _count(api.leader, "/agenda/prospects")
    for n in range(5):
        p = services.prospect_add(actor=ada, name=f"More {n}")
        services.score_set(actor=ada, prospect=p, criterion=criterion, value=2)
    # The token with its person, criteria, prospects with their counts, weighted sums.
    assert _count(api.leader, "/agenda/prospects") == before == 4
