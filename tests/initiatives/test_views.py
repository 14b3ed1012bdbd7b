"""The initiative pages: what each persona sees and can do; outsiders get 404."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from consortia.initiatives import services
from consortia.initiatives.models import Commitment, Initiative, JointPlan, Participation, Request
from tests.conftest import fresh, login
from tests.initiatives.conftest import make_leader, propose, today


def detail(initiative):
    return reverse("initiative_detail", args=["northwind", initiative.pk])


def action(initiative, name):
    return reverse("initiative_action", args=["northwind", initiative.pk, name])


def test_it_lists_and_filters_initiatives(world, as_leader):
    active = propose(world, title="Running one")
    services.initiative_start(actor=fresh(world.leader), initiative=active)
    propose(world, title="Idea")
    url = reverse("initiative_list", args=["northwind"])
    body = as_leader.get(url).content.decode()
    assert "Running one" in body and "Idea" in body and "Initiatives" in body
    body = as_leader.get(url, {"show": "active"}).content.decode()
    assert "Running one" in body and "Idea" not in body
    body = login(world.other_leader).get(url, {"show": "mine"}).content.decode()
    assert "Running one" not in body


def test_it_proposes_through_the_form(world, as_member):
    url = reverse("initiative_propose", args=["northwind"])
    assert as_member.get(url).status_code == 200
    response = as_member.post(
        url,
        {
            "title": "Shared sensors",
            "objective": "Pool data",
            "starts_on": today().isoformat(),
            "ends_on": (today() + timedelta(days=30)).isoformat(),
        },
    )
    initiative = Initiative.objects.get()
    assert response.status_code == 302 and response.url == detail(initiative)


def test_it_shows_form_errors_with_422_and_creates_nothing(world, as_leader):
    url = reverse("initiative_propose", args=["northwind"])
    response = as_leader.post(
        url,
        {
            "title": "Backwards",
            "objective": "Pool data",
            "starts_on": today().isoformat(),
            "ends_on": (today() - timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "cannot be before the start date" in response.content.decode()
    assert not Initiative.objects.exists()


def test_a_start_in_the_year_9999_is_a_message_next_to_the_field(world, as_leader):
    url = reverse("initiative_propose", args=["northwind"])
    response = as_leader.post(
        url,
        {"title": "Far", "objective": "X", "starts_on": "9999-01-01", "ends_on": "9999-02-01"},
    )
    assert response.status_code == 422
    assert "Give a date between the years 2000 and 2199." in response.content.decode()
    assert not Initiative.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "applicant"])
def test_outsiders_get_404(world, initiative, persona):
    client = login(getattr(world, persona))
    assert client.get(detail(initiative)).status_code == 404
    assert client.get(reverse("initiative_list", args=["northwind"])).status_code == 404
    assert client.post(action(initiative, "join")).status_code == 404
    assert client.get(reverse("plan_edit", args=["northwind", initiative.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(world, initiative, client):
    assert client.get(detail(initiative)).status_code == 302


def test_the_page_shows_plan_participants_leader_and_days_left(world, initiative, as_member):
    make_leader(initiative, world.other_leader)
    services.plan_revise(
        actor=fresh(world.other_leader),
        initiative=initiative,
        goals="Halve shortages",
        raci={"responsibilities": [{"name": "Data pipeline", "roles": {str(world.beta.pk): "A"}}]},
    )
    body = as_member.get(detail(initiative)).content.decode()
    for text in (
        "Halve shortages",
        "Data pipeline",
        "Bo Other",
        "days left in the term",
        "Beta Works",
        "Acme Labs",
        "Who accepted which version",
    ):
        assert text in body, text


def test_a_team_leader_asks_to_join_and_a_participant_accepts_inline(world):
    initiative = propose(world)
    client = login(world.other_leader)
    response = client.post(
        action(initiative, "join"), {"message": "We have sensors"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and 'id="participants"' in response.content.decode()
    participation = Participation.objects.get(organization=world.beta)
    assert participation.status == "requested"
    response = login(world.leader).post(
        action(initiative, "accept"), {"participation": participation.pk}
    )
    assert response.status_code == 302
    participation.refresh_from_db()
    assert participation.status == "active"


def test_a_member_who_is_not_the_leader_gets_403_on_the_plan(world, initiative):
    make_leader(initiative, world.other_leader)
    url = reverse("plan_edit", args=["northwind", initiative.pk])
    assert login(world.leader).get(url).status_code == 403
    assert login(world.leader).post(url, {"goals": "Mine"}).status_code == 403
    assert not JointPlan.objects.exists()


def test_the_leader_revises_the_plan_with_a_raci_matrix(world, initiative):
    make_leader(initiative, world.other_leader)
    client = login(world.other_leader)
    url = reverse("plan_edit", args=["northwind", initiative.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "goals": "Halve shortages",
            "rules": "Share weekly",
            "raci-rows": "3",
            "raci-0-name": "Data",
            f"raci-0-{world.acme.pk}": "R",
            f"raci-0-{world.beta.pk}": "A",
        },
    )
    assert response.status_code == 302
    plan = JointPlan.objects.get()
    assert plan.raci == {
        "responsibilities": [
            {"name": "Data", "roles": {str(world.acme.pk): "R", str(world.beta.pk): "A"}}
        ]
    }


def test_requests_and_commitments_through_the_pages(world, initiative):
    sender = login(world.leader)
    url = reverse("request_new", args=["northwind", initiative.pk])
    assert sender.get(url).status_code == 200
    past = sender.post(
        url,
        {
            "to_organization": world.beta.pk,
            "kind": "task",
            "title": "Calibrate",
            "due_on": (today() - timedelta(days=1)).isoformat(),
        },
    )
    assert past.status_code == 422 and "past" in past.content.decode()
    assert not Request.objects.exists()
    response = sender.post(
        url,
        {
            "to_organization": world.beta.pk,
            "kind": "task",
            "title": "Calibrate",
            "due_on": (today() + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 302
    request = Request.objects.get()

    receiver = login(world.other_leader)
    inbox = receiver.get(reverse("my_requests")).content.decode()
    assert "Calibrate" in inbox and "Decline" in inbox
    # Declining without a reason: an error message, nothing changes.
    receiver.post(reverse("request_action", args=[request.pk, "decline"]), {"reason": ""})
    request.refresh_from_db()
    assert request.status == "open"
    receiver.post(reverse("request_action", args=[request.pk, "accept"]))
    commitment = Commitment.objects.get()
    assert "Calibrate" in receiver.get(reverse("my_commitments")).content.decode()
    # The requester cannot mark another organization's commitment delivered.
    assert (
        sender.post(reverse("commitment_action", args=[commitment.pk, "deliver"])).status_code
        == 403
    )
    receiver.post(reverse("commitment_action", args=[commitment.pk, "deliver"]))
    commitment.refresh_from_db()
    assert commitment.status == "delivered"
    assert "On time" in receiver.get(reverse("my_commitments")).content.decode()


def test_outsiders_cannot_touch_requests_or_commitments(world, initiative):
    request = services.request_send(
        actor=fresh(world.leader),
        initiative=initiative,
        to_organization=world.beta,
        title="Very secret task",
        due_on=today() + timedelta(days=2),
    )
    commitment = services.request_accept(actor=fresh(world.other_leader), request=request)
    outsider = login(world.outsider)
    assert (
        outsider.post(reverse("request_action", args=[request.pk, "withdraw"])).status_code == 404
    )
    assert (
        outsider.post(reverse("commitment_action", args=[commitment.pk, "deliver"])).status_code
        == 404
    )
    assert "Very secret task" not in outsider.get(reverse("my_requests")).content.decode()
    assert "Very secret task" not in outsider.get(reverse("my_commitments")).content.decode()


def test_nominations_are_answered_on_the_page(world, initiative):
    client = login(world.leader)
    client.post(action(initiative, "nominate"), {"person": world.other_leader.pk})
    nomination = initiative.nominations.get()
    body = login(world.other_leader).get(detail(initiative)).content.decode()
    assert "Accept the nomination" in body
    login(world.other_leader).post(
        action(initiative, "nomination-accept"), {"nomination": nomination.pk}
    )
    nomination.refresh_from_db()
    assert nomination.accepted_at is not None


def test_an_unknown_action_is_404_and_bad_ids_are_an_error_not_a_500(world, initiative, as_leader):
    unknown = f"/n/northwind/initiatives/{initiative.pk}/explode/"
    assert as_leader.post(unknown).status_code == 404
    assert as_leader.post(action(initiative, "nominate"), {"person": "abc"}).status_code == 302
    assert (
        as_leader.post(action(initiative, "accept"), {"participation": "999999"}).status_code == 404
    )


def test_a_participating_team_leader_invites_and_the_invitee_joins_on_the_page(world):
    initiative = propose(world)
    client = login(world.leader)
    assert "Invite a member organization" in client.get(detail(initiative)).content.decode()
    response = client.post(
        action(initiative, "invite"),
        {"organization": world.beta.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "Invited" in response.content.decode()
    participation = Participation.objects.get(organization=world.beta)
    assert participation.status == "invited"
    body = login(world.other_leader).get(detail(initiative)).content.decode()
    assert "Join<span" in body
    login(world.other_leader).post(
        action(initiative, "accept"), {"participation": participation.pk}
    )
    participation.refresh_from_db()
    assert participation.status == "active"


def test_the_page_shows_the_first_participants_and_acceptances_and_counts_the_rest(
    world, initiative, monkeypatch
):
    """Many participants: the page names the first ones and counts the rest; the viewer's own
    acceptance decides the Accept button; taking part or asking keeps an organization off the
    invite list."""
    from consortia.initiatives import views
    from consortia.initiatives.models import PlanAcceptance
    from consortia.networks.models import Organization

    make_leader(initiative, world.other_leader)
    plan = services.plan_revise(actor=fresh(world.other_leader), initiative=initiative, goals="G")
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Zeta {i:02d}", slug=f"zeta-{i:02d}") for i in range(30)
    )
    Participation.objects.bulk_create(
        Participation(initiative=initiative, organization=org, status="active") for org in orgs
    )
    PlanAcceptance.objects.bulk_create(PlanAcceptance(plan=plan, organization=org) for org in orgs)
    monkeypatch.setattr(views, "PARTICIPANT_LIMIT", 3)
    body = login(world.leader).get(detail(initiative)).content.decode()
    assert "Showing the first 3 of 32 participating organizations" in body
    accepted = re.search(r'<p class="list__meta">(.*?)</p>', body).group(1)
    # Beta published the version and accepted it with it; then the first 24 of the others
    assert accepted.startswith("Beta Works, Zeta 00, ") and accepted.endswith("Zeta 23 and 6 more")
    assert "Accept version 1" in body
    services.plan_accept(actor=fresh(world.leader), plan=plan)
    body = login(world.leader).get(detail(initiative)).content.decode()
    assert " and 7 more" in body and "Accept version 1" not in body
    invitable = views._invitable(initiative)
    assert world.beta not in invitable and world.acme not in invitable


def test_a_member_the_two_factor_rule_locks_out_is_told_why_and_outsiders_still_get_404(
    world, initiative
):
    from tests.sharing.test_two_factor_lock import require_two_factor, two_factor_on

    require_two_factor(world.network)
    mfa = reverse("mfa_index")
    pages = [
        detail(initiative),
        reverse("plan_edit", args=["northwind", initiative.pk]),
        reverse("request_new", args=["northwind", initiative.pk]),
    ]
    for path in pages:
        response = login(world.other_member).get(path)
        assert response.status_code == 403, path
        body = response.content.decode()
        assert "requires two-factor authentication" in body and f'href="{mfa}"' in body, path
        assert "Shared sensors" not in body, path
        # The network's own members-only page says the same.
        members = login(world.other_member).get(reverse("network_members", args=["northwind"]))
        assert members.status_code == 403
        for stranger in (world.applicant, world.outsider):
            assert login(stranger).get(path).status_code == 404, (stranger, path)
    # The list is a network page: shown, without the initiative, saying why.
    listing = login(world.other_member).get(reverse("initiative_list", args=["northwind"]))
    body = listing.content.decode()
    assert listing.status_code == 200 and "requires two-factor authentication" in body
    assert "Shared sensors" not in body and f'href="{mfa}"' in body
    # Not another network's initiative behind a locked network's address.
    elsewhere = reverse("initiative_detail", args=["elsewhere", initiative.pk])
    assert login(world.other_member).get(elsewhere).status_code == 404
    # Acting is refused the same way, and changes nothing.
    before = list(Participation.objects.filter(initiative=initiative).values("pk", "status"))
    response = login(world.other_leader).post(action(initiative, "leave"))
    assert response.status_code == 403
    assert "requires two-factor authentication" in response.content.decode()
    assert list(Participation.objects.filter(initiative=initiative).values("pk", "status")) == (
        before
    )
    two_factor_on(world.other_member)
    assert login(world.other_member).get(detail(initiative)).status_code == 200
