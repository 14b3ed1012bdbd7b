"""Every write about polls and ballots goes through here (C2).

A poll's state (scheduled, open, closed) is computed from the clock on every read
(`Poll.state_at`), so a poll closes the moment its time passes even when no worker runs.
Two things happen lazily, each exactly once thanks to a conditional UPDATE:

* the electorate is snapshotted the first time the poll is read or voted in after opening
  (`ensure_electorate`);
* the result is computed and the poll's action applied the first time the poll is read after
  closing, or by the worker (`poll_settle`, `settle_closed_polls`).

A poll that closes when everyone has voted (`close_when_all_voted`) is closed and settled by
its last ballot, in the ballot's transaction (`_close_now`): its closing time becomes that
moment, so everything that reads the clock sees it closed, and the time first set is kept.
"""

import hashlib
import hmac
import json
import logging
import random
import secrets
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from consortia.core.events import emit
from consortia.core.models import Audience
from consortia.core.notifications import notify
from consortia.core.validators import day_error, name_error
from consortia.decisions import outcomes
from consortia.decisions.models import Ballot, BallotRecord, Poll, PollOption, PollVoter
from consortia.decisions.tally import SCORE_MAX, SCORE_MIN, TallyError, tally
from consortia.networks import permissions
from consortia.networks.models import NetworkMembership, OrgMembership, Person

logger = logging.getLogger(__name__)
Kind = Poll.Kind
State = Poll.State
GENESIS = "0" * 64
CONSENSUS_CHOICES = ("agree", "abstain", "disagree", "block")
YES_NO_CHOICES = ("yes", "no", "abstain")
MAX_OPTIONS = 50


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(previous_hash: str, payload: dict) -> str:
    return hashlib.sha256((previous_hash + canonical_json(payload)).encode()).hexdigest()


def record_payload(record: BallotRecord) -> dict:
    """What a log entry's hash covers: everything it says."""
    at = record.created_at
    return {
        "poll": record.poll_id,
        "seq": record.seq,
        "ballot": record.ballot_key,
        "organization": record.organization_id,
        "person": record.person_id,
        "choice": record.choice,
        "at": at.astimezone(UTC).isoformat() if at else None,
    }


def ballot_key(poll: Poll, organization_id: int) -> str:
    """The organization's key in the log: unlinkable once the poll's salt is erased."""
    secret = (settings.SECRET_KEY + poll.ballot_salt).encode()
    return hmac.new(secret, f"{poll.pk}:{organization_id}".encode(), hashlib.sha256).hexdigest()


# Creating polls ---------------------------------------------------------------------------


def _parse_quorum(value) -> Decimal:
    try:
        quorum = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {"quorum": "Give the quorum as a share from 0 to 1, e.g. 0.5."}
        ) from None
    if not quorum.is_finite() or quorum < 0 or quorum > 1:
        raise ValidationError(
            {
                "quorum": "The quorum is a share of the electorate from 0 to 1 (100 %); "
                f"{value} is not possible."
            }
        )
    return quorum.quantize(Decimal("0.001"))


def _parse_threshold(kind: str, value) -> str:
    value = (str(value) if value is not None else "").strip()
    if kind not in (Kind.YES_NO, Kind.CONSENSUS):
        return ""
    if not value:
        return "majority" if kind == Kind.YES_NO else "0.75"
    try:
        tally(kind, {"ballots": []}, threshold=value)
    except TallyError:
        raise ValidationError(
            {"threshold": "Choose majority, two-thirds, unanimity or a share such as 0.75."}
        ) from None
    return value[:20]


def _clean_options(kind: str, options) -> list[str]:
    if kind not in Poll.WITH_OPTIONS:
        return []
    labels = [str(label).strip() for label in (options or []) if str(label).strip()]
    if len(labels) < 2:
        raise ValidationError({"options": "Give at least two options to choose from."})
    if len(labels) > MAX_OPTIONS:
        raise ValidationError({"options": f"Give at most {MAX_OPTIONS} options."})
    if any(len(label) > 200 for label in labels):
        raise ValidationError({"options": "Keep each option under 200 characters."})
    if len({label.casefold() for label in labels}) != len(labels):
        raise ValidationError({"options": "Each option must be different."})
    return labels


@transaction.atomic
def poll_create(
    *,
    actor: Person | None,
    network,
    title: str,
    kind: str,
    closes_at: datetime,
    description: str = "",
    options=(),
    method: str = "",
    threshold: str = "",
    seats: int = 1,
    quorum=0,
    opens_at: datetime | None = None,
    secret: bool = False,
    hide_results_until_close: bool = False,
    action: str = "",
    action_payload: dict | None = None,
    close_when_all_voted: bool | None = None,
    now: datetime | None = None,
) -> Poll:
    """Put a question to the network. People: team leaders of acting member organizations.
    actor=None is the system itself (e.g. an admission poll opened by an application).

    close_when_all_voted: close as soon as every organization of the electorate has voted
    (closes_at is then the latest closing); None takes the action's default (on for admissions,
    leader elections, recalls and extensions), off for free-form polls."""
    now = now or timezone.now()
    registered = outcomes.get(action) if action else None
    if actor is not None:
        permissions.require_acting_member(actor, network)
        permissions.require_team_leader(
            actor, "Only a team leader can put a question to the network."
        )
        if registered is not None and registered.system_only:
            raise ValidationError({"action": "This kind of poll is opened by the system."})
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "Say what the poll decides."
    elif len(title) > 200:
        errors["title"] = "Keep the title under 200 characters."
    elif message := name_error(title):
        errors["title"] = message
    if kind not in Kind.values:
        errors["kind"] = "Choose consensus, yes/no, approval, ranked or score."
    if kind == Kind.RANKED:
        method = method or Poll.Method.SCHULZE
        if method not in Poll.Method.values:
            errors["method"] = "Choose Schulze, ranked pairs or instant runoff."
    else:
        method = ""
    if action and registered is None:
        errors["action"] = f"Unknown action “{action}”."
    elif registered is not None and kind not in registered.kinds:
        errors["kind"] = f"“{registered.label}” needs a {' or '.join(registered.kinds)} poll."
    opens_at = opens_at or now
    if not isinstance(closes_at, datetime) or timezone.is_naive(closes_at):
        errors["closes_at"] = "Give the closing time."
    elif closes_at <= now:
        errors["closes_at"] = "The closing time is already past."
    elif message := day_error(closes_at):
        errors["closes_at"] = message
    elif closes_at <= opens_at:
        errors["closes_at"] = "The poll must close after it opens."
    if errors:
        raise ValidationError(errors)
    quorum = _parse_quorum(quorum)
    threshold = _parse_threshold(kind, threshold)
    labels = _clean_options(kind, options)
    if not isinstance(seats, int) or not 1 <= seats <= max(1, len(labels) - 1 if labels else 1):
        if kind in (Kind.APPROVAL, Kind.SCORE):
            raise ValidationError({"seats": "Choose between 1 and one less than the options."})
        seats = 1
    payload = action_payload or {}
    if registered is not None and registered.validate is not None:
        payload = registered.validate(network, payload)
    poll = Poll(
        network=network,
        title=title,
        description=(description or "").strip(),
        kind=kind,
        method=method,
        threshold=threshold,
        seats=seats,
        quorum=quorum,
        opens_at=opens_at,
        closes_at=closes_at,
        secret=bool(secret),
        hide_results_until_close=bool(hide_results_until_close),
        action=action,
        action_payload=payload,
        close_when_all_voted=(
            bool(close_when_all_voted)
            if close_when_all_voted is not None
            else bool(registered is not None and registered.close_when_all_voted)
        ),
        ballot_salt=secrets.token_hex(32),
        created_by=actor,
        created_at=now,
    )
    poll.full_clean()
    poll.save()
    PollOption.objects.bulk_create(
        PollOption(poll=poll, label=label, position=i) for i, label in enumerate(labels)
    )
    organization = actor.organization if actor is not None else None
    emit(
        actor=actor,
        organization=organization,
        network=network,
        verb="poll.created",
        obj=poll,
        audience=Audience.NETWORK,
        summary=f"{organization or 'The network'} opened a poll: {poll.title}",
    )
    if poll.state_at(now) == State.OPEN:
        ensure_electorate(poll, now=now)
        notify(
            recipients=_voters_of(PollVoter.objects.filter(poll=poll).values("organization_id")),
            kind="poll.opened",
            title=f"New poll in {network}: {poll.title}",
            body=f"Your team leader or delegate votes until {poll.closes_at:%Y-%m-%d %H:%M} UTC.",
            url=poll_url(poll),
        )
    return poll


def poll_url(poll: Poll) -> str:
    return reverse("poll_detail", args=[poll.network.slug, poll.pk])


def _voters_of(org_ids) -> list[Person]:
    """The people who cast the ballots of these organizations: team leaders and delegates."""
    return [
        m.person
        for m in OrgMembership.objects.filter(
            OrgMembership.VOTERS, organization_id__in=org_ids
        ).select_related("person")
    ]


def ensure_electorate(poll: Poll, *, now: datetime | None = None) -> None:
    """Snapshot the electorate once, when the poll is first touched after opening: one voter
    per active member organization, minus those an action excludes (the one being removed)."""
    now = now or timezone.now()
    if poll.electorate_taken_at is not None or poll.state_at(now) == State.SCHEDULED:
        return
    with transaction.atomic():
        taken = Poll.objects.filter(pk=poll.pk, electorate_taken_at__isnull=True).update(
            electorate_taken_at=now
        )
        if taken:
            action = outcomes.get(poll.action) if poll.action else None
            excluded = action.excluded(poll) if action and action.excluded else set()
            if action is not None and action.electorate is not None:
                org_ids = set(action.electorate(poll)) - set(excluded)
            else:
                org_ids = (
                    NetworkMembership.objects.filter(
                        NetworkMembership.active_q(now), network_id=poll.network_id
                    )
                    .exclude(organization_id__in=excluded)
                    .values_list("organization_id", flat=True)
                )
            PollVoter.objects.bulk_create(
                PollVoter(poll=poll, organization_id=org_id) for org_id in org_ids
            )
    poll.refresh_from_db(fields=["electorate_taken_at"])


@transaction.atomic
def poll_set_secret(*, actor: Person, poll: Poll, secret: bool) -> Poll:
    """Make a poll secret before anyone votes. Once secret, always secret."""
    _require_author(actor, poll)
    if poll.secret and not secret:
        raise ValidationError({"secret": "A secret ballot stays secret: this cannot be undone."})
    if secret and not poll.secret:
        if Ballot.objects.filter(poll=poll).exists():
            raise ValidationError(
                {
                    "secret": "Ballots were already cast openly; a poll becomes secret only before "
                    "the first vote."
                }
            )
        Poll.objects.filter(pk=poll.pk).update(secret=True)
        poll.secret = True
        emit(
            actor=actor,
            organization=actor.organization,
            network=poll.network,
            verb="poll.made_secret",
            obj=poll,
            audience=Audience.NETWORK,
            summary=f"The poll “{poll.title}” is now a secret ballot",
        )
    return poll


def _require_author(actor: Person, poll: Poll) -> None:
    if poll.created_by_id is None or (
        permissions.org_id_of(actor) != getattr(poll.created_by.membership, "organization_id", None)
    ):
        raise PermissionDenied("Only the organization that opened the poll can change it.")
    permissions.require_team_leader(actor)


@transaction.atomic
def poll_record_outcome(
    *,
    actor: Person,
    poll: Poll,
    statement: str,
    review_on: date | None = None,
    now: datetime | None = None,
) -> Poll:
    """The author of a free-form poll records what was decided and when to review it."""
    _require_author(actor, poll)
    if poll.action:
        raise ValidationError("This poll's outcome is applied automatically.")
    if poll.state_at(now or timezone.now()) != State.CLOSED:
        raise ValidationError("Record the outcome once the poll has closed.")
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": "Write what was decided."})
    Poll.objects.filter(pk=poll.pk).update(outcome_statement=statement, review_on=review_on)
    poll.outcome_statement, poll.review_on = statement, review_on
    emit(
        actor=actor,
        organization=actor.organization,
        network=poll.network,
        verb="poll.outcome_recorded",
        obj=poll,
        audience=Audience.NETWORK,
        summary=f"Outcome of “{poll.title}”: {statement}",
    )
    return poll


# Ballots ----------------------------------------------------------------------------------


def _labels(poll: Poll) -> list[str]:
    cache = poll.__dict__.get("_labels")
    if cache is None:
        cache = poll.__dict__["_labels"] = list(
            PollOption.objects.filter(poll=poll).values_list("label", flat=True)
        )
    return cache


def clean_choice(poll: Poll, choice) -> dict:
    """A ballot in the tally format of the poll's kind; ValidationError saying what is wrong."""
    kind = poll.kind
    if kind in (Kind.CONSENSUS, Kind.YES_NO):
        allowed = CONSENSUS_CHOICES if kind == Kind.CONSENSUS else YES_NO_CHOICES
        value = choice.get("choice") if isinstance(choice, dict) else choice
        if value not in allowed:
            raise ValidationError({"choice": f"Choose one of: {', '.join(allowed)}."})
        return {"choice": value}
    labels = _labels(poll)
    known = set(labels)
    if kind == Kind.APPROVAL:
        value = choice.get("approve") if isinstance(choice, dict) else choice
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError({"approve": "Give the list of options you approve."})
        _check_known(value, known, "approve")
        return {"approve": [label for label in labels if label in set(value)]}
    if kind == Kind.SCORE:
        value = choice["scores"] if isinstance(choice, dict) and "scores" in choice else choice
        if not isinstance(value, dict):
            raise ValidationError({"scores": "Give a score for each option."})
        _check_known(list(value), known, "scores")
        for label, score in value.items():
            if type(score) is not int or not SCORE_MIN <= score <= SCORE_MAX:
                raise ValidationError(
                    {
                        "scores": f"Scores go from {SCORE_MIN} to {SCORE_MAX}; "
                        f"“{label}” got {score!r}."
                    }
                )
        return {"scores": {label: value[label] for label in labels if label in value}}
    value = choice.get("ranking") if isinstance(choice, dict) else choice
    if not isinstance(value, list):
        raise ValidationError({"ranking": "Give the options in your order of preference."})
    ranking, seen = [], []
    for tier in value:
        group = tier if isinstance(tier, list) else [tier]
        if not group or not all(isinstance(v, str) for v in group):
            raise ValidationError({"ranking": "Each rank is an option or a list of tied options."})
        seen.extend(group)
        ranking.append(group[0] if len(group) == 1 else list(group))
    _check_known(seen, known, "ranking")
    return {"ranking": ranking}


def _check_known(values: list[str], known: set[str], field: str) -> None:
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValidationError({field: f"“{unknown[0]}” is not an option of this poll."})
    if len(set(values)) != len(values):
        duplicate = next(v for v in values if values.count(v) > 1)
        raise ValidationError({field: f"“{duplicate}” appears twice; name each option once."})


def ballot_cast(
    *, actor: Person, poll: Poll, choice, now: datetime | None = None
) -> tuple[Ballot, str]:
    """See _ballot_cast. On SQLite, a write that meets another writer's lock is retried: the
    embedded database serializes writers, and its shared-cache mode (used by in-memory
    databases) reports a lock at once instead of waiting for it."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return _ballot_cast(actor=actor, poll=poll, choice=choice, now=now)
    for attempt in range(400):
        try:
            return _ballot_cast(actor=actor, poll=poll, choice=choice, now=now)
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == 399:
                raise
            time.sleep(0.002 + random.random() * 0.01)
    raise AssertionError("unreachable")  # pragma: no cover


def _ballot_cast(
    *, actor: Person, poll: Poll, choice, now: datetime | None = None
) -> tuple[Ballot, str]:
    """The organization's team leader or a delegate it named casts or changes its ballot (one
    current ballot per organization, whoever casts it); returns (ballot, receipt).

    The poll row is locked while the log grows, so the chain has no fork and concurrent
    submissions by one organization leave exactly one current ballot (the database's unique
    constraint backs this up)."""
    now = now or timezone.now()
    leader = permissions.require_organization_voter(actor)
    org_id = leader.organization_id
    with transaction.atomic():
        poll = Poll.objects.select_for_update().select_related("network").get(pk=poll.pk)
        state = poll.state_at(now)
        # In the voter's zone (activated for the request; UTC elsewhere), named.
        if state == State.SCHEDULED:
            raise ValidationError(
                f"This poll opens on {timezone.localtime(poll.opens_at):%Y-%m-%d at %H:%M %Z}; "
                "voting has not started."
            )
        if state == State.CLOSED:
            closed = timezone.localtime(poll.closes_at)
            raise ValidationError(
                f"This poll closed on {closed:%Y-%m-%d at %H:%M %Z}"
                f"{', when every organization had voted' if poll.closed_early else ''}; "
                "ballots are no longer accepted."
            )
        ensure_electorate(poll, now=now)
        if not PollVoter.objects.filter(poll=poll, organization_id=org_id).exists():
            raise PermissionDenied(
                f"{leader.organization} is not in the electorate of this poll (it was fixed "
                "when the poll opened)."
            )
        choice = clean_choice(poll, choice)
        key = ballot_key(poll, org_id)
        ballot = Ballot.objects.filter(poll=poll, organization_id=org_id).first()
        if ballot is not None:
            current = (
                ballot.choice
                if not poll.secret
                else BallotRecord.objects.filter(poll=poll, ballot_key=key)
                .order_by("-seq")
                .values_list("choice", flat=True)
                .first()
            )
            if canonical_json(current) == canonical_json(choice):
                raise ValidationError(
                    "Your organization has already cast exactly this ballot; nothing changed."
                )
        last = (
            BallotRecord.objects.filter(poll=poll)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        seq, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
        record = BallotRecord(
            poll=poll,
            seq=seq,
            ballot_key=key,
            choice=choice,
            previous_hash=previous,
            organization_id=None if poll.secret else org_id,
            person_id=None if poll.secret else actor.pk,
            created_at=None if poll.secret else now,
        )
        record.hash = chain_hash(previous, record_payload(record))
        record.save()
        if ballot is None:
            ballot = Ballot(id=uuid.uuid4(), poll=poll, organization_id=org_id)
        else:
            ballot.changes += 1
        ballot.cast_by = actor
        if not poll.secret:
            ballot.choice, ballot.receipt, ballot.cast_at = choice, record.hash, now
        ballot.save()
        changed = ballot.changes > 0
        if poll.secret:
            # No organization, no person: the log must not say who voted when.
            emit(
                actor=None,
                network=poll.network,
                verb="poll.ballot_cast",
                obj=poll,
                audience=Audience.NETWORK,
                summary=f"A ballot was cast in “{poll.title}”",
            )
        else:
            emit(
                actor=actor,
                organization=leader.organization,
                network=poll.network,
                verb="poll.ballot_changed" if changed else "poll.ballot_cast",
                obj=poll,
                audience=Audience.NETWORK,
                summary=f"{leader.organization} {'changed its vote' if changed else 'voted'} "
                f"in “{poll.title}”",
            )
        if poll.close_when_all_voted and _everyone_voted(poll):
            _close_now(poll, now=now)
    return ballot, record.hash


def _everyone_voted(poll: Poll) -> bool:
    """Whether every organization of the (snapshotted) electorate has a current ballot."""
    voters = PollVoter.objects.filter(poll=poll).values("organization_id")
    waiting = voters.exclude(
        organization_id__in=Ballot.objects.filter(poll=poll).values("organization_id")
    )
    return voters.exists() and not waiting.exists()


def _close_now(poll: Poll, *, now: datetime) -> None:
    """Close the poll at `now` because every voter has voted, and settle it at once.

    Called inside the ballot's transaction with the poll row locked (on SQLite the database
    serializes writers), so the last ballot and the close commit together: the conditional
    UPDATE (only while the poll is still open) moves the closing time once, and poll_settle's
    own conditional UPDATE applies the outcome once, as at the deadline. A failure to apply the
    outcome does not undo the ballot: the poll stays closed and the worker (or the next read)
    settles it, as for a poll closed by its deadline."""
    # The constraint wants closes_at after opens_at, even for a vote in the opening microsecond.
    closes_at = max(now, poll.opens_at + timedelta(microseconds=1))
    if not Poll.objects.filter(pk=poll.pk, closes_at__gt=closes_at).update(
        closes_at=closes_at, planned_closes_at=poll.closes_at
    ):
        return
    poll.planned_closes_at, poll.closes_at = poll.closes_at, closes_at
    try:
        poll_settle(poll, now=closes_at, early=True)
    except Exception:
        logger.exception("Settling poll %s after its last ballot failed", poll.pk)


# Results, settling, export ----------------------------------------------------------------


def current_choices(poll: Poll) -> list[dict]:
    """The counted ballots: the latest log entry of every ballot key (one query)."""
    latest: dict[str, dict] = {}
    for key, choice in (
        BallotRecord.objects.filter(poll=poll).order_by("seq").values_list("ballot_key", "choice")
    ):
        latest[key] = choice
    return list(latest.values())


def current_receipts(poll: Poll) -> list[str]:
    latest: dict[str, str] = {}
    for key, digest in (
        BallotRecord.objects.filter(poll=poll).order_by("seq").values_list("ballot_key", "hash")
    ):
        latest[key] = digest
    return sorted(latest.values())


def tally_options(poll: Poll, electorate: int) -> dict:
    options: dict = {}
    if poll.kind in (Kind.CONSENSUS, Kind.YES_NO):
        options["threshold"] = poll.threshold or (
            "majority" if poll.kind == Kind.YES_NO else "0.75"
        )
        if electorate:
            options["electorate"] = electorate
            if poll.quorum > 0:
                options["quorum"] = str(poll.quorum)
    elif poll.kind in (Kind.APPROVAL, Kind.SCORE):
        options["seats"] = poll.seats
    return options


def ballot_file(poll: Poll, choices: list[dict] | None = None) -> dict:
    """The anonymized ballot file, in `consortia tally`'s format, in canonical order."""
    choices = current_choices(poll) if choices is None else choices
    data: dict = {"ballots": sorted(choices, key=canonical_json)}
    if poll.has_options:
        data = {"candidates": _labels(poll), **data}
    return data


def compute_result(
    poll: Poll, *, choices: list[dict] | None = None, electorate: int | None = None
) -> dict:
    choices = current_choices(poll) if choices is None else choices
    if electorate is None:
        electorate = PollVoter.objects.filter(poll=poll).count()
    options = tally_options(poll, electorate)
    counted = tally(poll.tally_method, ballot_file(poll, choices), **options)
    turnout = len(choices)
    if poll.kind in (Kind.CONSENSUS, Kind.YES_NO):
        quorum_met = counted["details"].get("quorum", {}).get("quorum_met", True)
        passed = bool(counted["details"]["passed"])
        winners = counted["winners"]
    else:
        quorum_met = turnout >= poll.quorum * electorate and turnout > 0
        winners = counted["winners"] if quorum_met else []
        passed = bool(winners)
    return {
        "method": poll.tally_method,
        "options": options,
        "electorate": electorate,
        "turnout": turnout,
        "quorum": str(poll.quorum),
        "quorum_met": quorum_met,
        "passed": passed,
        "winners": winners,
        "tally": counted,
    }


def poll_settle(poll: Poll, *, now: datetime | None = None, early: bool = False) -> bool:
    """Once the poll is closed: store the result, erase the ballot salt and apply the action,
    exactly once (the conditional UPDATE on outcome_applied_at decides who does it).
    `early`: it closed because every voter had voted (said in the event)."""
    now = now or timezone.now()
    if poll.outcome_applied_at is not None or poll.state_at(now) != State.CLOSED:
        return False
    with transaction.atomic():
        ensure_electorate(poll, now=now)
        result = compute_result(poll)
        won = Poll.objects.filter(pk=poll.pk, outcome_applied_at__isnull=True).update(
            outcome_applied_at=now, result=result, ballot_salt=""
        )
        if won:
            poll.result, poll.outcome_applied_at, poll.ballot_salt = result, now, ""
            action = outcomes.get(poll.action) if poll.action else None
            if action is not None:
                action.apply(poll, result)
            outcome = "passed" if result["passed"] else "did not pass"
            if poll.has_options and result["winners"]:
                outcome = "chose " + ", ".join(result["winners"])
            when = " (every organization had voted)" if early or poll.closed_early else ""
            emit(
                actor=None,
                network=poll.network,
                verb="poll.closed",
                obj=poll,
                audience=Audience.NETWORK,
                summary=f"The poll “{poll.title}” closed{when}: {outcome}",
            )
            notify(
                recipients=_voters_of(
                    PollVoter.objects.filter(poll=poll).values("organization_id")
                ),
                kind="poll.outcome",
                title=f"Outcome of “{poll.title}”: {outcome}",
                url=poll_url(poll),
            )
    if not won:
        poll.refresh_from_db()
    return bool(won)


def settle_closed_polls(*, now: datetime | None = None) -> int:
    """For the worker: settle every poll whose time has passed. Returns how many it settled."""
    now = now or timezone.now()
    settled = 0
    for poll in Poll.objects.filter(
        closes_at__lte=now, outcome_applied_at__isnull=True
    ).select_related("network"):
        settled += poll_settle(poll, now=now)
    return settled


def poll_export(poll: Poll) -> dict:
    """The published file: anonymized ballots (recount with `consortia tally`), the options
    the count used, the receipts of the counted ballots, and the published result."""
    if poll.outcome_applied_at is None:
        raise ValidationError("The ballots are published when the poll closes.")
    result = poll.result or {}
    data = ballot_file(poll)
    return {
        "poll": poll.pk,
        "title": poll.title,
        "network": poll.network.slug,
        "method": poll.tally_method.replace("_", "-"),
        "options": result.get("options", {}),
        **data,
        "receipts": current_receipts(poll),
        "result": {
            k: result.get(k) for k in ("winners", "passed", "quorum_met", "turnout", "electorate")
        },
    }


ADMISSION_POLL_DAYS = 7


def admission_poll_open(membership: NetworkMembership, *, now: datetime | None = None) -> Poll:
    """Under a network's "vote" admission rule: a yes/no poll (majority) of the member
    organizations on a pending membership, opened by the system for ADMISSION_POLL_DAYS."""
    now = now or timezone.now()
    network = membership.network
    return poll_create(
        actor=None,
        network=network,
        kind=Kind.YES_NO,
        now=now,
        title=f"Admit {membership.organization} to {network}?",
        description=membership.message or "",
        closes_at=now + timedelta(days=ADMISSION_POLL_DAYS),
        action="admit",
        action_payload={"membership": membership.pk},
    )


REMINDER_BEFORE = timedelta(hours=24)


def remind_closing_polls(*, now: datetime | None = None) -> int:
    """For the worker: 24 hours before a poll closes, remind the team leaders (and delegates)
    of the organizations that have not voted yet, once per poll. Returns how many polls it
    reminded."""
    now = now or timezone.now()
    reminded = 0
    due = Poll.objects.filter(
        opens_at__lte=now,
        closes_at__gt=now,
        closes_at__lte=now + REMINDER_BEFORE,
        reminder_sent_at__isnull=True,
    ).select_related("network")
    for poll in due:
        with transaction.atomic():
            if not Poll.objects.filter(pk=poll.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                continue
            ensure_electorate(poll, now=now)
            voted = Ballot.objects.filter(poll=poll).values("organization_id")
            waiting = PollVoter.objects.filter(poll=poll).exclude(organization_id__in=voted)
            notify(
                recipients=_voters_of(waiting.values("organization_id")),
                kind="poll.closing_soon",
                title=f"“{poll.title}” closes within a day; your organization has not voted",
                body=f"Voting in {poll.network} closes on {poll.closes_at:%Y-%m-%d %H:%M} UTC.",
                url=poll_url(poll),
            )
            reminded += 1
    return reminded
