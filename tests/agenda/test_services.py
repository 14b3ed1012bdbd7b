"""The agenda's services: versions, criteria, prospects, scores, due diligence, memo."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from consortia.agenda import selectors, services
from consortia.agenda.models import (
    Agenda,
    AgendaVersion,
    Criterion,
    DiligenceCheck,
    Prospect,
    Score,
    StageChange,
)
from consortia.core.models import Event, Notification
from consortia.networks.models import Invitation
from tests.conftest import fresh

from .conftest import SCALE


def test_it_keeps_every_version_and_what_changed(world):
    ada = fresh(world.leader)
    services.agenda_save(actor=ada, why_partner="Reach", gaps="Casting\nCoatings")
    services.agenda_save(actor=fresh(ada), why_partner="Reach more", gaps="Casting\nCoatings")
    agenda = Agenda.objects.get(organization=world.acme)
    assert agenda.version == 2
    assert agenda.gap_lines == ["Casting", "Coatings"]
    v2, v1 = selectors.versions_of(agenda)
    assert v1.content["why_partner"] == "Reach" and v2.changed == ["why_partner"]
    assert v2.changes[0]["label"] == "Why partner"
    assert "- Reach" in v2.changes[0]["lines"] and "+ Reach more" in v2.changes[0]["lines"]
    # A save that changes nothing is no new version.
    services.agenda_save(actor=fresh(ada), why_partner="Reach more", gaps="Casting\nCoatings")
    assert AgendaVersion.objects.filter(agenda=agenda).count() == 2


def test_only_team_leaders_write_the_agenda_and_nobody_else_has_one(world):
    with pytest.raises(PermissionDenied):
        services.agenda_save(actor=fresh(world.member), why_partner="x")
    from tests.conftest import make_person

    with pytest.raises(Http404):
        services.agenda_save(actor=make_person("no@org.test", "No Org"), why_partner="x")


def test_agenda_events_are_private_to_the_organization(world, prospect, criterion):
    services.agenda_save(actor=fresh(world.leader), why_partner="x")
    events = Event.objects.filter(verb__startswith="agenda.")
    assert events.count() >= 3
    assert set(events.values_list("audience", "audience_organization", "network")) == {
        ("organization", world.acme.pk, None)
    }
    assert not Notification.objects.exists()


def test_weights_must_be_positive_and_names_unique(world, criterion):
    ada = fresh(world.leader)
    for weight in ("0", "-1", "abc", "nan", "1e9", True):
        with pytest.raises(ValidationError) as caught:
            services.criterion_create(actor=ada, name=f"W {weight}", weight=weight, scale=SCALE)
        assert "weight" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.criterion_create(actor=ada, name="product FIT", weight=1, scale=SCALE)
    assert "name" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.criterion_create(actor=ada, name="Short", weight=1, scale=SCALE[:4])
    assert Criterion.objects.count() == 1


def test_a_prospect_is_added_once_and_must_be_known(world, prospect):
    ada = fresh(world.leader)
    with pytest.raises(ValidationError) as caught:
        services.prospect_add(actor=ada, partner=world.beta)
    assert "partner" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.prospect_add(actor=ada, name="beta works")
    assert "name" in caught.value.message_dict
    # Delta is in none of Acme's networks: not a candidate.
    with pytest.raises(ValidationError) as caught:
        services.prospect_add(actor=ada, partner=world.delta)
    assert "partner" in caught.value.message_dict
    outside = services.prospect_add(actor=ada, name="Foundry Co", website="https://foundry.example")
    assert outside.partner is None and outside.checks.count() == 5
    with pytest.raises(ValidationError) as caught:
        services.prospect_add(actor=ada, name="Foundry Co")
    with pytest.raises(ValidationError) as caught:
        services.prospect_add(actor=ada, name="Bad Site", website="javascript:alert(1)")
    assert "website" in caught.value.message_dict
    assert Prospect.objects.count() == 2


def test_the_weighted_total_is_out_of_100_over_all_criteria(world, prospect, criterion):
    ada = fresh(world.leader)
    other = services.criterion_create(
        actor=ada, name="Culture", weight="1", scale=SCALE, group="cultural"
    )
    services.score_set(actor=ada, prospect=prospect, criterion=criterion, value=4, note="Great")
    card = selectors.scorecard(prospect)
    assert card["scored"] == 1 and card["count"] == 2
    assert card["total"] == 75.0  # 3*4 / (4*(3+1)) * 100
    services.score_set(actor=ada, prospect=prospect, criterion=other, value=2)
    assert selectors.scorecard(prospect)["total"] == 87.5
    half = services.prospect_add(actor=ada, name="Half Co")
    services.score_set(actor=ada, prospect=half, criterion=criterion, value=4)
    ranked = selectors.prioritized(world.acme)
    assert [p.name for p in ranked] == ["Beta Works", "Half Co"]
    assert (ranked[1].scored, ranked[1].criteria_count, ranked[1].total) == (1, 2, 75.0)


def test_a_score_stays_on_its_scale_and_its_evidence_is_own(world, prospect, criterion):
    ada = fresh(world.leader)
    for value in (5, -1, "x", 2.5):
        with pytest.raises(ValidationError) as caught:
            services.score_set(actor=ada, prospect=prospect, criterion=criterion, value=value)
        assert "value" in caught.value.message_dict
    from consortia.sharing import services as sharing

    theirs = sharing.item_create(
        actor=fresh(world.other_leader),
        network=world.network,
        kind="post",
        title="Hi",
        audience="network",
    )
    with pytest.raises(ValidationError) as caught:
        services.score_set(
            actor=ada, prospect=prospect, criterion=criterion, value=2, document_id=theirs.pk
        )
    assert "document" in caught.value.message_dict
    assert not Score.objects.exists()


def test_approaching_needs_due_diligence_first(world, prospect):
    ada, max_ = fresh(world.leader), fresh(world.member)
    with pytest.raises(ValidationError) as caught:
        services.prospect_move(actor=ada, prospect=prospect, stage="approached")
    assert "Due diligence comes first" in caught.value.message_dict["stage"][0]
    with pytest.raises(ValidationError) as caught:
        services.prospect_move(actor=ada, prospect=prospect, stage="parked")
    assert "reason" in caught.value.message_dict
    services.prospect_move(actor=ada, prospect=prospect, stage="due_diligence")
    with pytest.raises(ValidationError) as caught:
        services.prospect_move(actor=ada, prospect=prospect, stage="approached")
    assert "Financial health" in caught.value.message_dict["stage"][0]
    # The owner (a member) may not override; a team leader may, and the reason is kept.
    services.prospect_update(actor=ada, prospect=prospect, owner=max_)
    with pytest.raises(ValidationError) as caught:
        services.prospect_move(
            actor=max_, prospect=prospect, stage="approached", override_reason="Urgent"
        )
    assert "override_reason" in caught.value.message_dict
    moved = services.prospect_move(
        actor=ada, prospect=prospect, stage="approached", override_reason="Board asked"
    )
    assert moved.stage == "approached"
    assert StageChange.objects.filter(prospect=prospect, override_reason="Board asked").exists()


def test_ticking_every_required_item_opens_the_way(world, prospect):
    ada = fresh(world.leader)
    services.prospect_move(actor=ada, prospect=prospect, stage="due_diligence")
    for check in prospect.checks.filter(required=True):
        services.check_update(actor=ada, check=check, status="passed", evidence="Seen")
    check = DiligenceCheck.objects.filter(prospect=prospect, required=True).first()
    assert check.checked_by == ada and check.checked_at is not None
    services.prospect_move(actor=ada, prospect=prospect, stage="approached")
    services.prospect_move(actor=ada, prospect=prospect, stage="partnering")
    assert StageChange.objects.filter(prospect=prospect).count() == 4


def test_only_leaders_and_the_owner_work_on_a_prospect(world, prospect, criterion):
    with pytest.raises(PermissionDenied):
        services.score_set(
            actor=fresh(world.member), prospect=prospect, criterion=criterion, value=1
        )


def test_capacity_is_warned_about(world, prospect):
    ada = fresh(world.leader)
    agenda = services.agenda_save(actor=ada, partner_capacity=0)
    assert selectors.capacity_warning(agenda, world.acme) is None
    services.prospect_move(actor=ada, prospect=prospect, stage="due_diligence")
    services.prospect_move(actor=ada, prospect=prospect, stage="approached", override_reason="ok")
    services.prospect_move(actor=ada, prospect=prospect, stage="partnering")
    assert "1 prospects are in the partnering stage" in selectors.capacity_warning(
        agenda, world.acme
    )


def test_the_memo_keeps_three_risks(world, prospect):
    ada = fresh(world.leader)
    with pytest.raises(ValidationError):
        services.memo_save(actor=ada, prospect=prospect, risks=["a", "b", "c", "d"])
    services.memo_save(
        actor=ada,
        prospect=prospect,
        context="C",
        options="O",
        risks=["a", "b"],
        recommendation="Go",
    )
    prospect.refresh_from_db()
    assert prospect.memo_risks == ["a", "b"] and prospect.has_memo


def test_invite_and_propose_go_through_the_other_apps(world):
    ada = fresh(world.leader)
    outside = services.prospect_add(actor=ada, name="Foundry Co")
    invitation, _raw = services.prospect_invite(
        actor=fresh(ada), prospect=outside, network=world.network, email="boss@foundry.test"
    )
    assert invitation.status == Invitation.Status.PENDING
    assert "agenda" not in invitation.message.lower()
    beta = services.prospect_add(actor=fresh(ada), partner=world.beta)
    today = timezone.localdate()
    initiative = services.prospect_propose_initiative(
        actor=fresh(ada),
        prospect=beta,
        network=world.network,
        title="Joint casting",
        objective="Cast together",
        starts_on=today,
        ends_on=today + timedelta(days=60),
    )
    assert initiative.participations.filter(organization=world.beta, status="invited").exists()
    with pytest.raises(ValidationError):
        services.prospect_propose_initiative(
            actor=fresh(ada),
            prospect=outside,
            network=world.network,
            title="x",
            objective="y",
            starts_on=today,
            ends_on=today + timedelta(days=5),
        )


def test_next_steps_due_for(world, prospect):
    ada = fresh(world.leader)
    today = timezone.localdate()
    services.prospect_update(
        actor=ada,
        prospect=prospect,
        owner=ada,
        next_step="Call",
        next_step_on=today + timedelta(days=3),
    )
    later = services.prospect_add(
        actor=ada, name="Later Co", next_step="Visit", next_step_on=today + timedelta(days=30)
    )
    late = services.prospect_add(
        actor=ada, name="Late Co", next_step="Write", next_step_on=today - timedelta(days=2)
    )
    assert list(selectors.next_steps_due_for(ada)) == [late, prospect]
    assert later not in selectors.next_steps_due_for(ada)
    assert not selectors.next_steps_due_for(fresh(world.other_leader)).exists()


def test_partner_insights_show_trust_for_a_partner(world, prospect):
    rows = selectors.partner_insights(fresh(world.leader), prospect)
    assert len(rows) == 1 and rows[0]["network"] == world.network
    assert 0 <= rows[0]["trust"] <= 1 and "people" in rows[0]


def test_proposing_the_same_initiative_twice_is_refused(world, prospect):
    """A second submit of the same proposal (same network and title, the prospect still
    invited) does not open a second initiative nor send a second invitation."""
    from consortia.initiatives.models import Initiative

    today = timezone.localdate()
    proposal = dict(
        network=world.network,
        title="Joint casting",
        objective="Cast together",
        starts_on=today,
        ends_on=today + timedelta(days=60),
    )
    services.prospect_propose_initiative(actor=fresh(world.leader), prospect=prospect, **proposal)
    with pytest.raises(ValidationError) as caught:
        services.prospect_propose_initiative(
            actor=fresh(world.leader), prospect=prospect, **{**proposal, "title": " joint CASTING"}
        )
    assert "already invited" in str(caught.value)
    assert Initiative.objects.filter(title="Joint casting").count() == 1
