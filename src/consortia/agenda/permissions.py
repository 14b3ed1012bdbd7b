"""Who may read and write an organization's partnering agenda: its own people, nobody else.

Everything here belongs to one organization. Its people read it all; its team leaders write the
agenda, the criteria and the due-diligence template; a prospect is worked on by the team leaders
and by the person who owns it. Anything of another organization — an agenda, a prospect, a
criterion, a checklist item — does not exist for you (404), whatever networks you share: not
for its partners, not for the prospect itself, not for people without an organization.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from consortia.networks.permissions import org_id_of, require_person_may, require_team_leader

from .models import Criterion, DiligenceCheck, DiligenceTemplateItem, Prospect

LEADERS_WRITE = "Only a team leader of your organization writes its partnering agenda."
PROSPECT_WRITERS = "Only a team leader or the prospect's owner works on this prospect."
OVERRIDE_LEADERS = "Only a team leader can move on while required due diligence is open."


def own_organization(person):
    """The organization whose agenda the person reads, or 404 (nobody's agenda is theirs)."""
    organization = person.organization if getattr(person, "is_authenticated", False) else None
    if organization is None:
        raise Http404("No such agenda")
    return organization


def require_agenda_writer(person):
    own_organization(person)
    return require_team_leader(person, LEADERS_WRITE)


def may_write_agenda(person) -> bool:
    return bool(getattr(person, "is_team_leader", False))


def may_work_on(person, prospect: Prospect) -> bool:
    return person.is_team_leader or prospect.owner_id == person.pk


def require_prospect_writer(person, prospect: Prospect) -> None:
    if not may_work_on(person, prospect):
        raise PermissionDenied(PROSPECT_WRITERS)
    require_person_may(person)


def get_prospect_for(person, pk: int, *, write: bool = False) -> Prospect:
    org_id = org_id_of(person)
    prospect = (
        Prospect.objects.select_related("owner", "partner", "organization")
        .filter(pk=pk, organization_id=org_id)
        .first()
        if org_id is not None
        else None
    )
    if prospect is None:
        raise Http404("No such prospect")
    if write:
        require_prospect_writer(person, prospect)
    return prospect


def get_criterion_for(person, pk: int, *, write: bool = False) -> Criterion:
    org_id = org_id_of(person)
    criterion = (
        Criterion.objects.filter(pk=pk, organization_id=org_id).first()
        if org_id is not None
        else None
    )
    if criterion is None:
        raise Http404("No such criterion")
    if write:
        require_agenda_writer(person)
    return criterion


def get_check_for(person, prospect: Prospect, pk: int) -> DiligenceCheck:
    check = DiligenceCheck.objects.filter(pk=pk, prospect=prospect).first()
    if check is None:
        raise Http404("No such due-diligence item")
    return check


def get_template_item_for(person, pk: int, *, write: bool = False) -> DiligenceTemplateItem:
    org_id = org_id_of(person)
    item = (
        DiligenceTemplateItem.objects.filter(pk=pk, organization_id=org_id).first()
        if org_id is not None
        else None
    )
    if item is None:
        raise Http404("No such template item")
    if write:
        require_agenda_writer(person)
    return item
