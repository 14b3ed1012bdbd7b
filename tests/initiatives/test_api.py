"""The initiatives API: the same rules as the pages, with 404 / 403 / 422 answers."""

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from consortia.initiatives.models import Commitment, Initiative, JointPlan, Request
from tests.api.conftest import api_as, field_errors
from tests.conftest import fresh
from tests.initiatives.conftest import make_leader, today


def days(n: int) -> str:
    return (today() + timedelta(days=n)).isoformat()


def test_the_whole_story_through_the_api(world):
    acme, beta = api_as(world.leader), api_as(world.other_leader)
    response = acme.post(
        "/networks/northwind/initiatives",
        {
            "title": "Shared sensors",
            "objective": "Pool data",
            "starts_on": days(0),
            "ends_on": days(60),
        },
    )
    assert response.status_code == 201, response.content
    initiative_id = response.json()["id"]
    assert response.json()["status"] == "proposed"
    joined = beta.post(f"/initiatives/{initiative_id}/participants", {"message": "Hi"})
    assert joined.status_code == 201 and joined.json()["status"] == "requested"
    assert beta.post(f"/participations/{joined.json()['id']}/accept").status_code == 403
    accepted = acme.post(f"/participations/{joined.json()['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "active"

    nomination = acme.post(
        f"/initiatives/{initiative_id}/nominations", {"person_id": world.other_leader.pk}
    )
    assert nomination.status_code == 201 and nomination.json()["state"] == "pending"
    assert beta.post(f"/nominations/{nomination.json()['id']}/accept").json()["state"] == "accepted"
    assert acme.get(f"/initiatives/{initiative_id}/leader").json() is None

    initiative = Initiative.objects.get(pk=initiative_id)
    from consortia.initiatives import services

    services.leadership_term_grant(
        initiative=initiative, person=fresh(world.other_leader), source="consensus"
    )
    assert acme.get(f"/initiatives/{initiative_id}/leader").json()["person"]["name"] == "Bo Other"
    plan = beta.post(
        f"/initiatives/{initiative_id}/plans",
        {
            "goals": "Halve shortages",
            "responsibilities": [
                {"name": "Data", "roles": {str(world.acme.pk): "R", str(world.beta.pk): "A"}}
            ],
        },
    )
    assert plan.status_code == 201, plan.content
    assert acme.post(f"/initiatives/{initiative_id}/plans", {"goals": "Mine"}).status_code == 403
    accepted_plan = acme.post(f"/plans/{plan.json()['id']}/accept")
    assert {o["name"] for o in accepted_plan.json()["accepted_by"]} == {"Acme Labs", "Beta Works"}

    sent = beta.post(
        f"/initiatives/{initiative_id}/requests",
        {
            "to_organization_id": world.acme.pk,
            "title": "Host the review",
            "due_on": days(5),
            "on_behalf_of_initiative": True,
        },
    )
    assert sent.status_code == 201, sent.content
    assert [r["title"] for r in acme.get("/me/requests").json()["items"]] == ["Host the review"]
    commitment = acme.post(f"/requests/{sent.json()['id']}/accept")
    assert commitment.status_code == 201 and commitment.json()["overdue"] is False
    delivered = acme.post(f"/commitments/{commitment.json()['id']}/deliver", {"reason": "Done"})
    assert delivered.status_code == 200 and delivered.json()["timeliness"] == "on time"
    assert acme.get("/me/commitments").json()["count"] == 1
    started = beta.post(f"/initiatives/{initiative_id}/transitions/start")
    assert started.status_code == 200 and started.json()["status"] == "active"


def test_outsiders_get_404_everywhere(world, initiative):
    outsider = api_as(world.outsider)
    for path in (
        f"/initiatives/{initiative.pk}",
        f"/initiatives/{initiative.pk}/participants",
        f"/initiatives/{initiative.pk}/plans",
        f"/initiatives/{initiative.pk}/requests",
        f"/initiatives/{initiative.pk}/commitments",
        f"/initiatives/{initiative.pk}/leader",
        "/networks/northwind/initiatives",
    ):
        assert outsider.get(path).status_code == 404, path
    assert outsider.post(f"/initiatives/{initiative.pk}/participants", {}).status_code == 404
    assert api_as(world.applicant).get(f"/initiatives/{initiative.pk}").status_code == 404
    assert outsider.get("/me/requests").json()["count"] == 0


def test_bad_input_is_422_and_changes_nothing(world, initiative):
    acme = api_as(world.leader)
    errors = field_errors(
        acme.post(
            "/networks/northwind/initiatives",
            {"title": "Backwards", "objective": "X", "starts_on": days(5), "ends_on": days(1)},
        )
    )
    assert "before the start" in errors["ends_on"]
    errors = field_errors(
        acme.post(
            "/networks/northwind/initiatives",
            {"title": "Far", "objective": "X", "starts_on": "9999-01-01", "ends_on": "9999-02-01"},
        )
    )
    assert errors["starts_on"] == "Give a date between the years 2000 and 2199."
    errors = field_errors(
        acme.post(
            f"/initiatives/{initiative.pk}/requests",
            {"to_organization_id": world.beta.pk, "title": "Late", "due_on": days(-1)},
        )
    )
    assert "past" in errors["due_on"]
    errors = field_errors(
        acme.post(
            f"/initiatives/{initiative.pk}/requests",
            {"to_organization_id": world.beta.pk, "title": "Far", "due_on": "9999-12-31"},
        )
    )
    assert errors["due_on"] == "Give a date between the years 2000 and 2199."
    sent = acme.post(
        f"/initiatives/{initiative.pk}/requests",
        {"to_organization_id": world.beta.pk, "title": "Calibrate", "due_on": days(3)},
    ).json()
    errors = field_errors(
        api_as(world.other_leader).post(f"/requests/{sent['id']}/decline", {"reason": ""})
    )
    assert "reason" in errors
    assert Request.objects.get().status == "open"
    field_errors(
        acme.post(
            f"/initiatives/{initiative.pk}/plans",
            {"goals": "G", "responsibilities": [{"name": "X", "roles": {"1": "Z"}}]},
        )
    )
    field_errors(
        acme.post(
            f"/initiatives/{initiative.pk}/requests",
            {"to_organization_id": 999999, "title": "Nobody", "due_on": days(3)},
        )
    )
    assert Initiative.objects.count() == 1 and not JointPlan.objects.exists()


def test_a_leader_acting_after_the_term_gets_403(world, initiative):
    now = timezone.now()
    make_leader(
        initiative,
        world.member,
        starts_at=now - timedelta(days=3),
        ends_at=now + timedelta(hours=1),
    )
    member = api_as(world.member)
    assert (
        member.post(f"/initiatives/{initiative.pk}/plans", {"goals": "In term"}).status_code == 201
    )
    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(hours=2)):
        response = member.post(f"/initiatives/{initiative.pk}/plans", {"goals": "After"})
        assert response.status_code == 403
        assert "team leader" in response.json()["detail"]
        assert member.get(f"/initiatives/{initiative.pk}/leader").json() is None
    assert JointPlan.objects.count() == 1
    assert not Commitment.objects.exists()


def test_a_member_the_two_factor_rule_locks_out_gets_403_with_the_reason(world, initiative):
    from tests.sharing.test_two_factor_lock import require_two_factor, two_factor_on

    require_two_factor(world.network)
    response = api_as(world.other_member).get(f"/initiatives/{initiative.pk}")
    assert response.status_code == 403
    assert "requires two-factor authentication" in response.json()["detail"]
    assert "Shared sensors" not in response.content.decode()
    for stranger in (world.applicant, world.outsider):
        assert api_as(stranger).get(f"/initiatives/{initiative.pk}").status_code == 404
    assert api_as(world.other_member).get("/initiatives/999999").status_code == 404
    two_factor_on(world.other_member)
    assert api_as(fresh(world.other_member)).get(f"/initiatives/{initiative.pk}").status_code == 200
