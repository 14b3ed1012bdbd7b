"""A rejected form comes back with what was typed and each error next to its field (issue 11)."""

import re
from datetime import date

import pytest
from django.urls import reverse

from consortia.initiatives.models import Initiative
from tests.conftest import fresh
from tests.sharing.conftest import share

pytestmark = pytest.mark.django_db


def field_errors(html: str) -> list[str]:
    return re.findall(r'<ul class="errorlist"[^>]*id="([^"]+)_error"', html)


def test_the_convert_form_keeps_what_was_typed_and_says_what_is_wrong(client, world):
    challenge = share(
        fresh(world.leader), world.network, kind="challenge", audience="network", level="open"
    )
    client.force_login(world.leader)
    url = reverse("sharing_challenge_convert", args=["northwind", challenge.pk])
    response = client.post(
        url, {"title": "Cold chain pilot", "objective": "Keep it cold", "starts_on": "soon"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'value="Cold chain pilot"' in body and "Keep it cold</textarea>" in body
    assert 'value="soon"' in body
    assert set(field_errors(body)) == {"id_starts_on", "id_ends_on"}
    assert not Initiative.objects.exists()


def test_the_convert_form_puts_a_refusal_of_the_service_next_to_its_field(client, world):
    challenge = share(
        fresh(world.leader), world.network, kind="challenge", audience="network", level="open"
    )
    client.force_login(world.leader)
    url = reverse("sharing_challenge_convert", args=["northwind", challenge.pk])
    response = client.post(
        url, {"title": "Backwards", "starts_on": "2031-05-01", "ends_on": "2031-01-01"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'value="Backwards"' in body and 'value="2031-05-01"' in body
    assert "alert--error" in body or field_errors(body)
    assert not Initiative.objects.exists()


def test_the_network_nda_form_keeps_what_was_typed(client, world):
    client.force_login(world.leader)
    url = reverse("sharing_network_nda_propose", args=["northwind"])
    response = client.post(url, {"title": "Our NDA", "text": "", "closes_at": "never"})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'value="Our NDA"' in body and 'value="never"' in body
    assert set(field_errors(body)) == {"network-nda-text", "network-nda-closes_at"}


def test_founding_reports_a_taken_address_with_the_other_errors(client, world):
    client.force_login(world.leader)
    response = client.post(
        reverse("network_create"),
        {
            "name": "Southwind",
            "slug": "northwind",
            "description": "Kept description",
            "visibility": "listed",
            "approvals_required": "0",
            "charter_text": "",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Kept description" in body and 'value="Southwind"' in body
    assert set(field_errors(body)) == {"id_slug", "id_approvals_required", "id_charter_text"}
    assert "taken by another network" in body


def test_sign_up_reports_every_error_in_one_pass(client, db):
    response = client.post(
        "/signup/", {"name": "", "email": "not-an-address", "password1": "short"}
    )
    body = response.content.decode()
    assert set(field_errors(body)) == {"id_name", "id_email", "id_password1"}
    assert 'value="not-an-address"' in body


def test_sign_up_refuses_a_password_made_of_the_name_with_the_other_errors(client, db):
    response = client.post(
        "/signup/",
        {"name": "Alexandra Quill", "email": "x@", "password1": "alexandra-2024"},
    )
    body = response.content.decode()
    assert set(field_errors(body)) == {"id_email", "id_password1"}
    assert 'value="Alexandra Quill"' in body


def test_the_request_form_names_each_person_with_the_organization_it_filters_on(client, world):
    from consortia.initiatives import services as initiatives

    initiative = initiatives.initiative_propose(
        actor=fresh(world.leader),
        network=world.network,
        title="Pilot",
        objective="Try",
        starts_on=date(2030, 1, 1),
        ends_on=date(2030, 6, 30),
    )
    client.force_login(world.leader)
    body = client.get(reverse("request_new", args=["northwind", initiative.pk])).content.decode()
    assert 'data-depends-on="to_organization"' in body
    assert f'data-depends-value="{world.acme.pk}"' in body and "Ada" in body
    assert "(Acme Labs)</option>" in body


def test_a_comment_has_a_length_limit_everywhere(client, world):
    from django.core.exceptions import ValidationError

    from consortia.sharing import services
    from consortia.sharing.models import COMMENT_MAX_LENGTH, Comment

    post = share(fresh(world.leader), world.network, audience="network")
    client.force_login(world.leader)
    url = reverse("sharing_comment_create", args=["northwind", post.pk])
    too_long = "word " * (COMMENT_MAX_LENGTH // 5) + "more"
    response = client.post(url, {"body": too_long})
    assert response.status_code == 422
    body = response.content.decode()
    assert field_errors(body) == ["id_body"] and f'maxlength="{COMMENT_MAX_LENGTH}"' in body
    with pytest.raises(ValidationError):
        services.comment_create(actor=fresh(world.leader), item=post, body=too_long)
    comment = Comment(item=post, body=too_long, body_html="")
    with pytest.raises(ValidationError):
        comment.full_clean(exclude=["author", "organization"])
    assert not Comment.objects.exists()
