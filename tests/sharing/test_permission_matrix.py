"""The permission matrix: audience, level, viewer relation and NDA state; one assertion a cell.

Each viewer relation is described by its facts; the expected answers are written out as a
table (not computed by the code under test, nor by the oracle).
"""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from consortia.initiatives.models import Initiative, Participation
from consortia.networks.models import (
    Agreement,
    AgreementAcceptance,
    Network,
    NetworkMembership,
    Organization,
    OrgMembership,
    Person,
)
from consortia.sharing.audience import readers_of, visible_items
from consortia.sharing.models import Item, ItemPartner, Nda
from consortia.sharing.permissions import get_item_for

# relation -> (membership state, named partner?, participation status)
RELATIONS = {
    "own_org": ("active", False, "active"),
    "partner_named": ("active", True, None),
    "partner_not_named": ("active", False, None),
    "initiative_participant": ("active", False, "active"),
    "non_participant": ("active", False, "invited"),
    # The following are named and participating: their membership alone must deny them.
    "left_member": ("left", True, "active"),
    "removed_in_notice": ("removed_notice", True, "active"),
    "removed_after_notice": ("removed_past", True, "active"),
    "applicant": ("applied", True, "active"),
    "outsider": (None, True, "active"),
}
NDA_STATES = (
    "none",
    "network_accepted",
    "network_old_version",
    "bilateral_accepted",
    "bilateral_reverse",
    "bilateral_proposed",
    "bilateral_withdrawn",
    "bilateral_declined",
)

# Who passes the audience (before the level is considered).
AUDIENCE_TABLE = {
    "organization": {"own_org"},
    "partners": {"own_org", "partner_named", "removed_in_notice"},
    "initiative": {"own_org", "initiative_participant", "removed_in_notice"},
    "network": {
        "own_org",
        "partner_named",
        "partner_not_named",
        "initiative_participant",
        "non_participant",
        "removed_in_notice",
    },
}
# NDA states that open confidential items to another organization.
NDA_GRANTS = {"network_accepted", "bilateral_accepted", "bilateral_reverse"}


def expected(audience, level, relation, nda) -> bool:
    if relation == "own_org":
        return True
    if relation not in AUDIENCE_TABLE[audience]:
        return False
    if level == "confidential":
        return nda in NDA_GRANTS
    return True


def _build(audience, level, relation, nda):
    now = timezone.now()
    network = Network.objects.create(name="Matrix", slug="matrix")
    owner = Organization.objects.create(name="Owner", slug="owner")
    author = Person.objects.create(email="author@m.test", name="Author")
    OrgMembership.objects.create(person=author, organization=owner, role="team_leader")
    NetworkMembership.objects.create(network=network, organization=owner, status="active")
    initiative = Initiative.objects.create(
        network=network,
        title="Joint",
        objective="x",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 1, 1),
    )
    Participation.objects.create(initiative=initiative, organization=owner, status="active")
    state, named, participation = RELATIONS[relation]
    if relation == "own_org":
        viewer_org = owner
    else:
        viewer_org = Organization.objects.create(name="Viewer", slug="viewer")
        if state is not None:
            status, ended = state, None
            if state == "removed_notice":
                status, ended = "removed", now + timedelta(days=5)
            elif state == "removed_past":
                status, ended = "removed", now - timedelta(days=1)
            NetworkMembership.objects.create(
                network=network, organization=viewer_org, status=status, ended_at=ended
            )
        if participation:
            Participation.objects.create(
                initiative=initiative, organization=viewer_org, status=participation
            )
    viewer = Person.objects.create(email="viewer@m.test", name="Viewer")
    OrgMembership.objects.create(person=viewer, organization=viewer_org)
    if nda.startswith("network"):
        v1 = Agreement.objects.create(network=network, kind="nda", version=1, title="N", text="t")
        AgreementAcceptance.objects.create(agreement=v1, organization=viewer_org)
        if nda == "network_old_version":
            Agreement.objects.create(network=network, kind="nda", version=2, title="N", text="t2")
    elif nda.startswith("bilateral") and viewer_org != owner:
        status = nda.split("_")[1]
        proposer, counterparty = (viewer_org, owner) if status == "reverse" else (owner, viewer_org)
        Nda.objects.create(
            network=network,
            proposer=proposer,
            counterparty=counterparty,
            title="NDA",
            text="t",
            status="accepted" if status == "reverse" else status,
        )
    item = Item.objects.create(
        network=network,
        kind="post",
        organization=owner,
        author=author,
        title="Crown jewels",
        audience=audience,
        level=level,
        initiative=initiative if audience == "initiative" else None,
        status="published",
    )
    if named and audience == "partners":
        ItemPartner.objects.create(item=item, organization=viewer_org)
    return item, viewer


@pytest.mark.parametrize("nda", NDA_STATES)
@pytest.mark.parametrize("relation", list(RELATIONS))
@pytest.mark.parametrize("level", ["open", "confidential"])
@pytest.mark.parametrize("audience", list(AUDIENCE_TABLE))
def test_cell(db, audience, level, relation, nda):
    item, viewer = _build(audience, level, relation, nda)
    want = expected(audience, level, relation, nda)
    assert visible_items(viewer).filter(pk=item.pk).exists() is want
    assert readers_of(item).filter(pk=viewer.pk).exists() is want
    if want:
        assert get_item_for(viewer, "matrix", item.pk) == item
    else:
        with pytest.raises(Http404):
            get_item_for(viewer, "matrix", item.pk)


@pytest.mark.parametrize("named", [True, False])
@pytest.mark.parametrize("relation", ["own_org", "partner_not_named", "removed_in_notice"])
def test_restricted_cell(db, relation, named):
    """Restricted: the own organization, plus the people named (within the audience)."""
    item, viewer = _build("network", "restricted", relation, "network_accepted")
    if named:
        item.readers.create(person=viewer)
    want = relation == "own_org" or named
    assert visible_items(viewer).filter(pk=item.pk).exists() is want
    assert readers_of(item).filter(pk=viewer.pk).exists() is want
