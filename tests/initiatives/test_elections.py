"""Elections, recalls and term extensions: polls of the participants whose outcomes give,
end and extend a leader's term."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from consortia.decisions import services as decisions
from consortia.decisions.models import Poll, PollVoter
from consortia.initiatives import permissions, services
from consortia.initiatives.models import Initiative, LeadershipTerm
from consortia.networks.models import Person
from tests.api.conftest import api_as
from tests.conftest import admit, fresh, login, make_org_leader

from .conftest import join, make_leader


def accept_nomination(initiative, person, by=None):
    nomination = services.nominate(
        actor=fresh(by or person), initiative=initiative, person=fresh(person)
    )
    return services.nomination_accept(actor=fresh(person), nomination=nomination)


def in_an_hour():
    return timezone.now() + timedelta(hours=1)


def settle(poll):
    """The poll settled: at its last ballot when every participant voted, else at the close."""
    poll = Poll.objects.get(pk=poll.pk)
    if poll.outcome_applied_at is None:
        assert decisions.poll_settle(poll, now=poll.closes_at + timedelta(minutes=1))
    return Poll.objects.get(pk=poll.pk)


def leader_now(initiative):
    permissions.forget(initiative)
    return permissions.current_leader(initiative)


@pytest.fixture
def third(world, initiative):
    """A third member, Eve's Epsilon Ltd, joins the initiative too."""
    eve = make_org_leader("eve@epsilon.test", "Eve Third", "Epsilon Ltd")
    admit(world.network, eve, world.leader)
    join(initiative, eve, world.leader)
    return fresh(eve)


def test_it_elects_the_schulze_winner_among_the_participants(world, initiative, third):
    accept_nomination(initiative, world.leader)
    accept_nomination(initiative, world.other_leader)
    poll = services.leader_election_open(
        actor=fresh(world.leader), initiative=initiative, closes_at=in_an_hour()
    )
    assert (poll.kind, poll.method, poll.action) == ("ranked", "schulze", services.ELECT_ACTION)
    assert poll.created_by == world.leader
    assert [o.label for o in poll.options.order_by("position")] == ["Ada Leader", "Bo Other"]
    # The participating organizations vote, one each.
    assert set(PollVoter.objects.filter(poll=poll).values_list("organization_id", flat=True)) == {
        world.acme.pk,
        world.beta.pk,
        third.organization.pk,
    }
    for voter in (world.leader, world.other_leader):
        decisions.ballot_cast(
            actor=fresh(voter), poll=poll, choice={"ranking": ["Bo Other", "Ada Leader"]}
        )
    assert leader_now(initiative) is None  # nothing happens while a participant has not voted
    decisions.ballot_cast(
        actor=fresh(third), poll=poll, choice={"ranking": ["Bo Other", "Ada Leader"]}
    )
    # Every participant has voted: the election closes and its outcome applies at once.
    settled = Poll.objects.get(pk=poll.pk)
    assert settled.closed_early and settled.outcome_applied_at is not None
    assert settled.result["winners"] == ["Bo Other"]
    term = leader_now(initiative)
    assert term.person == world.other_leader and term.source == f"election poll #{poll.pk}"
    assert term.ends_at == services.term_end_for(initiative)


def test_it_elects_a_single_nominee_by_consensus(world, initiative):
    accept_nomination(initiative, world.other_leader)
    poll = services.leader_election_open(
        actor=fresh(world.other_leader),
        initiative=initiative,
        closes_at=in_an_hour(),
        method="consensus",
    )
    assert poll.kind == "consensus" and "Bo Other" in poll.title
    for voter in (world.leader, world.other_leader):
        decisions.ballot_cast(actor=fresh(voter), poll=poll, choice={"choice": "agree"})
    settle(poll)
    assert leader_now(initiative).person == world.other_leader


def test_a_block_elects_nobody(world, initiative):
    accept_nomination(initiative, world.other_leader)
    poll = services.leader_election_open(
        actor=fresh(world.leader), initiative=initiative, closes_at=in_an_hour(), method="consensus"
    )
    decisions.ballot_cast(actor=fresh(world.leader), poll=poll, choice={"choice": "block"})
    decisions.ballot_cast(actor=fresh(world.other_leader), poll=poll, choice={"choice": "agree"})
    settle(poll)
    assert leader_now(initiative) is None


@pytest.mark.parametrize(
    "setup, kwargs, message",
    [
        ("none", {}, "Nobody has accepted a nomination"),
        ("pending", {}, "Nobody has accepted a nomination"),
        ("two", {"method": "consensus"}, "exactly one nominee"),
        ("one", {"method": "plurality"}, "Choose Schulze"),
        ("one", {}, "open a consensus election"),
        ("one", {"closes_at": "past"}, "already past"),
        ("one", {"closes_at": None}, "closing date"),
    ],
)
def test_it_refuses_a_bad_election_and_changes_nothing(world, initiative, setup, kwargs, message):
    if setup == "pending":
        services.nominate(
            actor=fresh(world.leader), initiative=initiative, person=fresh(world.other_leader)
        )
    if setup in ("one", "two"):
        accept_nomination(initiative, world.leader)
    if setup == "two":
        accept_nomination(initiative, world.other_leader)
    if kwargs.get("closes_at") == "past":
        kwargs["closes_at"] = timezone.now() - timedelta(minutes=1)
    kwargs.setdefault("closes_at", in_an_hour())
    with pytest.raises(ValidationError) as exc:
        services.leader_election_open(actor=fresh(world.leader), initiative=initiative, **kwargs)
    assert message in " ".join(exc.value.messages)
    assert not Poll.objects.exists()


def test_one_election_is_open_at_a_time(world, initiative):
    accept_nomination(initiative, world.leader)
    accept_nomination(initiative, world.other_leader)
    first = services.leader_election_open(
        actor=fresh(world.leader), initiative=initiative, closes_at=in_an_hour()
    )
    with pytest.raises(ValidationError, match="already open"):
        services.leader_election_open(
            actor=fresh(world.other_leader), initiative=initiative, closes_at=in_an_hour()
        )
    assert list(Poll.objects.all()) == [first]
    # Once it has closed, a new election can be opened.
    Poll.objects.filter(pk=first.pk).update(closes_at=timezone.now())
    services.leader_election_open(
        actor=fresh(world.other_leader), initiative=initiative, closes_at=in_an_hour()
    )
    assert Poll.objects.count() == 2


def test_only_participating_team_leaders_open_polls(world, initiative):
    accept_nomination(initiative, world.leader)
    third = fresh(world.applicant)  # Gamma: not even a member
    for actor in (world.member, world.other_member, third, world.outsider):
        with pytest.raises(PermissionDenied):
            services.leader_election_open(
                actor=fresh(actor), initiative=initiative, closes_at=in_an_hour()
            )
    assert not Poll.objects.exists()


def test_a_member_not_participating_cannot_open_an_election(world):
    from .conftest import propose

    initiative = propose(world)  # Beta is a member but does not take part
    accept_nomination(initiative, world.leader)
    with pytest.raises(PermissionDenied):
        services.leader_election_open(
            actor=fresh(world.other_leader), initiative=initiative, closes_at=in_an_hour()
        )
    assert not Poll.objects.exists()


def test_a_recall_by_two_thirds_ends_the_term_now_and_keeps_it(world, initiative):
    term = make_leader(initiative, world.other_leader)
    poll = services.leader_recall_open(
        actor=fresh(world.leader),
        initiative=initiative,
        closes_at=in_an_hour(),
        reason="Two missed reviews.",
    )
    assert (poll.kind, poll.threshold, poll.description) == (
        "yes_no",
        "two-thirds",
        "Two missed reviews.",
    )
    assert leader_now(initiative) == term  # authority stands until the vote passes
    before = timezone.now()
    for voter in (world.leader, world.other_leader):
        decisions.ballot_cast(actor=fresh(voter), poll=poll, choice={"choice": "yes"})
    settle(poll)  # done at the last ballot: every participant had voted
    assert leader_now(initiative) is None
    term.refresh_from_db()
    assert before <= term.ends_at <= timezone.now()
    assert LeadershipTerm.objects.filter(initiative=initiative).count() == 1  # history kept
    people = Person.objects.filter(notifications__kind="initiative.leader_recalled")
    assert set(people) >= {world.leader, world.other_leader, world.member, world.other_member}


def test_a_recall_short_of_two_thirds_changes_nothing(world, initiative):
    term = make_leader(initiative, world.other_leader)
    poll = services.leader_recall_open(
        actor=fresh(world.leader), initiative=initiative, closes_at=in_an_hour(), reason="Why not"
    )
    decisions.ballot_cast(actor=fresh(world.leader), poll=poll, choice={"choice": "yes"})
    decisions.ballot_cast(actor=fresh(world.other_leader), poll=poll, choice={"choice": "no"})
    settle(poll)
    assert leader_now(initiative) == term


def test_a_recall_needs_a_leader_a_reason_and_no_other_recall(world, initiative):
    with pytest.raises(ValidationError, match="nobody to recall"):
        services.leader_recall_open(
            actor=fresh(world.leader), initiative=initiative, closes_at=in_an_hour(), reason="x"
        )
    make_leader(initiative, world.other_leader)
    with pytest.raises(ValidationError):
        services.leader_recall_open(
            actor=fresh(world.leader), initiative=initiative, closes_at=in_an_hour(), reason=" "
        )
    services.leader_recall_open(
        actor=fresh(world.leader), initiative=initiative, closes_at=in_an_hour(), reason="x"
    )
    with pytest.raises(ValidationError, match="already open"):
        services.leader_recall_open(
            actor=fresh(world.leader), initiative=initiative, closes_at=in_an_hour(), reason="y"
        )
    assert Poll.objects.count() == 1


def test_an_extension_by_consensus_moves_the_end_and_the_term(world, initiative):
    term = make_leader(initiative, world.other_leader)
    new_end = initiative.ends_on + timedelta(days=30)
    poll = services.term_extension_open(
        actor=fresh(world.leader), initiative=initiative, new_end=new_end, closes_at=in_an_hour()
    )
    assert poll.kind == "consensus"
    for voter in (world.leader, world.other_leader):
        decisions.ballot_cast(actor=fresh(voter), poll=poll, choice={"choice": "agree"})
    settle(poll)
    initiative = Initiative.objects.get(pk=initiative.pk)
    term.refresh_from_db()
    assert initiative.ends_on == new_end
    assert term.ends_at == services.term_end_for(initiative)


def test_a_blocked_extension_changes_nothing(world, initiative):
    term = make_leader(initiative, world.other_leader)
    ends_on, ends_at = initiative.ends_on, term.ends_at
    poll = services.term_extension_open(
        actor=fresh(world.leader),
        initiative=initiative,
        new_end=ends_on + timedelta(days=30),
        closes_at=in_an_hour(),
    )
    decisions.ballot_cast(actor=fresh(world.other_leader), poll=poll, choice={"choice": "block"})
    settle(poll)
    term.refresh_from_db()
    assert Initiative.objects.get(pk=initiative.pk).ends_on == ends_on and term.ends_at == ends_at


def test_an_extension_must_end_later(world, initiative):
    for new_end in (initiative.ends_on, initiative.ends_on - timedelta(days=1), None):
        with pytest.raises(ValidationError):
            services.term_extension_open(
                actor=fresh(world.leader),
                initiative=initiative,
                new_end=new_end,
                closes_at=in_an_hour(),
            )
    assert not Poll.objects.exists()


def test_these_polls_cannot_be_opened_through_the_generic_poll_form(world, initiative):
    accept_nomination(initiative, world.leader)
    with pytest.raises(ValidationError):
        decisions.poll_create(
            actor=fresh(world.leader),
            network=world.network,
            title="Sneaky",
            kind="ranked",
            options=["Ada Leader", "Bo Other"],
            closes_at=in_an_hour(),
            action=services.ELECT_ACTION,
            action_payload={"initiative": initiative.pk, "candidates": [world.leader.pk]},
        )


# The page and the API -----------------------------------------------------------------------


def action_url(initiative, name):
    return reverse("initiative_action", args=["northwind", initiative.pk, name])


def detail_url(initiative):
    return reverse("initiative_detail", args=["northwind", initiative.pk])


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_the_page_opens_an_election_and_shows_the_leader_after_the_close(world, initiative):
    accept_nomination(initiative, world.leader)
    accept_nomination(initiative, world.other_leader)
    client = login(world.leader)
    body = client.get(detail_url(initiative)).content.decode()
    assert 'id="election"' in body and "Open the election" in body
    response = client.post(
        action_url(initiative, "election-open"),
        {"method": "schulze", "closes_at": local(in_an_hour())},
    )
    assert response.status_code == 302
    poll = Poll.objects.get()
    body = client.get(detail_url(initiative)).content.decode()
    assert reverse("poll_detail", args=["northwind", poll.pk]) in body
    assert "Open the election" not in body  # one at a time
    for voter in (world.leader, world.other_leader):
        decisions.ballot_cast(
            actor=fresh(voter), poll=poll, choice={"ranking": ["Ada Leader", "Bo Other"]}
        )
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now())  # the clock moves
    body = client.get(detail_url(initiative)).content.decode()
    assert "days left in the term" in body and "Ada Leader" in body
    assert leader_now(initiative).person == world.leader


@pytest.mark.parametrize(
    "name, data",
    [
        ("election-open", {"method": "schulze", "closes_at": "tomorrow"}),
        ("election-open", {"method": "schulze", "closes_at": "2020-01-01T10:00"}),
        ("election-open", {"method": "schulze", "closes_at": "2030-02-31T10:00"}),
        ("recall-open", {"reason": "x", "closes_at": "2030-01-01T10:00"}),
        ("extension-open", {"new_end": "soon", "closes_at": "2030-01-01T10:00"}),
        ("extension-open", {"new_end": "2001-01-01", "closes_at": "2030-01-01T10:00"}),
    ],
)
def test_the_page_reports_bad_input_and_changes_nothing(world, initiative, name, data):
    accept_nomination(initiative, world.leader)
    accept_nomination(initiative, world.other_leader)
    client = login(world.leader)
    if name == "recall-open":  # nobody leads: a refusal of the vote, on top of the page
        response = client.post(action_url(initiative, name), data, follow=True)
        assert "Nobody leads" in str(list(response.context["messages"]))
        assert not Poll.objects.exists()
        return
    response = client.post(action_url(initiative, name), data)
    # The page again (422): what was typed is kept, each error next to its field.
    assert response.status_code == 422
    body = response.content.decode()
    assert 'class="errorlist' in body or "alert--error" in body
    for value in data.values():
        if name != "election-open" or value != "schulze":
            assert f'value="{value}"' in body or f">{value}</textarea>" in body
    assert not Poll.objects.exists()


def test_members_of_other_organizations_get_a_sentence_and_outsiders_404(world, initiative):
    accept_nomination(initiative, world.leader)
    data = {"method": "consensus", "closes_at": local(in_an_hour())}
    assert (
        login(world.outsider).post(action_url(initiative, "election-open"), data).status_code == 404
    )
    assert (
        login(world.member).post(action_url(initiative, "election-open"), data).status_code == 403
    )
    assert not Poll.objects.exists()


def test_the_api_opens_the_three_polls(world, initiative):
    accept_nomination(initiative, world.other_leader)
    acme = api_as(world.leader)
    closes = in_an_hour().isoformat()
    response = acme.post(
        f"/initiatives/{initiative.pk}/elections", {"method": "consensus", "closes_at": closes}
    )
    assert response.status_code == 201, response.content
    assert response.json()["action"] == services.ELECT_ACTION
    assert response.json()["url"].endswith(f"/decisions/{response.json()['id']}/")
    again = acme.post(f"/initiatives/{initiative.pk}/elections", {"closes_at": closes})
    assert again.status_code == 422
    services.leadership_term_grant(  # Bo stood and leads: a recall has someone to recall
        initiative=initiative, person=fresh(world.other_leader), source="consensus"
    )
    recall = acme.post(
        f"/initiatives/{initiative.pk}/recalls", {"reason": "Absent", "closes_at": closes}
    )
    assert recall.status_code == 201, recall.content
    new_end = (initiative.ends_on + timedelta(days=10)).isoformat()
    extension = acme.post(
        f"/initiatives/{initiative.pk}/extensions", {"new_end": new_end, "closes_at": closes}
    )
    assert extension.status_code == 201, extension.content
    listed = acme.get(f"/initiatives/{initiative.pk}/polls")
    assert listed.status_code == 200 and len(listed.json()) == 3


def test_the_api_refuses_bad_input_with_422(world, initiative):
    acme = api_as(world.leader)
    closes = in_an_hour().isoformat()
    cases = [
        ("elections", {"closes_at": closes}),  # no accepted nominee
        ("elections", {"closes_at": "2001-01-01T00:00:00Z"}),  # past
        ("elections", {"method": "plurality", "closes_at": closes}),
        ("recalls", {"reason": "No leader", "closes_at": closes}),
        ("recalls", {"reason": "", "closes_at": closes}),
        ("extensions", {"new_end": initiative.ends_on.isoformat(), "closes_at": closes}),
        ("extensions", {"new_end": "nope", "closes_at": closes}),
    ]
    for path, body in cases:
        response = acme.post(f"/initiatives/{initiative.pk}/{path}", body)
        assert response.status_code == 422, (path, body, response.content)
    assert not Poll.objects.exists()


def test_the_api_hides_the_initiative_from_outsiders_and_forbids_non_participants(
    world, initiative
):
    accept_nomination(initiative, world.leader)
    closes = in_an_hour().isoformat()
    for person in (world.outsider, world.applicant):
        client = api_as(person)
        for path, body in (
            ("elections", {"closes_at": closes}),
            ("recalls", {"closes_at": closes, "reason": "x"}),
            ("extensions", {"closes_at": closes, "new_end": "2099-01-01"}),
        ):
            assert client.post(f"/initiatives/{initiative.pk}/{path}", body).status_code == 404
        assert client.get(f"/initiatives/{initiative.pk}/polls").status_code == 404
    member = api_as(world.member)  # of a participant, but not a team leader
    response = member.post(
        f"/initiatives/{initiative.pk}/elections", {"method": "consensus", "closes_at": closes}
    )
    assert response.status_code == 403
    assert not Poll.objects.exists()


def test_the_election_poll_page_links_back_to_its_initiative(world, initiative):
    """A voter who followed the poll from elsewhere can go back to what it decides about."""
    accept_nomination(initiative, world.other_leader)
    poll = services.leader_election_open(
        actor=fresh(world.leader), initiative=initiative, closes_at=in_an_hour(), method="consensus"
    )
    page = login(world.member).get(reverse("poll_detail", args=[world.network.slug, poll.pk]))
    link = reverse("initiative_detail", args=[world.network.slug, initiative.pk])
    assert f'<a href="{link}">{initiative.title}</a>' in page.content.decode()
