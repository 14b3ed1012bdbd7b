"""The health checks API: open, answer (sealed), invite, results, action items; 404 outsiders;
bad input is a 422 with the field, never a 500; flat query counts."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consortia.healthchecks.models import Answer, HealthCheck
from tests.conftest import admit, fresh, login, make_org_leader
from tests.healthchecks.conftest import answer, comments, scores
from tests.initiatives.conftest import join, propose

JSON = "application/json"


def later(days=5):
    return (timezone.now() + timedelta(days=days)).isoformat()


def open_check(client, world, **body):
    body = {"partner_organization_id": world.beta.pk, "deadline": later(), **body}
    return client.post(f"/api/v1/networks/{world.network.slug}/health-checks", body, JSON)


def test_two_sides_answer_and_see_the_gap(world):
    acme, beta = login(world.leader), login(world.other_leader)
    response = open_check(acme, world)
    assert response.status_code == 201, response.content
    check_id = response.json()["id"]
    assert [s["organization"] for s in response.json()["sides"]] == ["Acme Labs", "Beta Works"]
    waiting = beta.get("/api/v1/health-checks/waiting").json()
    assert [c["id"] for c in waiting["items"]] == [check_id]
    url = f"/api/v1/health-checks/{check_id}"
    response = acme.post(
        f"{url}/answers", {"scores": scores(5), "comments": comments("ACME-NOTE")}, JSON
    )
    assert response.status_code == 201
    sealed = beta.get(url).json()
    assert not sealed["unsealed"]
    assert all(b["score"] is None for d in sealed["dimensions"] for b in d["sides"])
    assert "ACME-NOTE" not in beta.get(url).content.decode()
    assert beta.post(f"{url}/answers", {"scores": scores(2)}, JSON).status_code == 201
    result = beta.get(url).json()
    assert result["unsealed"]
    first = result["dimensions"][0]
    assert [b["score"] for b in first["sides"]] == [5.0, 2.0] and first["gap"] == 3.0
    listing = acme.get(f"/api/v1/networks/{world.network.slug}/health-checks").json()
    assert listing["count"] == 1 and listing["items"][0]["unsealed"]


def test_bad_input_is_a_422_naming_the_field(world):
    acme = login(world.leader)
    response = open_check(acme, world, deadline=(timezone.now() - timedelta(days=1)).isoformat())
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "deadline"]
    response = open_check(acme, world, partner_organization_id=world.delta.pk)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "partner_organization_id"]
    assert open_check(acme, world, surprise=1).status_code == 422
    assert not HealthCheck.objects.exists()
    check_id = open_check(acme, world).json()["id"]
    url = f"/api/v1/health-checks/{check_id}/answers"
    response = acme.post(url, {"scores": scores(4, fairness=6)}, JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "fairness"
    assert acme.post(url, {"scores": scores(4, fairness="4")}, JSON).status_code == 422
    assert acme.post(url, {"scores": {"fairness": 3}}, JSON).status_code == 422
    assert not Answer.objects.exists()
    assert acme.post(url, {"scores": scores(4)}, JSON).status_code == 201
    response = acme.post(url, {"scores": scores(4)}, JSON)
    assert response.status_code == 422
    assert "already answered" in response.json()["detail"][0]["msg"]


def test_outsiders_and_third_members_get_404(world, check):
    third = make_org_leader("eve@epsilon.test", "Eve", "Epsilon")
    admit(world.network, third, world.leader)
    for person in (world.outsider, world.applicant, fresh(third)):
        client = login(person)
        url = f"/api/v1/health-checks/{check.pk}"
        assert client.get(url).status_code == 404
        assert client.post(f"{url}/answers", {"scores": scores(3)}, JSON).status_code == 404
        assert client.post(f"{url}/raters", {"person_id": 1}, JSON).status_code == 404
        body = {"to_organization_id": world.beta.pk, "title": "x", "due_on": "2030-01-01"}
        assert client.post(f"{url}/actions", body, JSON).status_code == 404
    listing = login(fresh(third)).get(f"/api/v1/networks/{world.network.slug}/health-checks")
    assert listing.json()["count"] == 0
    assert (
        login(world.outsider)
        .get(f"/api/v1/networks/{world.network.slug}/health-checks")
        .status_code
        == 404
    )


def test_raters_and_action_items(world):
    project = propose(world)
    join(project, world.other_leader, world.leader)
    acme = login(world.leader)
    response = open_check(acme, world, partner_organization_id=None, initiative_id=project.pk)
    assert response.status_code == 201, response.content
    url = f"/api/v1/health-checks/{response.json()['id']}"
    response = acme.post(f"{url}/raters", {"person_id": world.other_member.pk}, JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "person_id"
    assert acme.post(f"{url}/raters", {"person_id": world.member.pk}, JSON).status_code == 201
    body = {
        "to_organization_id": world.beta.pk,
        "title": "Monthly call",
        "due_on": (timezone.localdate() + timedelta(days=9)).isoformat(),
    }
    assert acme.post(f"{url}/actions", body, JSON).status_code == 422  # still sealed
    check = HealthCheck.objects.get()
    answer(world.leader, check, 4)
    answer(world.member, check, 2)
    answer(world.other_leader, check, 5)
    response = acme.post(f"{url}/actions", body, JSON)
    assert response.status_code == 201 and response.json()["request_id"]
    detail = acme.get(url).json()
    assert detail["action_items"][0]["title"] == "Monthly call"
    assert detail["dimensions"][0]["sides"][0]["score"] == 3.0


def test_the_list_query_count_is_flat(world):
    acme = login(world.leader)

    def add(n):
        for i in range(n):
            other = make_org_leader(f"q{i}-{n}@q.test", f"Q{i}", f"Q {i}-{n}")
            admit(world.network, other, world.leader)
            open_check(acme, world, partner_organization_id=other.organization.pk)

    def count():
        url = f"/api/v1/networks/{world.network.slug}/health-checks"
        with CaptureQueriesContext(connection) as queries:
            assert acme.get(url).status_code == 200
        return len(queries)

    add(1)
    small = count()
    add(3)
    # session and person, membership, the count, the page of checks, their sides prefetched
    assert count() == small
