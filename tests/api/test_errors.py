"""One error format, whatever raised the error, and never a 500."""

import pytest

from consortia.networks.models import Organization


def test_schema_and_service_errors_share_one_shape(api):
    by_schema = api.leader.patch("/organizations/acme-labs", {"name": ""})
    by_service = api.leader.patch("/organizations/acme-labs", {"name": "Beta Works"})
    assert by_schema.status_code == by_service.status_code == 422
    (schema_error,) = by_schema.json()["detail"]
    (service_error,) = by_service.json()["detail"]
    assert schema_error["loc"] == service_error["loc"] == ["body", "payload", "name"]
    assert service_error == {
        "loc": ["body", "payload", "name"],
        "msg": "An organization with this name already exists.",
        "type": "value_error",
    }
    assert {"msg", "type"} <= set(schema_error)


def test_errors_about_the_whole_request_have_an_empty_loc(api):
    response = api.leader.post("/networks/northwind/applications", {})
    assert response.json() == {
        "detail": [
            {
                "loc": [],
                "msg": "Acme Labs is already a member of Northwind Alliance.",
                "type": "value_error",
            }
        ]
    }


def test_forbidden_and_missing_have_a_sentence(api):
    forbidden = api.member.post("/networks", {"name": "N", "charter_text": "C"})
    assert forbidden.status_code == 403
    assert forbidden.json() == {
        "detail": "Only a team leader can found a network on behalf of the organization."
    }
    missing = api.leader.get("/networks/atlantis")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No such network"}


@pytest.mark.parametrize(
    "value",
    ["nul\x00byte", "\x00", "x" * 151],
)
def test_text_that_cannot_be_stored_is_a_422(api, world, value):
    response = api.leader.patch("/organizations/acme-labs", {"name": value})
    assert response.status_code == 422
    assert Organization.objects.filter(name="Acme Labs").exists()


def test_a_lone_surrogate_is_a_422(api):
    response = api.leader.patch("/organizations/acme-labs", '{"description": "\\ud800"}')
    assert response.status_code == 422


@pytest.mark.parametrize("body", ["{", "not json", "\x00", '{"name": "a"'])
def test_a_body_that_does_not_parse_is_a_400(api, body):
    response = api.leader.post("/tokens", body)
    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}


@pytest.mark.parametrize("body", ["[]", "null", '"text"', "42", "[null]"])
def test_a_body_that_is_not_an_object_is_a_422(api, body):
    assert api.leader.patch("/organizations/acme-labs", body).status_code == 422


def test_slugs_and_ids_out_of_range_are_422_not_500(api):
    assert api.leader.get("/networks/" + "a" * 61).status_code == 422
    assert api.leader.get("/networks/%00").status_code == 422
    assert api.leader.delete(f"/invitations/{2**63}").status_code == 422
    assert api.leader.get("/networks", offset=10**20).status_code == 422


LISTS = [
    "/tokens",
    "/organizations",
    "/organizations/acme-labs/people",
    "/networks",
    "/networks/northwind/members",
    "/networks/northwind/pending",
    "/networks/northwind/activity",
    "/invitations",
]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_pages_within_bounds(api, path):
    assert api.leader.get(path, limit=1).json()["count"] >= 0
    for bad in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"limit": "ten"}):
        response = api.leader.get(path, **bad)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][0] == "query"


def test_a_body_too_large_is_a_413_in_the_same_shape(api, settings):
    # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE; the API said so with an HTML page.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.leader.post("/networks", {"name": "Big", "charter_text": "x" * 2000})
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than this server accepts (1,000 bytes)."
    }
