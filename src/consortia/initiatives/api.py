"""REST operations for initiatives, leadership, joint plans, requests and commitments.

Like the pages: parse → permissions.py → services.py/selectors.py. Initiatives are visible to
the active members of their network; everyone else gets 404. Forbidden actions are 403 with a
sentence; input a rule refuses is 422 and nothing changes.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Path, Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from consortia.core.pagination import Pagination
from consortia.core.schemas import BODY_ERRORS, ERRORS, MAX_ID, SLUG_PATTERN
from consortia.networks.models import Organization, Person

from . import permissions, selectors, services
from .models import Commitment, JointPlan, Nomination, Participation, Request
from .schemas import (
    Answer,
    CommitmentAction,
    CommitmentOut,
    DateIn,
    ElectionIn,
    ExtensionIn,
    InitiativeFilter,
    InitiativeIn,
    InitiativeOut,
    InitiativePollOut,
    InviteIn,
    JoinIn,
    NominateIn,
    NominationOut,
    ParticipationOut,
    PlanIn,
    PlanOut,
    ReasonIn,
    RecallIn,
    RequestIn,
    RequestOut,
    TermOut,
    Transition,
)

router = Router(tags=["initiatives"])
Show = Query("all", description="all (the default), active, proposed or mine.")
Sent = Query(False, description="true: the requests your organization sent.")
NetworkSlug = Path(..., max_length=60, pattern=SLUG_PATTERN, description="The network's slug.")


def Id(description: str):
    return Path(..., ge=1, le=MAX_ID, description=description)


def _initiative(request, initiative_id):
    return permissions.get_initiative_for(request.auth, initiative_id)


def _visible(queryset, request, pk, what):
    found = queryset.filter(
        pk=pk, initiative__in=permissions.initiatives_visible_to(request.auth)
    ).first()
    if found is None:
        raise Http404(f"No such {what}")
    return found


def _organization(pk, field):
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise ValidationError({field: "No such organization."})
    return organization


# Initiatives ------------------------------------------------------------------------------


@router.get(
    "/networks/{slug}/initiatives",
    response={200: list[InitiativeOut], **ERRORS},
    summary="List a network's initiatives",
)
@paginate(Pagination)
def list_initiatives(request, slug: str = NetworkSlug, show: InitiativeFilter = Show):
    """Newest first; `show=active|proposed|mine` filters. Active members only."""
    network = permissions.get_network_for(request.auth, slug)
    return selectors.initiatives_for(
        person=request.auth, network=network, filter=InitiativeFilter(show).value
    ).select_related("network")


@router.post(
    "/networks/{slug}/initiatives",
    response={201: InitiativeOut, **BODY_ERRORS},
    summary="Propose an initiative",
)
def propose_initiative(request, payload: InitiativeIn, slug: str = NetworkSlug):
    """Your organization becomes its first participant."""
    network = permissions.get_network_for(request.auth, slug)
    initiative = services.initiative_propose(
        actor=request.auth, network=network, **payload.model_dump()
    )
    return Status(201, _initiative(request, initiative.pk))


@router.get(
    "/initiatives/{initiative_id}",
    response={200: InitiativeOut, **ERRORS},
    summary="Get an initiative",
)
def get_initiative(request, initiative_id: int = Id("The initiative's id.")):
    """Its objective, scope, boundaries, dates and status. Active members of its network only."""
    return _initiative(request, initiative_id)


@router.post(
    "/initiatives/{initiative_id}/transitions/{transition}",
    response={200: InitiativeOut, **ERRORS},
    summary="Start, complete or cancel an initiative",
)
def transition_initiative(
    request, transition: Transition, initiative_id: int = Id("The initiative's id.")
):
    """The current leader; before anyone leads it, a participating team leader may start or
    cancel a proposed initiative."""
    initiative = _initiative(request, initiative_id)
    action = {
        "start": services.initiative_start,
        "complete": services.initiative_complete,
        "cancel": services.initiative_cancel,
    }[transition.value]
    action(actor=request.auth, initiative=initiative)
    return _initiative(request, initiative_id)


@router.get(
    "/initiatives/{initiative_id}/leader",
    response={200: TermOut | None, **ERRORS},
    summary="Get the current leadership term",
)
def get_leader(request, initiative_id: int = Id("The initiative's id.")):
    """The term covering now, or null: authority is read from the clock."""
    return permissions.current_term(_initiative(request, initiative_id), timezone.now())


# Participants -----------------------------------------------------------------------------


@router.get(
    "/initiatives/{initiative_id}/participants",
    response={200: list[ParticipationOut], **ERRORS},
    summary="List participations",
)
@paginate(Pagination)
def list_participants(request, initiative_id: int = Id("The initiative's id.")):
    """Participants and organizations waiting for an answer, by name."""
    return selectors.participations(_initiative(request, initiative_id))


@router.post(
    "/initiatives/{initiative_id}/participants",
    response={201: ParticipationOut, **BODY_ERRORS},
    summary="Ask to join",
)
def join_initiative(request, payload: JoinIn, initiative_id: int = Id("The initiative's id.")):
    """A team leader asks for their organization to join; the participants' rule decides."""
    participation = services.participation_request(
        actor=request.auth, initiative=_initiative(request, initiative_id), message=payload.message
    )
    return Status(201, selectors.participations(participation.initiative).get(pk=participation.pk))


@router.post(
    "/initiatives/{initiative_id}/invitations",
    response={201: ParticipationOut, **BODY_ERRORS},
    summary="Invite an organization",
)
def invite_to_initiative(
    request, payload: InviteIn, initiative_id: int = Id("The initiative's id.")
):
    """It joins only if it accepts."""
    initiative = _initiative(request, initiative_id)
    participation = services.participation_invite(
        actor=request.auth,
        initiative=initiative,
        organization=_organization(payload.organization_id, "organization_id"),
    )
    return Status(201, selectors.participations(initiative).get(pk=participation.pk))


@router.post(
    "/participations/{participation_id}/{answer}",
    response={200: ParticipationOut, **ERRORS},
    summary="Accept or decline a participation",
)
def answer_participation(
    request, answer: Answer, participation_id: int = Id("The participation's id.")
):
    """A request to join is answered by the leader (or, with none, a participating team
    leader); an invitation by the invited organization's team leader."""
    participation = _visible(Participation.objects, request, participation_id, "participation")
    action = (
        services.participation_accept if answer == Answer.accept else services.participation_decline
    )
    action(actor=request.auth, participation=participation)
    return selectors.participations(participation.initiative_id).get(pk=participation.pk)


@router.post(
    "/initiatives/{initiative_id}/leave",
    response={200: ParticipationOut, **ERRORS},
    summary="Leave an initiative",
)
def leave_initiative(request, initiative_id: int = Id("The initiative's id.")):
    """A team leader takes the organization out of the initiative."""
    initiative = _initiative(request, initiative_id)
    participation = services.participation_leave(actor=request.auth, initiative=initiative)
    return selectors.participations(initiative).get(pk=participation.pk)


# Nominations ------------------------------------------------------------------------------


@router.get(
    "/initiatives/{initiative_id}/nominations",
    response={200: list[NominationOut], **ERRORS},
    summary="List nominations",
)
@paginate(Pagination)
def list_nominations(request, initiative_id: int = Id("The initiative's id.")):
    """People nominated to lead, with whether they accepted to stand."""
    return selectors.nominations(_initiative(request, initiative_id))


@router.post(
    "/initiatives/{initiative_id}/nominations",
    response={201: NominationOut, **BODY_ERRORS},
    summary="Nominate a leader",
)
def nominate(request, payload: NominateIn, initiative_id: int = Id("The initiative's id.")):
    """The nominee must accept to stand."""
    initiative = _initiative(request, initiative_id)
    person = Person.objects.filter(pk=payload.person_id, is_active=True).first()
    if person is None:
        raise ValidationError({"person_id": "No such person."})
    nomination = services.nominate(actor=request.auth, initiative=initiative, person=person)
    return Status(201, selectors.nominations(initiative).get(pk=nomination.pk))


@router.post(
    "/nominations/{nomination_id}/{answer}",
    response={200: NominationOut, **ERRORS},
    summary="Accept or decline my nomination",
)
def answer_nomination(request, answer: Answer, nomination_id: int = Id("The nomination's id.")):
    """Only the nominated person answers; a nominee stands only after accepting."""
    nomination = _visible(Nomination.objects, request, nomination_id, "nomination")
    action = services.nomination_accept if answer == Answer.accept else services.nomination_decline
    action(actor=request.auth, nomination=nomination)
    return selectors.nominations(nomination.initiative_id).get(pk=nomination.pk)


@router.get(
    "/initiatives/{initiative_id}/polls",
    response={200: list[InitiativePollOut], **ERRORS},
    summary="List election, recall and extension polls",
)
def list_initiative_polls(request, initiative_id: int = Id("The initiative's id.")):
    """The participants' polls about the leadership, newest first (the latest 50)."""
    initiative = _initiative(request, initiative_id)
    return services.initiative_polls(initiative).select_related("network")[:50]


def _poll_out(poll):
    return Status(201, poll)


@router.post(
    "/initiatives/{initiative_id}/elections",
    response={201: InitiativePollOut, **BODY_ERRORS},
    summary="Open a leader election",
)
def open_election(request, payload: ElectionIn, initiative_id: int = Id("The initiative's id.")):
    """A participating organization's team leader puts the leadership to the participants:
    ranked (Schulze) among the accepted nominees, or consensus on the only one. One election
    at a time; the winner leads for the initiative's period once the poll closes."""
    initiative = _initiative(request, initiative_id)
    return _poll_out(
        services.leader_election_open(
            actor=request.auth,
            initiative=initiative,
            method=payload.method.value,
            closes_at=payload.closes_at,
        )
    )


@router.post(
    "/initiatives/{initiative_id}/recalls",
    response={201: InitiativePollOut, **BODY_ERRORS},
    summary="Call a recall vote",
)
def open_recall(request, payload: RecallIn, initiative_id: int = Id("The initiative's id.")):
    """Yes or no among the participants; two thirds end the current term at the close."""
    initiative = _initiative(request, initiative_id)
    return _poll_out(
        services.leader_recall_open(
            actor=request.auth,
            initiative=initiative,
            closes_at=payload.closes_at,
            reason=payload.reason,
        )
    )


@router.post(
    "/initiatives/{initiative_id}/extensions",
    response={201: InitiativePollOut, **BODY_ERRORS},
    summary="Propose extending the initiative and the term",
)
def open_extension(request, payload: ExtensionIn, initiative_id: int = Id("The initiative's id.")):
    """A consensus poll of the participants; if it passes, the initiative's end and the
    current leader's term move to new_end."""
    initiative = _initiative(request, initiative_id)
    return _poll_out(
        services.term_extension_open(
            actor=request.auth,
            initiative=initiative,
            new_end=payload.new_end,
            closes_at=payload.closes_at,
        )
    )


# Joint plan -------------------------------------------------------------------------------


@router.get(
    "/initiatives/{initiative_id}/plans",
    response={200: list[PlanOut], **ERRORS},
    summary="List joint plan versions",
)
def list_plans(request, initiative_id: int = Id("The initiative's id.")):
    """The latest versions first, each with the organizations that accepted it."""
    return selectors.plans(_initiative(request, initiative_id), limit=50)


@router.post(
    "/initiatives/{initiative_id}/plans",
    response={201: PlanOut, **BODY_ERRORS},
    summary="Publish a new plan version",
)
def revise_plan(request, payload: PlanIn, initiative_id: int = Id("The initiative's id.")):
    """The current leader, or with none a participating team leader."""
    initiative = _initiative(request, initiative_id)
    data = payload.model_dump(mode="json")
    plan = services.plan_revise(
        actor=request.auth,
        initiative=initiative,
        goals=data["goals"],
        rules=data["rules"],
        boundaries=data["boundaries"],
        raci={"responsibilities": data["responsibilities"]},
    )
    return Status(
        201, JointPlan.objects.prefetch_related("acceptances__organization").get(pk=plan.pk)
    )


@router.post(
    "/plans/{plan_id}/accept", response={200: PlanOut, **ERRORS}, summary="Accept a plan version"
)
def accept_plan(request, plan_id: int = Id("The plan version's id.")):
    """A team leader of a participating organization accepts one version for it."""
    plan = _visible(
        JointPlan.objects.select_related("initiative__network"), request, plan_id, "plan"
    )
    services.plan_accept(actor=request.auth, plan=plan)
    return JointPlan.objects.prefetch_related("acceptances__organization").get(pk=plan.pk)


# Requests and commitments -----------------------------------------------------------------


@router.get(
    "/initiatives/{initiative_id}/requests",
    response={200: list[RequestOut], **ERRORS},
    summary="List an initiative's requests",
)
@paginate(Pagination)
def list_requests(request, initiative_id: int = Id("The initiative's id.")):
    """Requests sent within the initiative, newest first."""
    return selectors.requests_of_initiative(_initiative(request, initiative_id))


@router.post(
    "/initiatives/{initiative_id}/requests",
    response={201: RequestOut, **BODY_ERRORS},
    summary="Send a request",
)
def send_request(request, payload: RequestIn, initiative_id: int = Id("The initiative's id.")):
    """Any participant asks an organization (or one of its people) for a task or a role."""
    initiative = _initiative(request, initiative_id)
    to_person = None
    if payload.to_person_id is not None:
        to_person = Person.objects.filter(pk=payload.to_person_id, is_active=True).first()
        if to_person is None:
            raise ValidationError({"to_person_id": "No such person."})
    sent = services.request_send(
        actor=request.auth,
        initiative=initiative,
        to_organization=_organization(payload.to_organization_id, "to_organization_id"),
        to_person=to_person,
        kind=payload.kind.value,
        title=payload.title,
        description=payload.description,
        due_on=payload.due_on,
        on_behalf_of_initiative=payload.on_behalf_of_initiative,
    )
    return Status(201, selectors.requests_of_initiative(initiative).get(pk=sent.pk))


def _request_out(request_obj):
    return selectors._requests().get(pk=request_obj.pk)


@router.post(
    "/requests/{request_id}/accept",
    response={201: CommitmentOut, **ERRORS},
    summary="Accept a request",
)
def accept_request(request, request_id: int = Id("The request's id.")):
    """It becomes a commitment of your organization."""
    found = _visible(Request.objects, request, request_id, "request")
    return Status(201, services.request_accept(actor=request.auth, request=found))


@router.post(
    "/requests/{request_id}/decline",
    response={200: RequestOut, **BODY_ERRORS},
    summary="Decline a request",
)
def decline_request(request, payload: ReasonIn, request_id: int = Id("The request's id.")):
    """A reason is required; the sender sees it."""
    found = _visible(Request.objects, request, request_id, "request")
    return _request_out(
        services.request_decline(actor=request.auth, request=found, reason=payload.reason)
    )


@router.post(
    "/requests/{request_id}/counter",
    response={200: RequestOut, **BODY_ERRORS},
    summary="Propose another date",
)
def counter_request(request, payload: DateIn, request_id: int = Id("The request's id.")):
    """The receiver proposes another due date; the sender agrees or withdraws."""
    found = _visible(Request.objects, request, request_id, "request")
    return _request_out(
        services.request_counter(
            actor=request.auth, request=found, due_on=payload.due_on, reason=payload.reason
        )
    )


@router.post(
    "/requests/{request_id}/counter/accept",
    response={201: CommitmentOut, **ERRORS},
    summary="Agree to the proposed date",
)
def accept_counter(request, request_id: int = Id("The request's id.")):
    """The sender agrees to the proposed date: the request becomes a commitment."""
    found = _visible(Request.objects, request, request_id, "request")
    return Status(201, services.request_counter_accept(actor=request.auth, request=found))


@router.post(
    "/requests/{request_id}/withdraw",
    response={200: RequestOut, **ERRORS},
    summary="Withdraw a request",
)
def withdraw_request(request, request_id: int = Id("The request's id.")):
    """The sending organization withdraws an open request."""
    found = _visible(Request.objects, request, request_id, "request")
    return _request_out(services.request_withdraw(actor=request.auth, request=found))


@router.get(
    "/initiatives/{initiative_id}/commitments",
    response={200: list[CommitmentOut], **ERRORS},
    summary="List an initiative's commitments",
)
@paginate(Pagination)
def list_commitments(request, initiative_id: int = Id("The initiative's id.")):
    """Open ones first by due date; `overdue` and `timeliness` are computed when read."""
    return selectors.commitments_of_initiative(_initiative(request, initiative_id))


@router.post(
    "/commitments/{commitment_id}/renegotiate",
    response={201: CommitmentOut, **BODY_ERRORS},
    summary="Record a new agreed date",
)
def renegotiate_commitment(
    request, payload: DateIn, commitment_id: int = Id("The commitment's id.")
):
    """The old commitment is kept as renegotiated; the new one is returned."""
    found = _visible(Commitment.objects, request, commitment_id, "commitment")
    return Status(
        201,
        services.commitment_renegotiate(
            actor=request.auth, commitment=found, due_on=payload.due_on, reason=payload.reason
        ),
    )


@router.post(
    "/commitments/{commitment_id}/{action}",
    response={200: CommitmentOut, **BODY_ERRORS},
    summary="Deliver, miss or withdraw a commitment",
)
def update_commitment(
    request,
    payload: ReasonIn,
    action: CommitmentAction,
    commitment_id: int = Id("The commitment's id."),
):
    """`reason` is the delivery note, or why it was missed or withdrawn (required to withdraw)."""
    found = _visible(Commitment.objects, request, commitment_id, "commitment")
    if action == CommitmentAction.deliver:
        services.commitment_deliver(actor=request.auth, commitment=found, note=payload.reason)
    elif action == CommitmentAction.miss:
        services.commitment_miss(actor=request.auth, commitment=found, note=payload.reason)
    else:
        services.commitment_withdraw(actor=request.auth, commitment=found, reason=payload.reason)
    return Commitment.objects.get(pk=found.pk)


# Inboxes ----------------------------------------------------------------------------------


@router.get(
    "/me/requests",
    response={200: list[RequestOut], **ERRORS},
    summary="Requests to my organization",
)
@paginate(Pagination)
def my_requests(request, sent: bool = Sent):
    """Requests addressed to your organization (or, with `sent=true`, the ones it sent),
    newest first."""
    if sent:
        return selectors.requests_sent(request.auth)
    return selectors.requests_inbox(request.auth)


@router.get(
    "/me/commitments",
    response={200: list[CommitmentOut], **ERRORS},
    summary="My organization's commitments",
)
@paginate(Pagination)
def my_commitments(request):
    """Open ones first by due date; `overdue` and `timeliness` are computed when read."""
    return selectors.commitments_of(request.auth)
