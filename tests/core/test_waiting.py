""" "Waiting for you" (core.waiting): what each organization finds on its dashboard and at
GET /api/v1/me/waiting, that nobody sees another organization's waiting things, the one-click
actions, and a dashboard whose query count does not grow with the number of waiting things."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consortia.core import waiting
from consortia.core.notifications import notify
from consortia.decisions import services as decisions
from consortia.initiatives import services as initiatives
from consortia.networks import services as networks
from consortia.networks.models import Invitation, NetworkMembership
from consortia.reviews import services as reviews
from consortia.sharing import services as sharing
from tests.conftest import fresh, login, make_org_leader, make_person
from tests.initiatives.conftest import join, make_leader, propose


def keys(person) -> dict[str, list[str]]:
    return {s.key: [i.key for i in s.items] for s in waiting.sections_for(fresh(person))}


def counts(person) -> dict[str, int]:
    return {s.key: s.count for s in waiting.sections_for(fresh(person))}


@pytest.fixture
def busy(world):
    """One of each waiting thing. Acme (Ada) leads "Shared sensors", in which Beta (Bo) takes
    part; Gamma asks to join the network (both Acme and Beta decide)."""
    ada, bo = world.leader, world.other_leader
    today = timezone.localdate()
    project = propose(world)
    join(project, bo, ada)
    make_leader(project, ada)
    initiatives.initiative_start(actor=fresh(ada), initiative=project)
    # Beta: a request to answer, a nomination, an invitation to a second initiative, an NDA.
    to_beta = initiatives.request_send(
        actor=fresh(ada),
        initiative=project,
        to_organization=world.beta,
        title="Calibrate the sensors",
        due_on=today + timedelta(days=3),
    )
    nomination = initiatives.nominate(actor=fresh(ada), initiative=project, person=fresh(bo))
    second = propose(world, title="Joint purchasing")
    invited = initiatives.participation_invite(
        actor=fresh(ada), initiative=second, organization=world.beta
    )
    nda = sharing.nda_propose(
        actor=fresh(ada), network=world.network, counterparty=world.beta, title="NDA", text="…"
    )
    # Acme: a commitment due in two days (Beta's request, accepted).
    to_acme = initiatives.request_send(
        actor=fresh(bo),
        initiative=project,
        to_organization=world.acme,
        title="Share the sensor list",
        due_on=today + timedelta(days=2),
    )
    commitment = initiatives.request_accept(actor=fresh(ada), request=to_acme)
    # Both: a poll, a held review.
    poll = decisions.poll_create(
        actor=fresh(ada),
        network=world.network,
        title="Meet monthly?",
        kind="yes_no",
        closes_at=timezone.now() + timedelta(days=2),
    )
    review = reviews.review_add(actor=fresh(ada), initiative=project, scheduled_for=today)
    review = reviews.review_hold(actor=fresh(ada), review=review)
    return {
        "project": project,
        "to_beta": to_beta,
        "nomination": nomination,
        "invited": invited,
        "nda": nda,
        "commitment": commitment,
        "poll": poll,
        "review": review,
        "admission": NetworkMembership.objects.get(network=world.network, organization=world.gamma),
    }


def test_it_shows_each_organization_what_waits_for_it(world, busy):
    b = busy
    assert keys(world.leader) == {
        "admissions": [f"admission-{b['admission'].pk}"],
        "polls": [f"poll-{b['poll'].pk}"],
        "reviews": [f"review-{b['review'].pk}"],
        "commitments": [f"commitment-{b['commitment'].pk}"],
    }
    assert keys(world.other_leader) == {
        "admissions": [f"admission-{b['admission'].pk}"],
        "polls": [f"poll-{b['poll'].pk}"],
        "initiative_invitations": [f"participation-{b['invited'].pk}"],
        "requests": [f"request-{b['to_beta'].pk}"],
        "nominations": [f"nomination-{b['nomination'].pk}"],
        "ndas": [f"nda-{b['nda'].pk}"],
        "reviews": [f"review-{b['review'].pk}"],
    }


def _sections_as_shown(person, **kwargs):
    return [
        (s.key, s.count, [(i.key, i.title, i.note, [a.url for a in i.actions]) for i in s.items])
        for s in waiting.sections_for(person, empty=True, **kwargs)
    ]


@pytest.mark.parametrize("who", ["leader", "other_leader", "outsider", "member"])
def test_the_dashboards_known_networks_give_the_same_sections_as_the_subqueries(world, busy, who):
    """The dashboard passes the active networks it read for "My networks" to every section
    (networks.permissions.active_network_ids); the API reads them with a subquery."""
    from consortia.networks import permissions, selectors
    from consortia.networks import waiting as network_waiting

    person = fresh(getattr(world, who))
    now = timezone.now()
    org_id = permissions.org_id_of(person)
    known = network_waiting.active_networks_known(org_id, list(selectors.networks_of(person)), now)
    assert _sections_as_shown(person, now=now, known=known) == _sections_as_shown(person, now=now)


def test_known_networks_stop_at_the_end_of_sections_for(world, busy):
    from consortia.networks import permissions

    org_id = permissions.org_id_of(fresh(world.leader))
    key = (permissions.ACTIVE_NETWORKS, org_id)
    waiting.sections_for(fresh(world.leader), known={key: []})
    assert not isinstance(permissions.active_network_ids(org_id), list)


def test_nobody_sees_another_organizations_waiting_things(world, busy):
    assert keys(world.outsider) == {}
    # Gamma waits for admission: it decides nothing in the network yet.
    assert keys(world.applicant) == {}
    # A colleague sees the organization's work, but not a nomination of another person, and
    # has no buttons where the team leader decides.
    colleague = waiting.sections_for(fresh(world.other_member))
    by_key = {s.key: s for s in colleague}
    assert "nominations" not in by_key
    assert by_key["admissions"].items[0].actions == []
    assert by_key["admissions"].items[0].note == "Your team leader decides"
    assert by_key["polls"].items[0].actions == []


def test_it_sorts_polls_closing_soonest_first_and_forgets_those_voted_in(world, busy):
    later = busy["poll"]
    sooner = decisions.poll_create(
        actor=fresh(world.leader),
        network=world.network,
        title="Sooner",
        kind="yes_no",
        closes_at=timezone.now() + timedelta(hours=5),
    )
    assert keys(world.leader)["polls"] == [f"poll-{sooner.pk}", f"poll-{later.pk}"]
    decisions.ballot_cast(actor=fresh(world.leader), poll=sooner, choice="yes")
    assert keys(world.leader)["polls"] == [f"poll-{later.pk}"]
    assert keys(world.other_leader)["polls"] == [f"poll-{sooner.pk}", f"poll-{later.pk}"]


def test_it_counts_beyond_what_it_shows(world, busy, monkeypatch):
    for i in range(3):
        decisions.poll_create(
            actor=fresh(world.leader),
            network=world.network,
            title=f"Poll {i}",
            kind="yes_no",
            closes_at=timezone.now() + timedelta(days=3 + i),
        )
    monkeypatch.setattr(waiting, "LIMIT", 2)
    monkeypatch.setattr(waiting.capped, "__defaults__", (2,))
    polls = next(s for s in waiting.sections_for(fresh(world.leader)) if s.key == "polls")
    assert polls.count == 4 and len(polls.items) == 2


def test_commitments_wait_only_when_due_within_a_week_or_overdue(world, busy):
    commitment = busy["commitment"]
    type(commitment).objects.filter(pk=commitment.pk).update(
        due_on=timezone.localdate() + timedelta(days=8)
    )
    assert "commitments" not in keys(world.leader)
    type(commitment).objects.filter(pk=commitment.pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    section = next(s for s in waiting.sections_for(fresh(world.leader)) if s.key == "commitments")
    assert section.items[0].overdue


# The dashboard ------------------------------------------------------------------------------


def test_the_dashboard_lists_every_section_with_its_count_and_actions(world, busy):
    body = login(world.other_leader).get("/").content.decode()
    for title in (
        "Admissions to decide",
        "Polls to vote in",
        "Invitations to initiatives",
        "Requests to answer",
        "Nominations to accept",
        "NDAs to accept",
        "Reviews to sign off",
    ):
        assert title in body
    assert 'id="waiting-total">7<span class="visually-hidden"> waiting' in body
    admission = busy["admission"]
    assert reverse("admission_decide", args=["northwind", admission.pk]) in body
    assert reverse("request_action", args=[busy["to_beta"].pk, "accept"]) in body
    assert "Propose another date" in body


def test_approving_from_the_dashboard_comes_back_to_it(world, busy):
    admission = busy["admission"]
    client = login(world.leader)
    response = client.post(
        reverse("admission_decide", args=["northwind", admission.pk]),
        {f"a{admission.pk}-decision": "approve", "next": "/"},
    )
    assert response.status_code == 302 and response.url == "/"
    body = client.get("/").content.decode()
    assert "Admissions to decide" not in body
    assert "You approved" in body or "is now a member" in body


def test_delivering_from_the_dashboard_comes_back_to_it(world, busy):
    client = login(world.leader)
    response = client.post(
        reverse("commitment_action", args=[busy["commitment"].pk, "deliver"]), {"next": "/"}
    )
    assert response.url == "/"
    assert "commitments" not in keys(world.leader)


# In place, with HTMX: the card's one-click actions are boosted forms (core.htmx). Their view
# answers as without JavaScript (302 back to the dashboard), the browser follows it with the
# htmx headers, and the card picks #waiting and #flash out of that page.

BOOSTED = {"HX-Request": "true", "HX-Boosted": "true", "HX-Current-URL": "http://testserver/"}
CARD = (
    '<section class="card waiting" id="waiting" aria-labelledby="waiting-title"\n'
    '      hx-target="#waiting" hx-select="#waiting" hx-select-oob="#flash:innerHTML" '
    'hx-swap="outerHTML show:none" hx-push-url="false"\n      data-live data-gone-message='
)


def test_the_card_swaps_its_one_click_actions_in_place(world, busy):
    body = login(world.other_leader).get("/").content.decode()
    assert CARD in body
    approve = reverse("admission_decide", args=["northwind", busy["admission"].pk])
    assert f'<form method="post" action="{approve}" hx-boost="true">' in body
    # The request's answers (its own template) are boosted too; the links are not.
    assert '<div class="actions" hx-boost="true">' in body
    assert body.count('hx-boost="true"') == body.count("hx-boost")
    assert body.count("<a hx-boost") == 0
    # My requests, outside the dashboard, keeps its plain forms.
    requests_page = login(world.other_leader).get(reverse("my_requests")).content.decode()
    assert "hx-boost" not in requests_page


def _boosted_answer(client, url, data):
    """A boosted POST, then the GET of where it redirects, as htmx (the XHR) follows it."""
    response = client.post(url, data, headers=BOOSTED)
    assert response.status_code == 302, response.content.decode()[:300]
    assert "HX-Redirect" not in response and "HX-Trigger-After-Settle" not in response
    assert response.url == "/"
    page = client.get(response.url, headers=BOOSTED)
    assert page.status_code == 200
    return page.content.decode()


def _dashboard_action(busy, section):
    """The URL and fields of the first one-click action of `section` on the dashboard."""
    if section == "admissions":
        pk = busy["admission"].pk
        return reverse("admission_decide", args=["northwind", pk]), {f"a{pk}-decision": "approve"}
    if section == "commitments":
        return reverse("commitment_action", args=[busy["commitment"].pk, "deliver"]), {}
    if section == "requests":
        return reverse("request_action", args=[busy["to_beta"].pk, "accept"]), {}
    project = busy["project"].pk
    if section == "nominations":
        url = reverse("initiative_action", args=["northwind", project, "nomination-accept"])
        return url, {"nomination": busy["nomination"].pk}
    invited = busy["invited"]
    url = reverse("initiative_action", args=["northwind", invited.initiative_id, "accept"])
    return url, {"participation": invited.pk}


@pytest.mark.parametrize(
    ("who", "section"),
    [
        ("leader", "admissions"),
        ("leader", "commitments"),
        ("other_leader", "requests"),
        ("other_leader", "nominations"),
        ("other_leader", "initiative_invitations"),
    ],
)
def test_a_boosted_action_answers_with_the_dashboard_it_changed(world, busy, who, section):
    person = getattr(world, who)
    before = counts(person)
    url, data = _dashboard_action(busy, section)
    body = _boosted_answer(login(person), url, {**data, "next": "/"})
    after = counts(person)
    assert section in before and section not in after
    # (accepting a request adds a commitment due: the total is what waits now)
    total = sum(after.values())
    # The whole dashboard, from which htmx swaps the card (its new count) and the message.
    assert CARD in body
    assert f'id="waiting-total">{total}<span class="visually-hidden"> waiting' in body
    assert f'id="waiting-{section}"' not in body
    flash = body.split('id="flash"', 1)[1].split("</div>\n", 1)[0]
    assert "flash__item--success" in flash


def test_an_action_on_something_gone_meanwhile_is_refused_and_the_card_read_again_drops_it(
    world, busy
):
    """The card is a live part (live.js) that says what a refused action means there: app.js
    shows that sentence and reads the card again (tests/browser/test_waiting_journey.py)."""
    client = login(world.leader)
    card = client.get("/").content.decode().split('id="waiting"', 1)[1].split(">", 1)[0]
    assert "data-live" in card
    assert 'data-gone-message="That is no longer waiting for you' in card
    url, data = _dashboard_action(busy, "admissions")
    NetworkMembership.objects.filter(pk=busy["admission"].pk).delete()  # gone meanwhile
    response = client.post(url, {**data, "next": "/"}, headers=BOOSTED)
    assert response.status_code == 404
    assert "data-error-message" in response.content.decode()
    again = client.get("/", headers={"X-Consortia-Live": "1"}).content.decode()
    assert CARD in again and 'id="waiting-admissions"' not in again


def test_an_htmx_action_elsewhere_still_gets_its_fragment(world, busy):
    # Not boosted (the members page's own HTMX form): the fragment of the admission, as before.
    admission = busy["admission"]
    response = login(world.leader).post(
        reverse("admission_decide", args=["northwind", admission.pk]),
        {f"a{admission.pk}-decision": "approve"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "HX-Trigger-After-Settle" in response
    assert 'id="flash"' in response.content.decode() and "<html" not in response.content.decode()


def test_a_boosted_action_keeps_its_csrf_check(world, busy):
    client = Client(enforce_csrf_checks=True)
    client.force_login(fresh(world.leader))
    url = reverse("commitment_action", args=[busy["commitment"].pk, "deliver"])
    assert client.post(url, {"next": "/"}, headers=BOOSTED).status_code == 403
    assert "commitments" in keys(world.leader)
    page = client.get("/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post(url, {"next": "/", "csrfmiddlewaretoken": token}, headers=BOOSTED)
    assert response.status_code == 302 and response.url == "/"
    assert "commitments" not in keys(world.leader)


def test_an_empty_dashboard_says_what_to_do_next(world):
    lone = make_org_leader("solo@solo.test", "Sol Solo", "Solo Works")
    body = login(lone).get("/").content.decode()
    assert "Nothing is waiting for you" in body
    assert reverse("network_create") in body and reverse("network_list") in body
    gamma = NetworkMembership.objects.get(network=world.network, organization=world.gamma)
    networks.admission_vote(actor=fresh(world.leader), membership=gamma, decision="approve")
    body = login(world.other_member).get("/").content.decode()
    assert "Nothing is waiting for you" in body and "propose an initiative" in body


def grow(world, n: int, start: int = 0) -> None:
    """n more of each waiting thing for Acme: applicants, polls, requests, commitments."""
    ada = world.leader
    project = propose(world, title=f"Project {start}")
    join(project, world.other_leader, ada)
    today = timezone.localdate()
    for i in range(start, start + n):
        applicant = make_org_leader(f"g{i}@g{i}.test", f"G {i}", f"Applicant {i}")
        networks.network_apply(actor=applicant, network=world.network)
        decisions.poll_create(
            actor=fresh(ada),
            network=world.network,
            title=f"Poll {i}",
            kind="yes_no",
            closes_at=timezone.now() + timedelta(days=1 + i),
        )
        initiatives.request_send(
            actor=fresh(world.other_leader),
            initiative=project,
            to_organization=world.acme,
            title=f"Open {i}",
            due_on=today + timedelta(days=5),
        )
        done = initiatives.request_send(
            actor=fresh(world.other_leader),
            initiative=project,
            to_organization=world.acme,
            title=f"Task {i}",
            due_on=today + timedelta(days=3),
        )
        initiatives.request_accept(actor=fresh(ada), request=done)


def test_the_dashboard_query_count_does_not_grow_with_the_waiting_things(
    world, busy, django_assert_num_queries
):
    # 2 who-is-asking + networks_of + recent events + one query a section (network
    # invitations, admissions, polls, initiative invitations, requests, nominations, charters,
    # reviews, commitments, overlap proposals, overlap runs, health checks, prospects' next
    # steps, paused webhooks) + two for NDAs (bilateral, the network's) + the header's exact
    # unread count (the leader has unread notifications; core.context_processors)
    budget = 21
    client = login(world.leader)
    grow(world, 1)
    with django_assert_num_queries(budget):
        first = client.get("/").content.decode()
    grow(world, 14, start=1)
    with django_assert_num_queries(budget):
        second = client.get("/").content.decode()
    assert first.count('id="waiting-poll-') < second.count('id="waiting-poll-')
    assert "Showing 10 of 16" in second  # polls: 1 + 1 + 14, the first 10 shown


# Network invitations to a verified address ---------------------------------------------------


def test_a_verified_person_sees_and_accepts_a_network_invitation_in_the_app(world):
    world.network.visibility = "unlisted"
    world.network.save()
    zoe = make_org_leader("zoe@zeta.test", "Zoe Zeta", "Zeta Co")
    invitation, _token = networks.network_invite_organization(
        actor=fresh(world.leader), network=world.network, email="ZOE@zeta.test"
    )
    client = login(zoe)
    body = client.get("/").content.decode()
    assert "Invitations for you" in body and "Join Northwind Alliance" in body
    accept = reverse("invitation_in_app", args=[invitation.pk, "accept"])
    assert accept in body
    response = client.post(accept, {"next": "/"})
    assert response.status_code == 302 and response.url == "/"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    membership = NetworkMembership.objects.get(network=world.network, organization__name="Zeta Co")
    assert membership.status == NetworkMembership.Status.INVITED
    # Answered: gone, and the address answers 404 now.
    assert "Invitations for you" not in client.get("/").content.decode()
    assert client.post(accept).status_code == 404


def test_an_unverified_person_keeps_the_link_rule(world):
    zoe = make_person("zoe@zeta.test", "Zoe", verified=False)
    invitation, _token = networks.network_invite_organization(
        actor=fresh(world.leader), network=world.network, email="zoe@zeta.test"
    )
    client = login(zoe)
    assert "Invitations for you" not in client.get("/").content.decode()
    url = reverse("invitation_in_app", args=[invitation.pk, "decline"])
    assert client.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_nobody_answers_an_invitation_sent_to_someone_else(world):
    invitation, _token = networks.network_invite_organization(
        actor=fresh(world.leader), network=world.network, email="zoe@zeta.test"
    )
    for person in (world.outsider, world.leader):
        client = login(person)
        for action in ("accept", "decline"):
            url = reverse("invitation_in_app", args=[invitation.pk, action])
            assert client.post(url).status_code == 404
        assert client.get(url).status_code == 405
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_a_verified_person_without_organization_is_asked_to_create_one(world):
    zoe = make_person("zoe@zeta.test", "Zoe")
    invitation, _token = networks.network_invite_organization(
        actor=fresh(world.leader), network=world.network, email="zoe@zeta.test"
    )
    body = login(zoe).get("/").content.decode()
    assert "Join Northwind Alliance" in body
    assert reverse("organization_create") + "?next=/" in body
    response = login(zoe).post(
        reverse("invitation_in_app", args=[invitation.pk, "decline"]), {"next": "/"}
    )
    assert response.url == "/"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED


# The header ---------------------------------------------------------------------------------


def test_the_header_shows_unread_notifications_requests_and_commitments(world, busy):
    client = login(world.member)
    body = client.get("/").content.decode()
    assert 'class="nav-count"' not in body
    assert f'href="{reverse("my_requests")}"' in body
    assert f'href="{reverse("my_commitments")}"' in body
    notify(recipients=[world.member, world.member], kind="x", title="One")
    notify(recipients=[world.member], kind="x", title="Two")
    notify(recipients=[world.leader], kind="x", title="Not Max's")
    body = client.get(reverse("my_requests")).content.decode()
    assert '<span class="nav-count">2<span class="visually-hidden"> unread</span>' in body
    client.post(reverse("notifications"))
    assert 'class="nav-count"' not in client.get("/").content.decode()


# The API ------------------------------------------------------------------------------------


def test_the_api_lists_the_same_sections_for_the_caller(world, busy):
    response = login(world.other_leader).get("/api/v1/me/waiting")
    assert response.status_code == 200
    data = response.json()
    by_key = {s["key"]: s for s in data["sections"]}
    # Every section is listed, empty ones with a zero count.
    assert by_key["commitments"]["count"] == 0 and by_key["charters"]["items"] == []
    assert data["total"] == 7
    request = by_key["requests"]["items"][0]
    assert request["key"] == f"request-{busy['to_beta'].pk}"
    assert request["due"] == (timezone.localdate() + timedelta(days=3)).isoformat()
    accept = request["actions"][0]
    assert accept == {
        "label": "Accept",
        "method": "post",
        "url": reverse("request_action", args=[busy["to_beta"].pk, "accept"]),
        "fields": {},
    }
    poll = by_key["polls"]["items"][0]
    assert poll["due_label"] == "closes" and poll["actions"][0]["method"] == "get"


def test_the_api_shows_an_outsider_nothing_and_refuses_anonymous_callers(world, busy, client):
    data = login(world.outsider).get("/api/v1/me/waiting").json()
    assert data["total"] == 0 and all(not s["items"] for s in data["sections"])
    assert client.get("/api/v1/me/waiting").status_code == 401


def test_the_api_query_count_does_not_grow(world, busy, django_assert_max_num_queries):
    client = login(world.leader)
    grow(world, 1)
    with django_assert_max_num_queries(19) as first:
        client.get("/api/v1/me/waiting")
    grow(world, 5, start=1)
    with django_assert_max_num_queries(19) as second:
        client.get("/api/v1/me/waiting")
    assert len(first) == len(second)


def test_an_organization_that_has_not_accepted_the_charter_is_sent_to_it_first(world):
    from tests.conftest import admit

    eve = make_org_leader("eve@epsilon.test", "Eve", "Epsilon")
    admit(world.network, eve, world.leader, accept_charter=False)
    by_key = {s.key: s for s in waiting.sections_for(fresh(eve))}
    admission = by_key["admissions"].items[0]
    assert admission.note == "Accept the current charter first"
    assert [a.label for a in admission.actions] == ["Read the charter"]
    assert by_key["charters"].items[0].actions[0].url == reverse(
        "network_charter", args=["northwind"]
    )
    networks.charter_accept(actor=fresh(eve), network=world.network)
    by_key = {s.key: s for s in waiting.sections_for(fresh(eve))}
    assert "charters" not in by_key
    assert [a.label for a in by_key["admissions"].items[0].actions] == ["Approve", "Reject…"]


def test_a_verified_person_joins_a_colleagues_organization_from_the_dashboard(world):
    from consortia.networks.models import OrgMembership

    zoe = make_person("zoe@acme.test", "Zoe")
    invitation, _token = networks.colleague_invite(
        actor=fresh(world.leader), email="zoe@acme.test", role="member"
    )
    client = login(zoe)
    body = client.get("/").content.decode()
    assert "Join Acme Labs as a member" in body
    response = client.post(
        reverse("invitation_in_app", args=[invitation.pk, "accept"]), {"next": "/"}
    )
    assert response.url == "/"
    assert OrgMembership.objects.get(person=zoe).organization == world.acme
    assert "Welcome to Acme Labs" in client.get("/").content.decode()
    # Someone who already belongs to an organization may only decline.
    other, _ = networks.colleague_invite(actor=fresh(world.other_leader), email="zoe@acme.test")
    item = next(
        i
        for s in waiting.sections_for(fresh(zoe))
        for i in s.items
        if i.key.endswith(str(other.pk))
    )
    assert [a.label for a in item.actions] == ["Decline"]
    assert item.note.startswith("You already belong to Acme Labs")


# A network that requires two-factor authentication -------------------------------------------


def test_a_person_the_two_factor_rule_locks_out_sees_nothing_waiting_inside_the_network(
    world, busy
):
    from tests.conftest import admit
    from tests.sharing.test_two_factor_lock import require_two_factor, two_factor_on

    eve = make_org_leader("eve@epsilon.test", "Eve", "Epsilon")
    admit(world.network, eve, world.leader, accept_charter=False)
    before = keys(eve)
    assert before["admissions"] == [f"admission-{busy['admission'].pk}"]
    assert before["charters"] == [f"charter-{world.network.pk}"]
    assert keys(world.leader)["admissions"] == [f"admission-{busy['admission'].pk}"]
    require_two_factor(world.network)
    # Who asks to join, what is put to the vote, the charter to accept: all inside the network.
    for person in (eve, world.leader, world.other_leader):
        assert keys(person) == {}, person
        data = login(person).get("/api/v1/me/waiting").json()
        assert data["total"] == 0, person
        body = login(person).get("/").content.decode()
        assert "Gamma Group asks to join" not in body and "The charter of" not in body
    two_factor_on(eve)
    assert keys(eve)["admissions"] == [f"admission-{busy['admission'].pk}"]
    assert keys(eve)["charters"] == [f"charter-{world.network.pk}"]


def test_an_invitation_into_a_network_that_requires_two_factor_stays_and_says_so(world):
    from tests.sharing.test_two_factor_lock import require_two_factor, two_factor_on

    require_two_factor(world.network)
    zoe = make_org_leader("zoe@zeta.test", "Zoe Zeta", "Zeta Co")
    invitation, _token = networks.network_invite_organization(
        actor=fresh(world.leader), network=world.network, email="zoe@zeta.test"
    )
    (item,) = {s.key: s for s in waiting.sections_for(fresh(zoe))}["invitations"].items
    assert item.key == f"invitation-{invitation.pk}" and item.title == "Join Northwind Alliance"
    assert "requires two-factor authentication" in item.detail
    assert [a.label for a in item.actions] == ["Accept", "Decline"]
    body = login(zoe).get("/").content.decode()
    assert "Join Northwind Alliance" in body and "requires two-factor authentication" in body
    two_factor_on(zoe)
    (item,) = {s.key: s for s in waiting.sections_for(fresh(zoe))}["invitations"].items
    assert "two-factor" not in item.detail
