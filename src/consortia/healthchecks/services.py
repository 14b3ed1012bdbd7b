"""Every write about health checks goes through here (keyword-only, one transaction each,
ValidationError for bad input, PermissionDenied with a sentence, an event per change).

Events and notifications about a health check go only to the organizations taking part
(Audience.ORGANIZATION, one event per side) and never carry a score or a comment: what a
side answered reaches the others only through selectors.visible_ratings, once unsealed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from consortia.core.events import emit
from consortia.core.models import Audience
from consortia.core.notifications import notify
from consortia.core.validators import validate_name
from consortia.initiatives import permissions as initiative_permissions
from consortia.initiatives import services as initiative_services
from consortia.initiatives.models import Initiative, Participation
from consortia.networks import permissions as network_permissions
from consortia.networks.models import NetworkMembership, Organization, OrgMembership, Person

from . import permissions
from .models import (
    DIMENSION_KEYS,
    DIMENSION_LABELS,
    SCORE_MAX,
    SCORE_MIN,
    ActionItem,
    Answer,
    HealthCheck,
    Rater,
    Rating,
    Side,
)

COMMENT_LIMIT = 2000
LONGEST = timedelta(days=366)
SHORTEST = timedelta(hours=1)


def check_url(check) -> str:
    return reverse("healthcheck_detail", args=[check.network.slug, check.pk])


def _side_org_ids(check) -> list[int]:
    return list(Side.objects.filter(health_check=check).values_list("organization_id", flat=True))


def _tell_sides(actor, check, verb: str, summary: str, org_ids=None) -> None:
    """One event per organization taking part, seen by that organization only."""
    for org_id in org_ids if org_ids is not None else _side_org_ids(check):
        emit(
            actor=actor,
            organization=actor.organization if actor else None,
            verb=verb,
            summary=summary,
            audience=Audience.ORGANIZATION,
            audience_organization=Organization(pk=org_id),
            network=check.network,
            obj=check,
        )


def _leaders_and_raters(org_ids, check, *, exclude=None) -> list:
    people = Person.objects.filter(
        Q(org_membership__organization_id__in=org_ids)
        & (
            Q(org_membership__role=OrgMembership.Role.TEAM_LEADER)
            | Q(pk__in=Rater.objects.filter(side__health_check=check).values("person_id"))
        )
    ).distinct()
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return list(people)


def _check_deadline(deadline, now) -> datetime:
    if isinstance(deadline, date) and not isinstance(deadline, datetime):
        deadline = timezone.make_aware(datetime.combine(deadline, datetime.max.time()))
    if not isinstance(deadline, datetime):
        raise ValidationError({"deadline": "Give a deadline."})
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    if deadline <= now:
        raise ValidationError({"deadline": "The deadline cannot be in the past."})
    if deadline < now + SHORTEST:
        raise ValidationError({"deadline": "Give the partners at least an hour to answer."})
    if deadline > now + LONGEST:
        raise ValidationError({"deadline": "Choose a deadline within a year."})
    return deadline


def _is_active_member(org_id, network, now) -> bool:
    return NetworkMembership.objects.filter(
        NetworkMembership.active_q(now), network=network, organization_id=org_id
    ).exists()


@transaction.atomic
def health_check_open(
    *,
    actor: Person,
    network,
    deadline,
    partner: Organization | None = None,
    initiative: Initiative | None = None,
    title: str = "",
    now=None,
) -> HealthCheck:
    """A team leader opens a health check of the partnership of their organization with
    `partner` (an active member of the network), or among the participants of `initiative`."""
    now = now or timezone.now()
    membership = network_permissions.require_acting_member(actor, network)
    network_permissions.require_team_leader(
        actor, "Only a team leader can open a health check for the organization."
    )
    own = membership.organization_id
    if (partner is None) == (initiative is None):
        raise ValidationError({"partner": "Choose a partner organization or an initiative."})
    deadline = _check_deadline(deadline, now)
    title = validate_name((title or "").strip(), "title")[:200]
    if initiative is not None:
        if initiative.network_id != network.pk:
            raise ValidationError({"initiative": "Choose an initiative of this network."})
        if not initiative_permissions.is_participant(actor, initiative):
            raise ValidationError(
                {"initiative": "Your organization does not take part in this initiative."}
            )
        if initiative.status in (Initiative.Status.COMPLETED, Initiative.Status.CANCELLED):
            raise ValidationError(
                {"initiative": f"This initiative is {initiative.get_status_display().lower()}."}
            )
        org_ids = list(
            Participation.objects.filter(
                initiative=initiative, status=Participation.Status.ACTIVE
            ).values_list("organization_id", flat=True)
        )
        org_ids = [pk for pk in org_ids if _is_active_member(pk, network, now)]
        if len(org_ids) < 2:
            raise ValidationError(
                {"initiative": "A health check needs at least two participating organizations."}
            )
        title = title or f"Health of “{initiative}”"
        field = "initiative"
        clash = HealthCheck.objects.filter(initiative=initiative)
    else:
        if partner.pk == own:
            raise ValidationError({"partner": "Choose another organization than your own."})
        if not _is_active_member(partner.pk, network, now):
            raise ValidationError(
                {"partner": f"{partner} is not a partner: not an active member of {network}."}
            )
        org_ids = sorted([own, partner.pk])
        title = title or f"{actor.organization} and {partner}"
        field = "partner"
        clash = (
            HealthCheck.objects.filter(network=network, initiative__isnull=True)
            .filter(pk__in=Side.objects.filter(organization_id=own).values("health_check_id"))
            .filter(
                pk__in=Side.objects.filter(organization_id=partner.pk).values("health_check_id")
            )
        )
    if clash.exclude(HealthCheck.unsealed_q(now)).exists():
        raise ValidationError(
            {field: "A health check of this partnership is still waiting for answers."}
        )
    check = HealthCheck.objects.create(
        network=network,
        initiative=initiative,
        title=title,
        deadline=deadline,
        opened_by=actor,
        opened_by_organization_id=own,
        created_at=now,
    )
    Side.objects.bulk_create(Side(health_check=check, organization_id=pk) for pk in org_ids)
    _tell_sides(
        actor, check, "health_check.opened", f"{actor} opened the health check “{title}”", org_ids
    )
    notify(
        recipients=_leaders_and_raters(org_ids, check, exclude=actor),
        kind="health_check.opened",
        title=f"How is the partnership going? Health check “{title}”",
        body=f"Rate it by {timezone.localtime(deadline):%d %b %Y %H:%M}. Answers stay sealed "
        "until every side has answered or the deadline passes.",
        url=check_url(check),
    )
    return check


def _lock(check) -> HealthCheck:
    return (
        HealthCheck.objects.select_for_update(of=("self",))
        .select_related("network", "initiative")
        .get(pk=check.pk)
    )


def _require_sealed(check, now) -> None:
    if check.is_unsealed_at(now):
        raise ValidationError(
            "The answers are unsealed: this health check no longer takes answers."
        )


@transaction.atomic
def rater_invite(*, actor: Person, health_check: HealthCheck, person: Person, now=None) -> Rater:
    """A team leader of a side invites a colleague to rate the partnership too."""
    now = now or timezone.now()
    check = _lock(health_check)
    side = permissions.require_side(actor, check)
    network_permissions.require_team_leader(
        actor, "Only a team leader can invite colleagues to answer."
    )
    _require_sealed(check, now)
    if person is None or network_permissions.org_id_of(person) != side.organization_id:
        raise ValidationError({"person": "Invite someone of your own organization."})
    if person.is_team_leader:
        raise ValidationError({"person": f"{person} is a team leader and may answer already."})
    rater, created = Rater.objects.get_or_create(
        side=side, person=person, defaults={"invited_by": actor, "created_at": now}
    )
    if not created:
        raise ValidationError({"person": f"{person} is invited already."})
    # A new rater reopens the side until they answer.
    if side.answered_at is not None and not Answer.objects.filter(side=side, person=person):
        Side.objects.filter(pk=side.pk).update(answered_at=None)
    _tell_sides(
        actor,
        check,
        "health_check.rater_invited",
        f"{actor} invited {person} to answer the health check “{check}”",
        [side.organization_id],
    )
    notify(
        recipients=[person],
        kind="health_check.invited",
        title=f"{actor} asks you to rate the partnership: “{check}”",
        url=check_url(check),
    )
    return rater


def _clean_answer(scores, comments) -> tuple[dict, dict]:
    errors = {}
    clean_scores, clean_comments = {}, {}
    if not isinstance(scores, dict):
        raise ValidationError("Give a score for every dimension.")
    comments = comments or {}
    unknown = (set(scores) | set(comments)) - set(DIMENSION_KEYS)
    if unknown:
        raise ValidationError(f"Unknown dimension: {', '.join(sorted(map(str, unknown)))}.")
    for key in DIMENSION_KEYS:
        value = scores.get(key)
        if value is None or value == "":
            errors[key] = f"Rate {DIMENSION_LABELS[key].lower()} from 1 to 5."
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or isinstance(value, bool) or str(number) != str(value).strip():
            errors[key] = "Give a whole number from 1 to 5."
        elif not SCORE_MIN <= number <= SCORE_MAX:
            errors[key] = "The score must be between 1 and 5."
        else:
            clean_scores[key] = number
        comment = str(comments.get(key) or "").strip()
        if len(comment) > COMMENT_LIMIT:
            errors[f"{key}_comment"] = f"Keep the comment under {COMMENT_LIMIT} characters."
        clean_comments[key] = comment
    if errors:
        raise ValidationError(errors)
    return clean_scores, clean_comments


def _side_complete(side) -> bool:
    answered = set(Answer.objects.filter(side=side).values_list("person_id", flat=True))
    invited = set(Rater.objects.filter(side=side).values_list("person_id", flat=True))
    return bool(answered) and invited <= answered


@transaction.atomic
def answer_submit(
    *,
    actor: Person,
    health_check: HealthCheck,
    scores: dict,
    comments: dict | None = None,
    now=None,
) -> Answer:
    """The person rates the partnership for their side; sealed until every side answered."""
    now = now or timezone.now()
    check = _lock(health_check)
    side = permissions.require_answerer(actor, check)
    _require_sealed(check, now)
    if Answer.objects.filter(side=side, person=actor).exists():
        raise ValidationError("You already answered this health check; answers cannot change.")
    clean_scores, clean_comments = _clean_answer(scores, comments)
    answer = Answer.objects.create(side=side, person=actor, submitted_at=now)
    Rating.objects.bulk_create(
        Rating(answer=answer, dimension=key, score=clean_scores[key], comment=clean_comments[key])
        for key in DIMENSION_KEYS
    )
    org_ids = _side_org_ids(check)
    _tell_sides(
        actor,
        check,
        "health_check.answered",
        f"{actor.organization} answered the health check “{check}”",
        org_ids,
    )
    if _side_complete(side):
        Side.objects.filter(pk=side.pk).update(answered_at=now)
    if not Side.objects.filter(health_check=check, answered_at__isnull=True).exists():
        _unseal(check, HealthCheck.Reason.ANSWERED, now, actor=actor, org_ids=org_ids)
    return answer


def _unseal(check, reason, now, *, actor=None, org_ids=None) -> bool:
    """Record the unsealing once (a conditional UPDATE: two workers never both announce it)."""
    at = now if reason == HealthCheck.Reason.ANSWERED else min(now, check.deadline)
    claimed = HealthCheck.objects.filter(pk=check.pk, unsealed_at__isnull=True).update(
        unsealed_at=at, unsealed_because=reason
    )
    if not claimed:
        return False
    check.unsealed_at, check.unsealed_because = at, reason
    org_ids = org_ids if org_ids is not None else _side_org_ids(check)
    why = "every side answered" if reason == HealthCheck.Reason.ANSWERED else "the deadline passed"
    _tell_sides(
        actor,
        check,
        "health_check.unsealed",
        f"The health check “{check}” is unsealed: {why}",
        org_ids,
    )
    notify(
        recipients=_leaders_and_raters(org_ids, check),
        kind="health_check.unsealed",
        title=f"Results of the health check “{check}”: see each side's view",
        body=f"Unsealed because {why}. Compare the scores and agree what to do next.",
        url=check_url(check),
    )
    return True


def unseal_if_due(check: HealthCheck, *, now=None) -> bool:
    """A read's lazy close: record the unsealing of a health check whose deadline passed."""
    now = now or timezone.now()
    if check.unsealed_at is not None or check.deadline > now:
        return False
    with transaction.atomic():
        return _unseal(check, HealthCheck.Reason.DEADLINE, now)


def unseal_due(*, now=None) -> int:
    """Worker job: announce the health checks whose deadline passed."""
    now = now or timezone.now()
    done = 0
    due = HealthCheck.objects.filter(unsealed_at__isnull=True, deadline__lte=now).select_related(
        "network"
    )
    for check in due[:500]:
        done += unseal_if_due(check, now=now)
    return done


def action_initiatives(person, check):
    """The initiatives an action item of `check` can be sent in: its own, or (for a pair) the
    active ones of the network in which the person's organization takes part."""
    if check.initiative_id:
        return Initiative.objects.filter(pk=check.initiative_id)
    org_id = network_permissions.org_id_of(person)
    return Initiative.objects.filter(
        network_id=check.network_id,
        status__in=(Initiative.Status.PROPOSED, Initiative.Status.ACTIVE),
        participations__organization_id=org_id,
        participations__status=Participation.Status.ACTIVE,
    ).order_by("title")


@transaction.atomic
def action_add(
    *,
    actor: Person,
    health_check: HealthCheck,
    to_organization: Organization | None,
    title: str,
    due_on: date,
    initiative: Initiative | None = None,
    description: str = "",
    now=None,
) -> ActionItem:
    """Once unsealed, a side agrees an action item: a request through the initiatives service
    (the receiving organization accepts it, and it becomes a commitment)."""
    now = now or timezone.now()
    check = _lock(health_check)
    side = permissions.require_side(actor, check)
    if not check.is_unsealed_at(now):
        raise ValidationError("Action items come after the results: the answers are still sealed.")
    if (
        to_organization is None
        or not Side.objects.filter(health_check=check, organization=to_organization).exists()
    ):
        raise ValidationError({"to_organization": "Ask an organization taking part."})
    if check.initiative_id:
        initiative = check.initiative
    elif initiative is None or not action_initiatives(actor, check).filter(pk=initiative.pk):
        raise ValidationError(
            {
                "initiative": "Requests live in an initiative: choose an active one of this "
                "network in which your organization takes part."
            }
        )
    request = initiative_services.request_send(
        actor=actor,
        initiative=initiative,
        to_organization=to_organization,
        to_person=actor if to_organization.pk == side.organization_id else None,
        title=title,
        due_on=due_on,
        description=description or "An action item agreed after a partnership health check.",
        now=now,
    )
    item = ActionItem.objects.create(
        health_check=check,
        request=request,
        title=request.title,
        organization_id=side.organization_id,
        to_organization=to_organization,
        created_by=actor,
        created_at=now,
    )
    _tell_sides(
        actor,
        check,
        "health_check.action_added",
        f"{actor} agreed an action item after the health check “{check}”: {request.title}",
    )
    return item


def review_snapshot_section(*, initiative, person, until, sections) -> None:
    """core.hooks.REVIEW_SNAPSHOT: the initiative's unsealed health checks, each side's mean
    score and the gap per dimension. A health check whose sides do not include every active
    participant is left out: the snapshot is read by all of them, the answers are not theirs."""
    from . import selectors

    sections["health_checks"] = selectors.snapshot_of_initiative(initiative, now=until)


def calendar_events(*, person, org_id, since, now, events) -> None:
    """core.hooks.CALENDAR_EVENTS: the deadlines of the still sealed health checks the person's
    organization takes part in (the visibility rule of every health check page, in SQL)."""
    from . import selectors

    for check in selectors.sealed_deadlines(person, now=now):
        where = f"the initiative {check.initiative}" if check.initiative_id else check.network.name
        events.append(
            {
                "uid": f"healthcheck-{check.pk}",
                "summary": f"Health check closes: {check.title}",
                "start": check.deadline,
                "description": f"Last moment for your organization to answer the partnership "
                f"health check in {where}; the answers are unsealed then.",
                "url": check_url(check),
            }
        )
