"""Names and titles refuse characters that make them look like something else
(core.validators), in every service that writes one people will see."""

# Names in other scripts are the point of some tests: their letters only look like Latin ones.
# ruff: noqa: RUF001

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consortia.agenda import services as agenda
from consortia.agenda.models import Criterion, Prospect
from consortia.core import services as core_services
from consortia.core.models import ApiToken
from consortia.core.validators import validate_name, without_hidden
from consortia.decisions import services as decisions
from consortia.decisions.models import Poll
from consortia.initiatives import services as initiatives
from consortia.initiatives.models import Initiative
from consortia.metrics import services as metrics
from consortia.metrics.models import Metric
from consortia.networks import services
from consortia.networks.models import Invitation, Network, Organization, Person
from consortia.sharing import services as sharing
from consortia.sharing.models import Item
from tests.conftest import PASSWORD, make_person

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Acme" + RLO + "latipaC" reads "AcmeCapital"


@pytest.mark.parametrize(
    ("character", "named"),
    [
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u202d", "U+202D LEFT-TO-RIGHT OVERRIDE"),
        ("\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING"),
        ("\u200e", "U+200E LEFT-TO-RIGHT MARK"),
        ("\u200f", "U+200F RIGHT-TO-LEFT MARK"),
        ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("\u2067", "U+2067 RIGHT-TO-LEFT ISOLATE"),
        ("\u2068", "U+2068 FIRST STRONG ISOLATE"),
        ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
        ("\u061c", "U+061C ARABIC LETTER MARK"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\u00ad", "U+00AD SOFT HYPHEN"),
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A"),
        ("\u2028", "U+2028 LINE SEPARATOR"),
        ("\t", "U+0009 (a control character)"),
        ("\n", "U+000A (a control character)"),
        ("\x1b", "U+001B (a control character)"),
        ("\x85", "U+0085 (a control character)"),
    ],
)
def test_it_refuses_a_name_with_a_control_or_direction_character_and_names_it(character, named):
    with pytest.raises(ValidationError) as refused:
        validate_name(f"Acme{character}Labs")
    assert refused.value.messages == [
        f"Remove the invisible character {named}: names cannot contain control or "
        "text-direction characters, which can make a name look like another."
    ]
    assert refused.value.code == "hidden_character"


@pytest.mark.parametrize(
    "name",
    [
        "Acme Labs",
        "Société Générale d’Études",
        "Łódź Robotics GmbH & Co. KG",
        "株式会社トヨタ",
        "شركة الخليج",  # right-to-left letters are letters, not overrides
        "חברת הנמל",
        "می\u200cخواهم",  # ZERO WIDTH NON-JOINER, part of Persian spelling
        "क्\u200dष Labs",  # ZERO WIDTH JOINER, part of Devanagari shaping
        "Team 👩\u200d💻",  # ... and of emoji sequences
        "O'Brien-Smith (Europe)",
        "",
    ],
)
def test_it_accepts_names_in_any_script(name):
    assert validate_name(name) == name


def test_it_puts_the_error_on_the_field_a_service_names():
    with pytest.raises(ValidationError) as refused:
        validate_name(f"Acme{RLO}Labs", "title")
    assert list(refused.value.message_dict) == ["title"]
    assert "U+202E" in refused.value.message_dict["title"][0]


def test_it_drops_hidden_characters_from_a_name_nobody_typed_here():
    assert without_hidden(f"\u2066Ada{RLO} Love\u200blace\u2069") == "Ada Lovelace"
    assert without_hidden("می\u200cخواهم") == "می\u200cخواهم"


# Every service that writes a name or title refuses one, and changes nothing ----------------

BAD = f"Acme{RLO}latipaC"
SCALE = ["none", "some", "fair", "good", "best"]


def _today():
    return timezone.localdate()


WRITES = {
    "person": (
        "name",
        lambda w: services.person_sign_up(email="new@x.test", name=BAD, password=PASSWORD),
        Person,
    ),
    "organization": (
        "name",
        lambda w: services.organization_create(
            actor=make_person("new@x.test", "New Person"), name=BAD
        ),
        Organization,
    ),
    "organization founder's department": (
        "department",
        lambda w: services.organization_create(
            actor=make_person("new@x.test", "New Person"), name="Zeta Works", department=BAD
        ),
        Organization,
    ),
    "colleague invitation's department": (
        "department",
        lambda w: services.colleague_invite(actor=w.leader, email="new@x.test", department=BAD),
        Invitation,
    ),
    "organization rename": (
        "name",
        lambda w: services.organization_update(
            actor=w.leader, organization=w.acme, name=BAD, kind="company"
        ),
        Organization,
    ),
    "network": (
        "name",
        lambda w: services.network_found(actor=w.outsider, name=BAD, charter_text="Be kind."),
        Network,
    ),
    "charter title": (
        "charter_title",
        lambda w: services.network_found(
            actor=w.outsider, name="Delta Forum", charter_title=BAD, charter_text="Be kind."
        ),
        Network,
    ),
    "initiative": (
        "title",
        lambda w: initiatives.initiative_propose(
            actor=w.leader,
            network=w.network,
            title=BAD,
            objective="Share the load.",
            starts_on=_today(),
            ends_on=_today() + timedelta(days=90),
        ),
        Initiative,
    ),
    "document": (
        "title",
        lambda w: sharing.item_create(
            actor=w.leader, network=w.network, kind="post", title=BAD, body="Hello"
        ),
        Item,
    ),
    "criterion": (
        "name",
        lambda w: agenda.criterion_create(actor=w.leader, name=BAD, weight=1, scale=SCALE),
        Criterion,
    ),
    "prospect": (
        "name",
        lambda w: agenda.prospect_add(actor=w.leader, name=BAD, website="https://x.example"),
        Prospect,
    ),
    "poll": (
        "title",
        lambda w: decisions.poll_create(
            actor=w.leader,
            network=w.network,
            title=BAD,
            kind="yes_no",
            closes_at=timezone.now() + timedelta(days=7),
        ),
        Poll,
    ),
    "metric": (
        "name",
        lambda w: metrics.metric_create(actor=w.leader, network=w.network, name=BAD, unit="EUR"),
        Metric,
    ),
    "api token": (
        "name",
        lambda w: core_services.api_token_create(actor=w.leader, name=BAD),
        ApiToken,
    ),
}


@pytest.mark.parametrize("what", WRITES)
def test_every_service_refuses_a_disguised_name_and_changes_nothing(world, what):
    field, write, model = WRITES[what]
    before = sorted(str(row) for row in model.objects.all())
    with pytest.raises(ValidationError) as refused:
        write(world)
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in refused.value.message_dict[field][0]
    assert sorted(str(row) for row in model.objects.all()) == before


def test_a_colleague_cannot_be_moved_into_a_disguised_department(world):
    # A department is shown beside a person's name ("Team leader · Operations") to partners.
    membership = world.member.membership
    with pytest.raises(ValidationError) as refused:
        services.org_member_update(
            actor=world.leader, membership=membership, role="team_leader", department=BAD
        )
    assert "U+202E" in refused.value.message_dict["department"][0]
    membership.refresh_from_db()
    assert membership.department != BAD and membership.role == "member"


def test_a_tag_is_refused_like_a_name(world):
    with pytest.raises(ValidationError) as refused:
        sharing.item_create(
            actor=world.leader, network=world.network, kind="post", title="Plan", body="Hi",
            tags=f"logistics, {BAD}",
        )  # fmt: skip
    assert "U+202E" in refused.value.message_dict["tags"][0]
    assert not Item.objects.filter(title="Plan").exists()


def test_a_document_title_cannot_be_edited_into_a_disguised_one(world):
    item = sharing.item_create(
        actor=world.leader, network=world.network, kind="post", title="Plan", body="Hello"
    )
    with pytest.raises(ValidationError):
        sharing.item_update(actor=world.leader, item=item, title=BAD)
    item.refresh_from_db()
    assert item.title == "Plan"


def test_a_request_title_refuses_one_too(world):
    initiative = initiatives.initiative_propose(
        actor=world.leader,
        network=world.network,
        title="Shared lab",
        objective="Share the load.",
        starts_on=_today(),
        ends_on=_today() + timedelta(days=90),
    )
    with pytest.raises(ValidationError) as refused:
        initiatives.request_send(
            actor=world.leader,
            initiative=initiative,
            to_organization=world.acme,
            title=BAD,
            due_on=date.today() + timedelta(days=7),
        )
    assert "U+202E" in refused.value.message_dict["title"][0]


@pytest.mark.parametrize("action", ["amend_charter", "adopt_nda"])
def test_an_agreement_title_put_to_a_vote_refuses_one_too(world, action):
    with pytest.raises(ValidationError) as refused:
        decisions.poll_create(
            actor=world.leader,
            network=world.network,
            title="Adopt it?",
            kind="yes_no",
            closes_at=timezone.now() + timedelta(days=7),
            action=action,
            action_payload={"title": BAD, "text": "We keep secrets."},
        )
    assert "U+202E" in refused.value.message_dict["action_payload"][0]
    assert not Poll.objects.filter(title="Adopt it?").exists()
