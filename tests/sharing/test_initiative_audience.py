"""Only organizations taking part in an initiative may address its participants (finding 3).

Acme proposed "Shared sensors" and is its only participant; Beta is an active member of the
network that does not take part. Beta may not share an item with the initiative's participants,
nor move one of its items to that audience — in the services, the web forms and the API.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consortia.sharing import services
from consortia.sharing.models import Item
from tests.api.conftest import api_as, field_errors
from tests.conftest import login
from tests.initiatives.conftest import propose

from .conftest import share


@pytest.fixture
def initiative(world):
    return propose(world)  # Acme only


def test_it_refuses_an_item_for_an_initiative_the_organization_is_not_in(world, initiative):
    with pytest.raises(ValidationError) as error:
        share(world.other_leader, world.network, audience="initiative", initiative=initiative.pk)
    assert "takes part" in str(error.value.message_dict["initiative"])
    assert not Item.objects.exists()


def test_it_lets_a_participant_address_its_initiative(world, initiative):
    item = share(world.member, world.network, audience="initiative", initiative=initiative.pk)
    assert item.initiative == initiative


def test_it_refuses_moving_an_item_to_an_initiative_the_organization_is_not_in(world, initiative):
    item = share(world.other_leader, world.network, audience="organization")
    with pytest.raises(ValidationError):
        services.item_update_audience(
            actor=world.other_leader,
            item=item,
            audience="initiative",
            level="open",
            initiative=initiative.pk,
        )
    item.refresh_from_db()
    assert item.audience == "organization" and item.initiative_id is None


def test_the_api_answers_422_and_creates_nothing(world, initiative):
    client = api_as(world.other_leader)
    response = client.post(
        f"/networks/{world.network.slug}/items",
        {"kind": "post", "title": "Hello", "audience": "initiative", "initiative": initiative.pk},
    )
    assert "initiative" in field_errors(response)
    assert not Item.objects.exists()


def test_the_api_refuses_changing_the_audience_to_it(world, initiative):
    item = share(world.other_leader, world.network, audience="organization")
    response = api_as(world.other_leader)._send(
        "put",
        f"/networks/{world.network.slug}/items/{item.pk}/audience",
        {"audience": "initiative", "level": "open", "initiative": initiative.pk},
    )
    assert "initiative" in field_errors(response)
    item.refresh_from_db()
    assert item.audience == "organization"


def initiative_choices(html: str) -> list[str]:
    select = re.search(r'<select name="initiative".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\d+)"', select)


def test_the_web_form_offers_only_the_initiatives_the_organization_is_in(world, initiative):
    client = login(world.other_leader)
    url = reverse("sharing_post_create", args=[world.network.slug])
    assert initiative_choices(client.get(url).content.decode()) == []
    response = client.post(
        url,
        {
            "title": "Hello",
            "body": "",
            "audience": "initiative",
            "initiative": initiative.pk,
            "level": "open",
        },
    )
    assert response.status_code == 422
    assert not Item.objects.exists()
    participant = login(world.leader).get(url).content.decode()
    assert initiative_choices(participant) == [str(initiative.pk)]


def test_the_web_audience_form_refuses_it(world, initiative):
    item = share(world.other_leader, world.network, audience="organization")
    response = login(world.other_leader).post(
        reverse("sharing_item_audience", args=[world.network.slug, item.pk]),
        {"audience": "initiative", "initiative": initiative.pk, "level": "open"},
    )
    assert response.status_code == 422
    item.refresh_from_db()
    assert item.audience == "organization"


def test_the_live_preview_says_why(world, initiative):
    response = login(world.other_leader).post(
        reverse("sharing_audience_preview", args=[world.network.slug]),
        {"audience": "initiative", "initiative": initiative.pk, "level": "open"},
    )
    text = response.content.decode()
    assert "Not yet valid" in text and initiative.title not in text
