"""Every write about initiatives, leadership, plans, requests and commitments goes through here.

Each function is `<thing>_<action>(*, actor, …)`, runs in one transaction, checks permissions
(permissions.py), raises ValidationError for bad input and PermissionDenied with a sentence
for forbidden actions, emits an event, and changes nothing when it refuses.
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from consortia.core import hooks
from consortia.core.events import emit
from consortia.core.models import Audience
from consortia.core.notifications import notify
from consortia.core.validators import day_error, validate_day, validate_name
from consortia.networks import permissions as network_permissions
from consortia.networks.models import NetworkMembership, Person

from . import permissions
from .models import (
    Commitment,
    Initiative,
    JointPlan,
    LeadershipTerm,
    Nomination,
    Participation,
    PlanAcceptance,
    Request,
)

PStatus = Participation.Status
RStatus = Request.Status
CStatus = Commitment.Status
RACI_ROLES = {"R", "A", "C", "I"}
EARLIEST = date(2000, 1, 1)
LONGEST = timedelta(days=20 * 366)


def _required(value, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: f"{label} is required."})
    return value


def _url(initiative) -> str:
    return reverse("initiative_detail", args=[initiative.network.slug, initiative.pk])


def _event(actor, verb, summary, initiative, obj=None, **data):
    return emit(
        actor=actor,
        organization=actor.organization if actor else None,
        verb=verb,
        summary=summary,
        audience=Audience.NETWORK,
        network=initiative.network,
        obj=obj or initiative,
        data=data or None,
    )


def _today(now=None) -> date:
    return timezone.localdate(now or timezone.now())


def _check_dates(starts_on, ends_on) -> None:
    if starts_on is None:
        raise ValidationError({"starts_on": "The start date is required."})
    if ends_on is None:
        raise ValidationError({"ends_on": "The end date is required."})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The end date cannot be before the start date."})
    if starts_on < EARLIEST:
        raise ValidationError({"starts_on": f"The start date cannot be before {EARLIEST:%Y}."})
    if message := day_error(starts_on):
        raise ValidationError({"starts_on": message})
    if ends_on > starts_on + LONGEST:
        raise ValidationError({"ends_on": "An initiative lasts at most 20 years; plan a new one."})


# Initiatives ------------------------------------------------------------------------------


@transaction.atomic
def initiative_propose(
    *,
    actor: Person,
    network,
    title: str,
    objective: str,
    starts_on: date,
    ends_on: date,
    scope: str = "",
    boundaries: str = "",
    challenge_url: str = "",
) -> Initiative:
    """Any person of an acting member organization proposes; their organization becomes the
    first participant."""
    membership = network_permissions.require_acting_member(actor, network)
    _check_dates(starts_on, ends_on)
    initiative = Initiative(
        network=network,
        title=validate_name(_required(title, "title", "A title"), "title")[:200],
        objective=_required(objective, "objective", "The objective"),
        scope=scope or "",
        boundaries=boundaries or "",
        challenge_url=challenge_url or "",
        starts_on=starts_on,
        ends_on=ends_on,
        proposed_by_id=membership.organization_id,
        created_by=actor,
    )
    initiative.full_clean()
    initiative.save()
    Participation.objects.create(
        initiative=initiative,
        organization_id=membership.organization_id,
        status=PStatus.ACTIVE,
        team_leader=actor if actor.is_team_leader else None,
        created_by=actor,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    hooks.profile_changed([membership.organization_id], network=network)
    _event(
        actor,
        "initiative.proposed",
        f"{actor.organization} proposed the initiative “{initiative}”",
        initiative,
    )
    return initiative


def _transition(actor, initiative, to: str, allowed_from: tuple, verb: str, now=None):
    initiative = Initiative.objects.select_for_update(of=("self",)).get(pk=initiative.pk)
    if initiative.status not in allowed_from:
        raise ValidationError(
            f"The initiative is {initiative.get_status_display().lower()}; it cannot be {verb} now."
        )
    if permissions.current_term(initiative, now) is not None:
        permissions.require_leader(actor, initiative, now, what=f"mark the initiative {verb}")
    elif initiative.status == Initiative.Status.PROPOSED:
        # Before anyone leads it, the participating team leaders start or drop it.
        permissions.require_steer(actor, initiative, now, what=f"mark the initiative {verb}")
    else:
        raise PermissionDenied(
            "Nobody leads the initiative now; the participants decide this by a poll."
        )
    initiative.status = to
    initiative.save(update_fields=["status"])
    if to == Initiative.Status.CANCELLED:  # a cancelled initiative leaves the track records
        hooks.profile_changed(
            initiative.participations.values_list("organization_id", flat=True),
            network=initiative.network,
        )
    _event(actor, f"initiative.{to}", f"{actor} marked “{initiative}” {verb}", initiative)
    return initiative


@transaction.atomic
def initiative_start(*, actor: Person, initiative: Initiative, now=None) -> Initiative:
    return _transition(
        actor, initiative, Initiative.Status.ACTIVE, (Initiative.Status.PROPOSED,), "started", now
    )


@transaction.atomic
def initiative_complete(*, actor: Person, initiative: Initiative, now=None) -> Initiative:
    return _transition(
        actor,
        initiative,
        Initiative.Status.COMPLETED,
        (Initiative.Status.ACTIVE,),
        "completed",
        now,
    )


@transaction.atomic
def initiative_cancel(*, actor: Person, initiative: Initiative, now=None) -> Initiative:
    return _transition(
        actor,
        initiative,
        Initiative.Status.CANCELLED,
        (Initiative.Status.PROPOSED, Initiative.Status.ACTIVE),
        "cancelled",
        now,
    )


# Participation: nobody is added without accepting ---------------------------------------


def _org_in_network(organization_id, network) -> bool:
    return NetworkMembership.objects.filter(
        NetworkMembership.active_q(), network=network, organization_id=organization_id
    ).exists()


@transaction.atomic
def participation_request(
    *, actor: Person, initiative: Initiative, message: str = ""
) -> Participation:
    """A team leader asks for their organization to join; the participants' rule accepts."""
    membership = network_permissions.require_acting_member(actor, initiative.network)
    network_permissions.require_team_leader(
        actor, "Only a team leader can ask for the organization to join an initiative."
    )
    permissions.require_open(initiative)
    existing = (
        Participation.objects.select_for_update(of=("self",))
        .filter(initiative=initiative, organization_id=membership.organization_id)
        .first()
    )
    if existing and existing.status in (PStatus.ACTIVE, *Participation.PENDING):
        raise ValidationError(
            f"Your organization's participation is already “{existing.get_status_display()}”."
        )
    participation = existing or Participation(
        initiative=initiative, organization_id=membership.organization_id
    )
    participation.status = PStatus.REQUESTED
    participation.message = message or ""
    participation.created_by, participation.created_at = actor, timezone.now()
    participation.decided_by = participation.decided_at = None
    participation.team_leader = actor
    participation.save()
    permissions.forget(initiative)
    _event(
        actor,
        "initiative.join_requested",
        f"{actor.organization} asked to join “{initiative}”",
        initiative,
        participation,
    )
    return participation


@transaction.atomic
def participation_invite(
    *, actor: Person, initiative: Initiative, organization, now=None
) -> Participation:
    """The participants' rule invites an organization; it joins only if it accepts."""
    permissions.require_steer(actor, initiative, now, what="invite organizations")
    permissions.require_open(initiative)
    if not _org_in_network(organization.pk, initiative.network):
        raise ValidationError(
            {"organization": "Only member organizations of the network can be invited."}
        )
    existing = (
        Participation.objects.select_for_update(of=("self",))
        .filter(initiative=initiative, organization=organization)
        .first()
    )
    if existing and existing.status in (PStatus.ACTIVE, *Participation.PENDING):
        raise ValidationError(
            {"organization": f"{organization} is already “{existing.get_status_display()}”."}
        )
    participation = existing or Participation(initiative=initiative, organization=organization)
    participation.status = PStatus.INVITED
    participation.created_by, participation.created_at = actor, timezone.now()
    participation.decided_by = participation.decided_at = None
    participation.save()
    permissions.forget(initiative)
    _event(
        actor,
        "initiative.invited",
        f"{organization} was invited to “{initiative}”",
        initiative,
        participation,
    )
    notify(
        recipients=permissions.team_leader_of(organization.pk),
        kind="initiative.invited",
        title=f"{organization} is invited to the initiative “{initiative}”",
        url=_url(initiative),
    )
    return participation


def _decide(actor, participation, now):
    participation = (
        Participation.objects.select_for_update(of=("self",))
        .select_related("initiative__network", "organization")
        .get(pk=participation.pk)
    )
    initiative = participation.initiative
    if participation.status == PStatus.REQUESTED:
        permissions.require_steer(actor, initiative, now, what="accept participants")
    elif participation.status == PStatus.INVITED:
        network_permissions.require_acting_member(actor, initiative.network)
        if network_permissions.org_id_of(actor) != participation.organization_id:
            raise PermissionDenied("Only the invited organization can answer its invitation.")
        network_permissions.require_team_leader(
            actor, "Only a team leader can answer for the organization."
        )
    else:
        raise ValidationError("This participation is not waiting for an answer.")
    return participation


@transaction.atomic
def participation_accept(*, actor: Person, participation: Participation, now=None) -> Participation:
    """Accept a request to join (participants' rule) or an invitation (the invited org)."""
    participation = _decide(actor, participation, now)
    permissions.require_open(participation.initiative)
    if participation.status == PStatus.INVITED:
        participation.team_leader = actor
    participation.status = PStatus.ACTIVE
    participation.decided_by, participation.decided_at = actor, timezone.now()
    participation.save()
    hooks.profile_changed([participation.organization_id], network=participation.initiative.network)
    _event(
        actor,
        "initiative.joined",
        f"{participation.organization} joined “{participation.initiative}”",
        participation.initiative,
        participation,
    )
    return participation


@transaction.atomic
def participation_decline(
    *, actor: Person, participation: Participation, now=None
) -> Participation:
    participation = _decide(actor, participation, now)
    participation.status = PStatus.DECLINED
    participation.decided_by, participation.decided_at = actor, timezone.now()
    participation.save()
    _event(
        actor,
        "initiative.join_declined",
        f"{participation.organization} will not join “{participation.initiative}”",
        participation.initiative,
        participation,
    )
    return participation


@transaction.atomic
def participation_leave(*, actor: Person, initiative: Initiative) -> Participation:
    participation = permissions.require_participant(actor, initiative)
    network_permissions.require_team_leader(
        actor, "Only a team leader can take the organization out of an initiative."
    )
    participation.status = PStatus.LEFT
    participation.decided_by, participation.decided_at = actor, timezone.now()
    participation.save()
    permissions.forget(initiative)
    _event(
        actor,
        "initiative.left",
        f"{participation.organization} left “{initiative}”",
        initiative,
        participation,
    )
    return participation


# Leadership -------------------------------------------------------------------------------


def _participant_org_id(person, initiative) -> int:
    org_id = network_permissions.org_id_of(person)
    if (
        org_id is None
        or not Participation.objects.filter(
            initiative=initiative, organization_id=org_id, status=PStatus.ACTIVE
        ).exists()
    ):
        raise ValidationError(
            {"person": f"{person} does not belong to a participating organization."}
        )
    return org_id


@transaction.atomic
def nominate(*, actor: Person, initiative: Initiative, person: Person) -> Nomination:
    """Any participant nominates someone of a participating organization; they must accept."""
    permissions.require_participant(actor, initiative)
    permissions.require_open(initiative)
    org_id = _participant_org_id(person, initiative)
    if Nomination.objects.filter(initiative=initiative, person=person).exists():
        raise ValidationError({"person": f"{person} is already nominated."})
    nomination = Nomination.objects.create(
        initiative=initiative, person=person, organization_id=org_id, nominated_by=actor
    )
    _event(
        actor,
        "initiative.nominated",
        f"{person} was nominated to lead “{initiative}”",
        initiative,
        nomination,
    )
    notify(
        recipients=[person],
        kind="initiative.nominated",
        title=f"You are nominated to lead “{initiative}”",
        body="Accept the nomination to stand in the election.",
        url=_url(initiative),
    )
    return nomination


def _own_open_nomination(actor, nomination) -> Nomination:
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("initiative__network")
        .get(pk=nomination.pk)
    )
    if nomination.person_id != actor.pk:
        raise PermissionDenied("Only the nominated person can answer a nomination.")
    if nomination.accepted_at or nomination.declined_at:
        raise ValidationError("You have already answered this nomination.")
    return nomination


@transaction.atomic
def nomination_accept(*, actor: Person, nomination: Nomination) -> Nomination:
    nomination = _own_open_nomination(actor, nomination)
    nomination.accepted_at = timezone.now()
    nomination.save(update_fields=["accepted_at"])
    _event(
        actor,
        "initiative.nomination_accepted",
        f"{actor} accepted the nomination to lead “{nomination.initiative}”",
        nomination.initiative,
        nomination,
    )
    return nomination


@transaction.atomic
def nomination_decline(*, actor: Person, nomination: Nomination) -> Nomination:
    nomination = _own_open_nomination(actor, nomination)
    nomination.declined_at = timezone.now()
    nomination.save(update_fields=["declined_at"])
    _event(
        actor,
        "initiative.nomination_declined",
        f"{actor} declined the nomination to lead “{nomination.initiative}”",
        nomination.initiative,
        nomination,
    )
    return nomination


def term_end_for(initiative) -> datetime:
    """A term lasts the initiative's period: until the end of its last day."""
    return timezone.make_aware(datetime.combine(initiative.ends_on + timedelta(days=1), time.min))


@transaction.atomic
def leadership_term_grant(
    *,
    initiative: Initiative,
    person: Person,
    source: str,
    starts_at=None,
    ends_at=None,
    actor=None,
) -> LeadershipTerm:
    """Give `person` the leadership for the initiative's period, as an election outcome or a
    consensus decided. The person must have accepted a nomination. A term still running ends
    now: one leader at a time."""
    source = _required(source, "source", "The source of the term")[:200]
    nomination = Nomination.objects.filter(initiative=initiative, person=person).first()
    if nomination is None or nomination.accepted_at is None:
        raise ValidationError({"person": f"{person} has not accepted a nomination to lead."})
    org_id = _participant_org_id(person, initiative)
    now = timezone.now()
    starts_at = starts_at or now
    ends_at = ends_at or term_end_for(initiative)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The term must end after it starts."})
    LeadershipTerm.objects.filter(
        initiative=initiative, starts_at__lte=starts_at, ends_at__gt=starts_at
    ).update(ends_at=starts_at)
    term = LeadershipTerm.objects.create(
        initiative=initiative,
        person=person,
        organization_id=org_id,
        starts_at=starts_at,
        ends_at=ends_at,
        source=source,
    )
    permissions.forget(initiative)
    _event(
        actor or person,
        "initiative.leader_granted",
        f"{person} leads “{initiative}” until {ends_at:%d %b %Y} ({source})",
        initiative,
        term,
    )
    return term


def elect_leader(initiative: Initiative, person: Person, *, source: str) -> LeadershipTerm:
    """What an "elect an initiative leader" poll outcome calls (registered with the decisions
    app in outcomes.py)."""
    return leadership_term_grant(initiative=initiative, person=person, source=source)


# Elections, recalls and term extensions (polls of the participants) ----------------------

ELECT_ACTION = "initiative.elect_leader"
RECALL_ACTION = "initiative.recall_leader"
EXTEND_ACTION = "initiative.extend_term"
POLL_ACTIONS = (ELECT_ACTION, RECALL_ACTION, EXTEND_ACTION)
ELECTION_METHODS = ("schulze", "consensus")


def initiative_polls(initiative):
    """The election, recall and extension polls about this initiative, newest first."""
    from consortia.decisions.models import Poll

    return Poll.objects.filter(
        network_id=initiative.network_id,
        action__in=POLL_ACTIONS,
        action_payload__initiative=initiative.pk,
    ).order_by("-opens_at", "-id")


def _lock_for_poll(actor, initiative, closes_at, now) -> Initiative:
    """Checks shared by the three polls; locks the initiative so that two requests racing to
    open a poll of the same kind are decided one after the other."""
    network_permissions.require_acting_member(actor, initiative.network)
    if not permissions.is_participating_team_leader(actor, initiative):
        raise PermissionDenied(
            "Only a team leader of a participating organization can put this to the participants."
        )
    initiative = (
        Initiative.objects.select_for_update(of=("self",))
        .select_related("network")
        .get(pk=initiative.pk)
    )
    permissions.require_open(initiative)
    if not isinstance(closes_at, datetime) or timezone.is_naive(closes_at):
        raise ValidationError({"closes_at": "Give the closing date and time."})
    if closes_at <= now:
        raise ValidationError({"closes_at": "The closing time is already past."})
    return initiative


def _require_none_open(initiative, action, now, what: str) -> None:
    if initiative_polls(initiative).filter(action=action, closes_at__gt=now).exists():
        raise ValidationError(f"{what} is already open for this initiative; wait for its close.")


def _poll_opened(actor, initiative, poll, verb, summary):
    from consortia.decisions.models import Poll

    # The poll is opened by the system (these actions are system-only, so that nobody bypasses
    # the checks above through the generic poll form); it is still the actor's poll.
    Poll.objects.filter(pk=poll.pk).update(created_by=actor)
    poll.created_by = actor
    _event(actor, verb, summary, initiative, poll, poll=poll.pk)
    return poll


@transaction.atomic
def leader_election_open(
    *,
    actor: Person,
    initiative: Initiative,
    closes_at: datetime,
    method: str = "schulze",
    now: datetime | None = None,
):
    """A participating team leader puts the leadership to the participants: a ranked
    (Schulze) poll among the nominees who accepted, or, with exactly one of them, a consensus
    poll "do we agree X leads?". One organization, one vote; the winner leads for the
    initiative's period (outcomes.py grants the term when the poll settles)."""
    from consortia.decisions import services as decisions

    now = now or timezone.now()
    initiative = _lock_for_poll(actor, initiative, closes_at, now)
    if method not in ELECTION_METHODS:
        raise ValidationError({"method": "Choose Schulze (ranked choice) or consensus."})
    _require_none_open(initiative, ELECT_ACTION, now, "An election")
    nominees = [
        n
        for n in Nomination.objects.filter(initiative=initiative, accepted_at__isnull=False)
        .select_related("person")
        .order_by("created_at", "id")
        if n.person.is_active
    ]
    if not nominees:
        raise ValidationError(
            "Nobody has accepted a nomination yet: nominate people and let them accept first."
        )
    names = [n.person.name for n in nominees]
    if len(set(names)) != len(names):
        raise ValidationError("Two nominees share a name; they must be told apart on the ballot.")
    if method == "schulze" and len(nominees) == 1:
        raise ValidationError(
            {
                "method": f"Only {names[0]} stands: open a consensus election "
                f"(“do we agree {names[0]} leads?”) or wait for more nominees to accept."
            }
        )
    if method == "consensus":
        if len(nominees) != 1:
            raise ValidationError(
                {
                    "method": "A consensus election needs exactly one nominee; with "
                    f"{len(nominees)} who stand, rank them (Schulze)."
                }
            )
        person = nominees[0].person
        poll = decisions.poll_create(
            actor=None,
            network=initiative.network,
            title=f"Do we agree {person.name} leads “{initiative.title}”?"[:200],
            description=f"The term is the initiative's period, until {initiative.ends_on}.",
            kind="consensus",
            closes_at=closes_at,
            action=ELECT_ACTION,
            action_payload={"initiative": initiative.pk, "person": person.pk},
            now=now,
        )
    else:
        poll = decisions.poll_create(
            actor=None,
            network=initiative.network,
            title=f"Elect the leader of “{initiative.title}”"[:200],
            description=f"Rank the nominees. The winner (Schulze) leads until "
            f"{initiative.ends_on}; a tie elects nobody.",
            kind="ranked",
            method="schulze",
            closes_at=closes_at,
            options=names,
            action=ELECT_ACTION,
            action_payload={
                "initiative": initiative.pk,
                "candidates": [n.person_id for n in nominees],
            },
            now=now,
        )
    return _poll_opened(
        actor,
        initiative,
        poll,
        "initiative.election_opened",
        f"An election of the leader of “{initiative}” is open until {closes_at:%d %b %Y %H:%M}",
    )


@transaction.atomic
def leader_recall_open(
    *,
    actor: Person,
    initiative: Initiative,
    closes_at: datetime,
    reason: str,
    now: datetime | None = None,
):
    """Any participating team leader calls a recall vote: yes/no, two thirds of the
    participants' votes end the current term at the close."""
    from consortia.decisions import services as decisions

    now = now or timezone.now()
    initiative = _lock_for_poll(actor, initiative, closes_at, now)
    reason = _required(reason, "reason", "The reason for the recall")[:2000]
    term = permissions.current_term(initiative, now)
    if term is None:
        raise ValidationError("Nobody leads this initiative now: there is nobody to recall.")
    _require_none_open(initiative, RECALL_ACTION, now, "A recall vote")
    poll = decisions.poll_create(
        actor=None,
        network=initiative.network,
        title=f"Recall {term.person.name} as leader of “{initiative.title}”?"[:200],
        description=reason,
        kind="yes_no",
        threshold="two-thirds",
        closes_at=closes_at,
        action=RECALL_ACTION,
        action_payload={"initiative": initiative.pk, "term": term.pk, "reason": reason},
        now=now,
    )
    return _poll_opened(
        actor,
        initiative,
        poll,
        "initiative.recall_opened",
        f"A vote to recall {term.person} as leader of “{initiative}” is open: {reason}",
    )


@transaction.atomic
def term_extension_open(
    *,
    actor: Person,
    initiative: Initiative,
    new_end: date,
    closes_at: datetime,
    now: datetime | None = None,
):
    """A consensus poll of the participants to extend the initiative, and with it the current
    leader's term, to `new_end`. Nothing else ever extends a leader's authority."""
    from consortia.decisions import services as decisions

    now = now or timezone.now()
    initiative = _lock_for_poll(actor, initiative, closes_at, now)
    if not isinstance(new_end, date) or isinstance(new_end, datetime):
        raise ValidationError({"new_end": "Give the new end date."})
    if new_end <= initiative.ends_on:
        raise ValidationError(
            {"new_end": f"The new end must be after the current end, {initiative.ends_on}."}
        )
    if new_end > initiative.starts_on + LONGEST:
        raise ValidationError({"new_end": "An initiative lasts at most 20 years; plan a new one."})
    _require_none_open(initiative, EXTEND_ACTION, now, "A vote to extend the term")
    term = permissions.current_term(initiative, now)
    poll = decisions.poll_create(
        actor=None,
        network=initiative.network,
        title=f"Extend “{initiative.title}” until {new_end}?"[:200],
        description=(
            f"{term.person.name}'s term as leader would end on {new_end} instead of "
            f"{initiative.ends_on}."
            if term
            else "Nobody leads the initiative now; only its end date moves."
        ),
        kind="consensus",
        closes_at=closes_at,
        action=EXTEND_ACTION,
        action_payload={
            "initiative": initiative.pk,
            "new_end": new_end.isoformat(),
            "term": term.pk if term else None,
        },
        now=now,
    )
    return _poll_opened(
        actor,
        initiative,
        poll,
        "initiative.extension_opened",
        f"A vote to extend “{initiative}” until {new_end} is open",
    )


def _participant_people(initiative) -> list:
    from consortia.networks.models import OrgMembership

    org_ids = Participation.objects.filter(initiative=initiative, status=PStatus.ACTIVE).values(
        "organization_id"
    )
    return [
        m.person
        for m in OrgMembership.objects.filter(organization_id__in=org_ids).select_related("person")
    ]


def leader_recall(initiative: Initiative, term_id, *, source: str) -> LeadershipTerm | None:
    """What a passed recall poll calls: the term ends now; its history stays."""
    now = timezone.now()
    term = (
        LeadershipTerm.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(initiative=initiative, pk=term_id, ends_at__gt=now)
        .first()
    )
    if term is None:
        return None  # it ended meanwhile
    term.ends_at = max(now, term.starts_at + timedelta(microseconds=1))
    term.save(update_fields=["ends_at"])
    permissions.forget(initiative)
    event = _event(
        None,
        "initiative.leader_recalled",
        f"{term.person} no longer leads “{initiative}”: recalled by the participants ({source})",
        initiative,
        term,
    )
    notify(
        recipients=_participant_people(initiative),
        kind="initiative.leader_recalled",
        title=f"{term.person} was recalled as leader of “{initiative}”",
        body="The participants can now elect a new leader.",
        url=_url(initiative),
        event=event,
    )
    return term


def term_extend(initiative: Initiative, new_end: date, term_id, *, source: str) -> Initiative:
    """What a passed extension poll calls: the initiative's end and the current term move."""
    initiative = Initiative.objects.select_for_update(of=("self",)).get(pk=initiative.pk)
    if new_end <= initiative.ends_on:
        return initiative  # extended further meanwhile
    initiative.ends_on = new_end
    initiative.save(update_fields=["ends_on"])
    now = timezone.now()
    term = (
        LeadershipTerm.objects.filter(initiative=initiative, pk=term_id, ends_at__gt=now).first()
        if term_id
        else None
    )
    if term is not None:
        term.ends_at = term_end_for(initiative)
        term.save(update_fields=["ends_at"])
    permissions.forget(initiative)
    _event(
        None,
        "initiative.extended",
        f"“{initiative}” now ends on {new_end}"
        + (f"; {term.person} leads until then" if term else "")
        + f" ({source})",
        initiative,
    )
    return initiative


# Joint plan -------------------------------------------------------------------------------


def _clean_raci(raci, initiative) -> dict:
    if not raci:
        return {"responsibilities": []}
    rows = raci.get("responsibilities") if isinstance(raci, dict) else None
    if not isinstance(rows, list):
        raise ValidationError({"raci": "The RACI matrix needs a list of responsibilities."})
    participant_ids = set(
        Participation.objects.filter(initiative=initiative, status=PStatus.ACTIVE).values_list(
            "organization_id", flat=True
        )
    )
    clean = []
    for row in rows:
        name = (row.get("name") or "").strip() if isinstance(row, dict) else ""
        if not name:
            raise ValidationError({"raci": "Every responsibility needs a name."})
        roles = {}
        for org_id, role in (row.get("roles") or {}).items():
            try:
                org_id = int(org_id)
            except (TypeError, ValueError):
                raise ValidationError({"raci": f"Unknown organization {org_id!r}."}) from None
            if org_id not in participant_ids:
                raise ValidationError({"raci": "Roles can only go to participating organizations."})
            if not role:
                continue
            if role not in RACI_ROLES:
                raise ValidationError({"raci": f"Roles are R, A, C or I, not {role!r}."})
            roles[str(org_id)] = role
        if list(roles.values()).count("A") > 1:
            raise ValidationError({"raci": f"“{name}” can have only one accountable (A)."})
        clean.append({"name": name[:200], "roles": roles})
    return {"responsibilities": clean}


@transaction.atomic
def plan_revise(
    *,
    actor: Person,
    initiative: Initiative,
    goals: str,
    rules: str = "",
    boundaries: str = "",
    raci=None,
    now=None,
) -> JointPlan:
    """A new version of the joint plan, by the leader (or, with none, a participating team
    leader). Earlier versions and their acceptances stay."""
    permissions.require_steer(actor, initiative, now, what="edit the joint plan")
    permissions.require_open(initiative)
    goals = _required(goals, "goals", "The goals")
    raci = _clean_raci(raci, initiative)
    latest = (
        JointPlan.objects.select_for_update(of=("self",))
        .filter(initiative=initiative)
        .order_by("-version")
        .first()
    )
    plan = JointPlan.objects.create(
        initiative=initiative,
        version=(latest.version + 1) if latest else 1,
        goals=goals,
        rules=rules or "",
        boundaries=boundaries or "",
        raci=raci,
        created_by=actor,
    )
    # The author's organization accepts what it wrote.
    PlanAcceptance.objects.create(
        plan=plan, organization_id=network_permissions.org_id_of(actor), person=actor
    )
    _event(
        actor,
        "initiative.plan_revised",
        f"{actor} published version {plan.version} of the joint plan of “{initiative}”",
        initiative,
        plan,
    )
    return plan


@transaction.atomic
def plan_accept(*, actor: Person, plan: JointPlan) -> PlanAcceptance:
    initiative = plan.initiative
    participation = permissions.require_participant(actor, initiative)
    network_permissions.require_team_leader(
        actor, "Only a team leader can accept the plan for the organization."
    )
    if PlanAcceptance.objects.filter(
        plan=plan, organization_id=participation.organization_id
    ).exists():
        raise ValidationError(f"Your organization has already accepted version {plan.version}.")
    acceptance = PlanAcceptance.objects.create(
        plan=plan, organization_id=participation.organization_id, person=actor
    )
    _event(
        actor,
        "initiative.plan_accepted",
        f"{actor.organization} accepted version {plan.version} of the joint plan of “{initiative}”",
        initiative,
        plan,
    )
    return acceptance


# Requests and commitments -----------------------------------------------------------------


def _receivers(request: Request) -> list:
    if request.to_person_id:
        return [request.to_person]
    return permissions.team_leader_of(request.to_organization_id)


@transaction.atomic
def request_send(
    *,
    actor: Person,
    initiative: Initiative,
    to_organization,
    title: str,
    due_on: date,
    description: str = "",
    kind: str = Request.Kind.TASK,
    to_person=None,
    on_behalf_of_initiative: bool = False,
    now=None,
) -> Request:
    """Any participant asks an organization (or one of its people) to take a task or a role."""
    participation = permissions.require_participant(actor, initiative)
    permissions.require_open(initiative)
    if on_behalf_of_initiative:
        permissions.require_leader(
            actor, initiative, now, what="send requests on behalf of the initiative"
        )
    title = validate_name(_required(title, "title", "A title"), "title")[:200]
    if kind not in Request.Kind.values:
        raise ValidationError({"kind": "Choose a task or a role."})
    if due_on is None:
        raise ValidationError({"due_on": "A proposed due date is required."})
    if due_on < _today(now):
        raise ValidationError({"due_on": "The due date cannot be in the past."})
    validate_day(due_on, "due_on")
    if to_organization is None or not _org_in_network(to_organization.pk, initiative.network):
        raise ValidationError(
            {"to_organization": "Send requests to member organizations of the network."}
        )
    if to_person is not None and network_permissions.org_id_of(to_person) != to_organization.pk:
        raise ValidationError({"to_person": f"{to_person} does not belong to {to_organization}."})
    if to_organization.pk == participation.organization_id and to_person is None:
        raise ValidationError(
            {"to_organization": "Name a colleague to ask someone in your own organization."}
        )
    request = Request.objects.create(
        initiative=initiative,
        from_organization_id=participation.organization_id,
        from_person=actor,
        on_behalf_of_initiative=on_behalf_of_initiative,
        to_organization=to_organization,
        to_person=to_person,
        kind=kind,
        title=title,
        description=description or "",
        due_on=due_on,
    )
    sender = f"{initiative} (by {actor})" if on_behalf_of_initiative else f"{actor.organization}"
    _event(
        actor,
        "request.sent",
        f"{sender} asked {to_person or to_organization}: “{title}”",
        initiative,
        request,
    )
    notify(
        recipients=_receivers(request),
        kind="request.received",
        title=f"New request from {sender}: {title}",
        body=f"Proposed due date: {due_on:%d %b %Y}. Accept, decline or propose another date.",
        url=reverse("my_requests"),
    )
    return request


def _lock_request(request) -> Request:
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related(
            "initiative__network",
            "from_person",
            "to_person",
            "to_organization",
            "from_organization",
        )
        .get(pk=request.pk)
    )


def _require_receiver(actor, request: Request) -> None:
    network_permissions.require_acting_member(actor, request.initiative.network)
    if network_permissions.org_id_of(actor) != request.to_organization_id:
        raise PermissionDenied("Only the organization the request is addressed to can answer it.")
    if request.to_person_id and request.to_person_id != actor.pk and not actor.is_team_leader:
        raise PermissionDenied(f"This request is addressed to {request.to_person}.")


def _require_sender(actor, request: Request) -> None:
    network_permissions.require_acting_member(actor, request.initiative.network)
    if network_permissions.org_id_of(actor) != request.from_organization_id:
        raise PermissionDenied("Only the organization that sent the request can do this.")


def _answered(actor, request, verb, summary):
    request.answered_by, request.answered_at = actor, timezone.now()
    request.save()
    _event(actor, f"request.{verb}", summary, request.initiative, request)
    notify(
        recipients=[request.from_person],
        kind="request.answered",
        title=summary,
        body=request.reason,
        url=reverse("my_requests"),
    )


def _commit(request: Request, due_on: date, owner_person) -> Commitment:
    return Commitment.objects.create(
        request=request,
        initiative=request.initiative,
        owner_organization_id=request.to_organization_id,
        owner_person=owner_person,
        title=request.title,
        due_on=due_on,
    )


@transaction.atomic
def request_accept(*, actor: Person, request: Request) -> Commitment:
    """The receiver accepts: the request becomes a commitment."""
    request = _lock_request(request)
    _require_receiver(actor, request)
    if request.status != RStatus.OPEN:
        raise ValidationError(
            f"This request is {request.get_status_display().lower()}; it cannot be accepted."
        )
    request.status = RStatus.ACCEPTED
    _answered(actor, request, "accepted", f"{actor.organization} accepted “{request.title}”")
    return _commit(request, request.due_on, request.to_person or actor)


@transaction.atomic
def request_decline(*, actor: Person, request: Request, reason: str) -> Request:
    request = _lock_request(request)
    _require_receiver(actor, request)
    if request.status != RStatus.OPEN:
        raise ValidationError(
            f"This request is {request.get_status_display().lower()}; it cannot be declined."
        )
    request.reason = _required(reason, "reason", "A reason")
    request.status = RStatus.DECLINED
    _answered(actor, request, "declined", f"{actor.organization} declined “{request.title}”")
    return request


@transaction.atomic
def request_counter(
    *, actor: Person, request: Request, due_on: date, reason: str = "", now=None
) -> Request:
    """The receiver proposes another date; the sender accepts it or withdraws."""
    request = _lock_request(request)
    _require_receiver(actor, request)
    if request.status != RStatus.OPEN:
        raise ValidationError(
            f"This request is {request.get_status_display().lower()}; it is not open."
        )
    if due_on is None:
        raise ValidationError({"due_on": "Propose a date."})
    if due_on < _today(now):
        raise ValidationError({"due_on": "The date cannot be in the past."})
    validate_day(due_on, "due_on")
    if due_on == request.due_on:
        raise ValidationError({"due_on": "Propose a date other than the one asked for."})
    request.counter_due_on, request.reason = due_on, reason or ""
    request.status = RStatus.COUNTERED
    _answered(
        actor,
        request,
        "countered",
        f"{actor.organization} proposed {due_on:%d %b %Y} for “{request.title}”",
    )
    return request


@transaction.atomic
def request_counter_accept(*, actor: Person, request: Request) -> Commitment:
    request = _lock_request(request)
    _require_sender(actor, request)
    if request.status != RStatus.COUNTERED:
        raise ValidationError("There is no proposed date to accept.")
    request.status = RStatus.ACCEPTED
    request.save(update_fields=["status"])
    _event(
        actor,
        "request.counter_accepted",
        f"{actor.organization} agreed to {request.counter_due_on:%d %b %Y} for “{request.title}”",
        request.initiative,
        request,
    )
    commitment = _commit(request, request.counter_due_on, request.to_person or request.answered_by)
    notify(
        recipients=[request.answered_by or request.to_person],
        kind="request.answered",
        title=f"{actor.organization} agreed to your date for “{request.title}”",
        url=reverse("my_commitments"),
    )
    return commitment


@transaction.atomic
def request_withdraw(*, actor: Person, request: Request) -> Request:
    request = _lock_request(request)
    _require_sender(actor, request)
    if request.status not in (RStatus.OPEN, RStatus.COUNTERED):
        raise ValidationError(
            f"This request is {request.get_status_display().lower()}; it cannot be withdrawn."
        )
    request.status = RStatus.WITHDRAWN
    request.save(update_fields=["status"])
    _event(
        actor,
        "request.withdrawn",
        f"{actor.organization} withdrew “{request.title}”",
        request.initiative,
        request,
    )
    return request


def _lock_commitment(commitment) -> Commitment:
    return (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("initiative__network", "request")
        .get(pk=commitment.pk)
    )


def _require_owner(actor, commitment: Commitment) -> None:
    network_permissions.require_acting_member(actor, commitment.initiative.network)
    if network_permissions.org_id_of(actor) != commitment.owner_organization_id:
        raise PermissionDenied("Only the organization that made the commitment can do this.")


def _require_party(actor, commitment: Commitment) -> None:
    network_permissions.require_acting_member(actor, commitment.initiative.network)
    if network_permissions.org_id_of(actor) not in (
        commitment.owner_organization_id,
        commitment.request.from_organization_id,
    ):
        raise PermissionDenied("Only the two organizations of a commitment can change it.")


def _require_open_commitment(commitment) -> None:
    if commitment.status != CStatus.OPEN:
        raise ValidationError(
            f"This commitment is already {commitment.get_status_display().lower()}."
        )


def _close(actor, commitment, status, summary, now=None, **fields):
    commitment.status = status
    commitment.closed_at = now or timezone.now()
    for key, value in fields.items():
        setattr(commitment, key, value)
    commitment.save()
    _event(actor, f"commitment.{status}", summary, commitment.initiative, commitment)
    return commitment


@transaction.atomic
def commitment_deliver(
    *, actor: Person, commitment: Commitment, note: str = "", now=None
) -> Commitment:
    commitment = _lock_commitment(commitment)
    _require_owner(actor, commitment)
    _require_open_commitment(commitment)
    now = now or timezone.now()
    commitment = _close(
        actor,
        commitment,
        CStatus.DELIVERED,
        f"{actor.organization} delivered “{commitment.title}”",
        now,
        delivered_at=now,
        note=note or commitment.note,
    )
    notify(
        recipients=[commitment.request.from_person],
        kind="commitment.delivered",
        title=f"{actor.organization} delivered “{commitment.title}” ({commitment.timeliness})",
        url=_url(commitment.initiative),
    )
    return commitment


@transaction.atomic
def commitment_miss(*, actor: Person, commitment: Commitment, note: str = "") -> Commitment:
    commitment = _lock_commitment(commitment)
    _require_party(actor, commitment)
    _require_open_commitment(commitment)
    return _close(
        actor,
        commitment,
        CStatus.MISSED,
        f"“{commitment.title}” was marked missed by {actor.organization}",
        note=note or "",
    )


@transaction.atomic
def commitment_withdraw(*, actor: Person, commitment: Commitment, reason: str) -> Commitment:
    commitment = _lock_commitment(commitment)
    _require_owner(actor, commitment)
    _require_open_commitment(commitment)
    reason = _required(reason, "reason", "A reason")
    return _close(
        actor,
        commitment,
        CStatus.WITHDRAWN,
        f"{actor.organization} withdrew from “{commitment.title}”",
        note=reason,
    )


@transaction.atomic
def commitment_renegotiate(
    *, actor: Person, commitment: Commitment, due_on: date, reason: str, now=None
) -> Commitment:
    """Either organization records a new agreed date: the old commitment is kept as
    renegotiated (the history stays) and a new one opens with the new date."""
    commitment = _lock_commitment(commitment)
    _require_party(actor, commitment)
    _require_open_commitment(commitment)
    reason = _required(reason, "reason", "A reason")
    if due_on is None or due_on < _today(now):
        raise ValidationError({"due_on": "The new date cannot be in the past."})
    validate_day(due_on, "due_on")
    _close(
        actor,
        commitment,
        CStatus.RENEGOTIATED,
        f"“{commitment.title}” moved to {due_on:%d %b %Y} by {actor.organization}",
        note=reason,
    )
    return Commitment.objects.create(
        request=commitment.request,
        initiative=commitment.initiative,
        owner_organization_id=commitment.owner_organization_id,
        owner_person=commitment.owner_person,
        title=commitment.title,
        due_on=due_on,
        previous=commitment,
    )
