"""REST operations for polls and ballots (C2), following the web views: parse →
permissions.py → services.py or selectors.py. Outsiders get 404; bad input is a 422 and
nothing changes."""

from django.db.models import Count, Prefetch
from django.utils import timezone
from ninja import Path, Router
from ninja.pagination import paginate
from ninja.responses import Status

from consortia.core.pagination import Pagination
from consortia.core.schemas import BODY_ERRORS, ERRORS, MAX_ID, SLUG_PATTERN
from consortia.decisions import permissions, selectors, services
from consortia.decisions.models import Ballot, Poll, PollOption
from consortia.decisions.schemas import BallotIn, BallotOut, PollCreateIn, PollOut, ResultOut
from consortia.networks import permissions as network_permissions

router = Router(tags=["decisions"])

NetworkSlug = Path(..., max_length=60, pattern=SLUG_PATTERN, description="The network's slug.")
PollId = Path(..., ge=1, le=MAX_ID, description="The poll's id.")


def _polls(network):
    return (
        Poll.objects.filter(network=network)
        .annotate(
            voters_count=Count("voters", distinct=True),
            ballots_count=Count("ballots", distinct=True),
        )
        .prefetch_related(
            Prefetch("options", queryset=PollOption.objects.order_by("position", "id"))
        )
    )


@router.get("/networks/{slug}/polls", response={200: list[PollOut], **ERRORS}, summary="List polls")
@paginate(Pagination)
def list_polls(request, slug: str = NetworkSlug):
    """The network's polls, latest opening first (active members only). Polls whose closing
    time has passed are settled on the way."""
    network = network_permissions.get_network_for(request.auth, slug, need="member")
    selectors.settle_network(network)
    return _polls(network).order_by("-opens_at", "-id")


@router.post(
    "/networks/{slug}/polls", response={201: PollOut, **BODY_ERRORS}, summary="Open a poll"
)
def create_poll(request, payload: PollCreateIn, slug: str = NetworkSlug):
    """Put a question to the network (team leaders of acting member organizations). The
    electorate — one vote per active member organization — is fixed when the poll opens."""
    network = network_permissions.get_network_for(request.auth, slug, need="member")
    data = payload.model_dump()
    action = data.pop("action").value if hasattr(data["action"], "value") else data.pop("action")
    membership_id, reason, notice_days, text, rule, approvals = (
        data.pop("membership_id"),
        data.pop("reason"),
        data.pop("notice_days"),
        data.pop("charter_text"),
        data.pop("admission_rule"),
        data.pop("approvals_required"),
    )
    payload_data = {}
    if action == "remove":
        payload_data = {"membership": membership_id, "reason": reason, "notice_days": notice_days}
    elif action == "amend_charter":
        payload_data = {"text": text}
    elif action == "admission_rule":
        payload_data = {"rule": str(rule) if rule else ""}
        if approvals is not None:
            payload_data["approvals_required"] = approvals
    data["kind"] = str(data["kind"].value if hasattr(data["kind"], "value") else data["kind"])
    data["method"] = str(data["method"].value) if data.get("method") else ""
    poll = services.poll_create(
        actor=request.auth, network=network, action=action, action_payload=payload_data, **data
    )
    return Status(201, _polls(network).get(pk=poll.pk))


@router.get(
    "/networks/{slug}/polls/{poll_id}", response={200: PollOut, **ERRORS}, summary="Get a poll"
)
def get_poll(request, slug: str = NetworkSlug, poll_id: int = PollId):
    """A poll's question, settings, options, state (from the clock) and turnout. A poll read
    after its closing time is settled on the way: its result stored and its action applied."""
    network, poll = permissions.get_poll_for(request.auth, slug, poll_id)
    return _polls(network).get(pk=poll.pk)


@router.post(
    "/networks/{slug}/polls/{poll_id}/ballot",
    response={201: BallotOut, **BODY_ERRORS},
    summary="Cast or change my organization's ballot",
)
def cast_ballot(request, payload: BallotIn, slug: str = NetworkSlug, poll_id: int = PollId):
    """Cast your organization's ballot, or change it until the poll closes (team leaders of the
    organizations in the electorate, or the delegates they named). Every version is kept in the
    poll's hash-chained log; the receipt is the hash of your record."""
    _network, poll = permissions.get_poll_for(request.auth, slug, poll_id)
    fields = {k: v for k, v in payload.model_dump().items() if v is not None}
    choice = fields if fields else {}
    ballot, receipt = services.ballot_cast(actor=request.auth, poll=poll, choice=choice)
    return Status(201, {"poll": poll.pk, "receipt": receipt, "changes": ballot.changes})


@router.get(
    "/networks/{slug}/polls/{poll_id}/results",
    response={200: ResultOut, **ERRORS},
    summary="Get a poll's results",
)
def get_results(request, slug: str = NetworkSlug, poll_id: int = PollId):
    """Live results while the poll is open (unless hidden until the close), the stored outcome
    once it is closed."""
    _network, poll = permissions.get_poll_for(request.auth, slug, poll_id)
    now = timezone.now()
    visible = permissions.results_visible(poll, now=now)
    result = None
    if visible:
        result = (
            poll.result
            if poll.result is not None
            else (
                services.compute_result(poll) if Ballot.objects.filter(poll=poll).exists() else None
            )
        )
    return {"poll": poll.pk, "state": poll.state_at(now), "visible": visible, "result": result}


@router.get(
    "/networks/{slug}/polls/{poll_id}/export",
    response={200: dict, **ERRORS},
    summary="Export a closed poll's ballots",
)
def export_poll(request, slug: str = NetworkSlug, poll_id: int = PollId):
    """The anonymized ballot file (the format `consortia tally` reads), the options the count
    used, the receipts of the counted ballots and the published result. Available to the
    network's members once the poll has closed (422 before)."""
    _network, poll = permissions.get_poll_for(request.auth, slug, poll_id)
    return services.poll_export(poll)
