"""DESIGN.md rule 3 on every network path: 404 for what the person may not know exists.

The paths are not listed by hand: every URL pattern under a network (`n/<slug>/…`, and the
pages of a network's requests and commitments) comes from the URL resolver, and every API
operation on a network's objects from the OpenAPI document, so a new endpoint is covered the
day it is added. Each is called, with real ids of a populated network, by:

- an outsider: the team leader of an organization that has nothing to do with the network;
- a signed-in person who belongs to no organization;
- an applicant: the team leader of an organization waiting for admission;
- a member of a non-participating organization, on what belongs to an initiative's
  participants (its reviews and its ledger).

Each gets 404 (the same answer as for a network or id that does not exist), except on the few
pages that show a listed network to whoever may ask to join it (`PUBLIC`), and on what an
active member may know of an initiative it does not take part in (`MEMBERS_KNOW`).
Anonymous visitors are sent to sign in (pages) or get 401 (API).
"""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from consortia.api import api
from consortia.networks.models import Network
from tests.conftest import fresh
from tests.scene import PDF, scene_fixture  # noqa: F401 - the `scene` fixture

# Pages and operations that show a *listed* network to any signed-in person, so they can read
# its charter and ask to join (an unlisted network is 404 there too). What they answer beyond
# that (403 to accept a charter, 422 to leave a network one is not in) names nothing inside.
PUBLIC_PAGES = {"network_detail", "network_charter", "network_apply", "network_leave"}
PUBLIC_API = {
    ("GET", "/api/v1/networks/{slug}"),
    ("GET", "/api/v1/networks/{slug}/charter"),
    ("POST", "/api/v1/networks/{slug}/charter/accept"),
    ("POST", "/api/v1/networks/{slug}/applications"),
    ("POST", "/api/v1/networks/{slug}/leave"),
}
# Initiatives are visible to every active member of the network (they may ask to join); what
# belongs to the participants alone — reviews and the initiative's ledger — is 404 to others.
# A member of a non-participating organization is checked on everything of an initiative.
INITIATIVE_SCOPED = re.compile(
    r"(initiatives/<int:pk>|initiatives/\(\?P<pk>|^/api/v1/initiatives/|^/api/v1/reviews/)"
)
PARTICIPANTS_ONLY = re.compile(r"(/reviews|/review-schedule|/ledger/)")


# Who calls, on a listed and on an unlisted network (a member of a non-participating
# organization is a member either way).
CASES = [(who, listed) for who in ("outsider", "nobody", "applicant") for listed in (True, False)]
CASES.append(("non_participant", True))
CASE_IDS = [f"{who}-{'listed' if listed else 'unlisted'}" for who, listed in CASES]


# The pages, from the URL resolver -----------------------------------------------------------

# What `<int:pk>` names, by the path segment in front of it.
PK_AFTER = {
    "admissions": "admission",
    "invitations": "invitation",
    "decisions": "poll",
    "polls": "poll",
    "initiatives": "initiative",
    "requests": "request",
    "commitments": "commitment",
    "items": "post",
    "challenges": "challenge",
    "posts": "post",
    "documents": "document",
    "ndas": "nda",
    "import": "import_job",
    "metrics": "metric",
    "values": "measurement",
    "entries": "ledger_entry",
    "populations": "population",
    "partners": "overlap_partnership",
    "health-checks": "health_check",
    "prospects": "prospect",
    "criteria": "criterion",
    "template": "template_item",
}
WORDS = {"answer": "accept", "fmt": "pdf", "number": 1}
# Words an address takes one of: each is called.
CHOICES = {("integrations_export", "kind"): ["members", "measurements", "ledger"]}
# Network objects reached without the network's slug in the address.
# (invitation_in_app: a network invitation answered from the dashboard, by its verified
# addressee only.)
TOP_LEVEL_PAGES = {"request_action", "commitment_action", "invitation_in_app"}
# An organization's private partnering agenda: nobody outside the organization may know any of
# its objects, whatever networks it shares with them.
AGENDA_PAGES = re.compile(r"^organization/agenda/.*<")


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern) and entry.name:
            yield route, entry


def network_pages() -> list[tuple[str, str]]:
    """(name, route) of every page under a network; the admin and the API are elsewhere."""
    pages = []
    for route, entry in _patterns():
        if route.startswith(("admin/", "api/")):
            continue
        if (
            route.startswith(("n/<slug:slug>/", "^n/(?P<slug>"))
            or entry.name in TOP_LEVEL_PAGES
            or AGENDA_PAGES.search(route)
        ):
            pages.append((entry.name, route))
    return pages


def _page_kwargs(name: str, route: str, scene) -> list[dict]:
    """The kwargs to reverse `name` with real objects (one set per choice of a regex)."""
    kwargs: dict = {}
    choices: list[dict] = [{}]
    for param in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route):
        key = param[0] or param[1]
        before = route.split(key)[0]
        segment = re.findall(r"([\w-]+)/(?:<[^>]*|\(\?P<)$", before)
        if key == "slug":
            kwargs[key] = scene["network"].slug
        elif key == "pk":
            kwargs[key] = scene[PK_AFTER[segment[0] if segment else ""]].pk
        elif key == "rid":
            kwargs[key] = scene["review"].pk
        elif key == "goal_pk":
            kwargs[key] = scene["goal"].pk
        elif key == "offer_id":
            kwargs[key] = scene["offer"].pk
        elif key == "criterion_pk":
            kwargs[key] = scene["criterion"].pk
        elif key == "check_pk":
            kwargs[key] = scene["dd_check"].pk
        elif key == "run_id":
            kwargs[key] = scene["overlap_run"].uuid
        elif key == "org_slug":
            kwargs[key] = scene["world"].acme.slug
        elif (name, key) in CHOICES:
            choices = [{key: value} for value in CHOICES[name, key]]
        elif key == "action" and name == "initiative_action":
            alternatives = re.search(r"\(\?P<action>([^)]*)\)", route).group(1)
            choices = [{"action": a.replace("\\", "")} for a in alternatives.split("|")]
        elif key == "action" and name == "overlap_partnership_action":
            kwargs[key] = "accept"
        elif key == "action":
            kwargs[key] = "deliver" if name == "commitment_action" else "accept"
        elif key in WORDS:
            kwargs[key] = WORDS[key]
        else:  # pragma: no cover - a new kind of address: teach this table about it
            raise AssertionError(f"{name}: no test value for <{key}>")
    return [{**kwargs, **choice} for choice in choices]


def page_urls(scene) -> list[tuple[str, str, str]]:
    urls = []
    for name, route in network_pages():
        for kwargs in _page_kwargs(name, route, scene):
            urls.append((name, route, reverse(name, kwargs=kwargs)))
    return urls


def call_page(client, url: str):
    """GET, or POST (empty form) where the page answers only POST."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    return response


# The API, from the OpenAPI document ---------------------------------------------------------

API_IDS = {
    "initiative_id": "initiative",
    "poll_id": "poll",
    "item_id": "post",
    "offer_id": "offer",
    "nda_id": "nda",
    "metric_id": "metric",
    "measurement_id": "measurement",
    "goal_id": "goal",
    "entry_id": "ledger_entry",
    "review_id": "review",
    "membership_id": "admission",
    "participation_id": "participation",
    "nomination_id": "nomination",
    "plan_id": "plan",
    "request_id": "request",
    "commitment_id": "commitment",
    "invitation_id": "invitation",
    "population_id": "population",
    "health_check_id": "health_check",
    "prospect_id": "prospect",
    "criterion_id": "criterion",
    "check_id": "dd_check",
    "template_item_id": "template_item",
}
API_WORDS = {
    "answer": "accept",
    "transition": "start",
    "number": 1,
    "format": "pdf",
    "kind": "blinded",
}


def network_operations() -> list[tuple[str, str, dict]]:
    """(method, path, operation) of every API operation on a network or one of its objects."""
    document = api.get_openapi_schema()
    operations = []
    for path, methods in document["paths"].items():
        params = set(re.findall(r"{(\w+)}", path))
        under_network = path.startswith("/api/v1/networks/{slug}")
        if not (under_network or params & set(API_IDS) or "org_slug" in params):
            continue
        for method, operation in methods.items():
            operations.append((method.upper(), path, operation))
    return operations


def _resolve(schema, document):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def example(schema, document, name=""):
    """A value valid under `schema` (so the request reaches the permission check)."""
    schema = _resolve(schema, document)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return example(options[0], document, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        required = schema.get("required", [])
        return {
            key: example(value, document, key)
            for key, value in schema.get("properties", {}).items()
            if key in required
        }
    if kind == "array":
        return [example(schema["items"], document, name)] if schema.get("minItems") else []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return (timezone.localdate() + timedelta(days=5)).isoformat()
    if schema.get("format") == "date-time":
        return (timezone.now() + timedelta(days=5)).isoformat()
    if schema.get("format") == "binary":
        return SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    return "x" * max(1, schema.get("minLength", 1))


def api_call(client, method: str, path: str, operation: dict, scene, document):
    url = path
    for key in re.findall(r"{(\w+)}", path):
        if key == "slug":
            value = scene["network"].slug
        elif key in API_IDS:
            value = scene[API_IDS[key]].pk
        elif key == "run_id":
            value = scene["overlap_run"].uuid
        elif key == "org_slug":
            value = scene["world"].acme.slug
        elif key == "action":
            value = "deliver" if "/commitments/" in path else "accept"
        elif key in API_WORDS:
            value = API_WORDS[key]
        else:  # pragma: no cover - a new kind of address: teach this table about it
            raise AssertionError(f"{method} {path}: no test value for {{{key}}}")
        url = url.replace("{" + key + "}", str(value))
    query = {
        p["name"]: example(p["schema"], document, p["name"])
        for p in operation.get("parameters", [])
        if p["in"] == "query" and p.get("required")
    }
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        body = example(content["multipart/form-data"]["schema"], document)
        return client.generic(method, url + _qs(query), **_multipart(client, body))
    if "application/json" in content:
        body = example(content["application/json"]["schema"], document)
        import json

        return client.generic(
            method, url + _qs(query), json.dumps(body), content_type="application/json"
        )
    return client.generic(method, url + _qs(query))


def _qs(query: dict) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(query) if query else ""


def _multipart(client, body: dict) -> dict:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return {"data": encode_multipart(BOUNDARY, body), "content_type": MULTIPART_CONTENT}


# The rule -----------------------------------------------------------------------------------


def persona(scene, name):
    world = scene["world"]
    return {
        "outsider": world.outsider,
        "nobody": scene["nobody"],
        "applicant": world.applicant,
        "non_participant": world.other_leader,
    }[name]


def signed_in(person) -> Client:
    client = Client()
    client.force_login(fresh(person))
    return client


def expected_404(who: str, listed: bool, *, public: bool, participants_only: bool) -> bool:
    if who == "non_participant":
        return participants_only
    return not (public and (listed or who == "applicant"))


@pytest.mark.parametrize("who,listed", CASES, ids=CASE_IDS)
def test_every_network_page_is_404_to_whoever_may_not_know_it(scene, who, listed):
    if not listed:
        Network.objects.filter(pk=scene["network"].pk).update(visibility="unlisted")
    client = signed_in(persona(scene, who))
    wrong = []
    for name, route, url in page_urls(scene):
        if who == "non_participant" and not INITIATIVE_SCOPED.search(route):
            continue  # a member's business; other tests decide what it may see there
        must = expected_404(
            who,
            listed,
            public=name in PUBLIC_PAGES,
            participants_only=bool(PARTICIPANTS_ONLY.search(url)),
        )
        status = call_page(client, url).status_code
        if must and status != 404:
            wrong.append(f"{status} {url} ({name})")
        elif not must and status == 404:
            wrong.append(f"404 {url} ({name}) should be visible")
    assert wrong == []


@pytest.mark.parametrize("who,listed", CASES, ids=CASE_IDS)
def test_every_network_operation_is_404_to_whoever_may_not_know_it(scene, who, listed):
    if not listed:
        Network.objects.filter(pk=scene["network"].pk).update(visibility="unlisted")
    document = api.get_openapi_schema()
    client = signed_in(persona(scene, who))
    wrong = []
    for method, path, operation in network_operations():
        participants_only = bool(PARTICIPANTS_ONLY.search(path))
        if who == "non_participant" and not INITIATIVE_SCOPED.search(path):
            continue
        must = expected_404(
            who, listed, public=(method, path) in PUBLIC_API, participants_only=participants_only
        )
        status = api_call(client, method, path, operation, scene, document).status_code
        if must and status != 404:
            wrong.append(f"{status} {method} {path}")
        elif not must and status == 404:
            wrong.append(f"404 {method} {path} should be visible")
    assert wrong == []


def test_anonymous_visitors_are_sent_to_sign_in_or_get_401(scene):
    client = Client()
    document = api.get_openapi_schema()
    wrong = [
        f"{response.status_code} {url}"
        for _name, _route, url in page_urls(scene)
        if (response := call_page(client, url)).status_code not in (302, 404)
        or (response.status_code == 302 and "/login/" not in response["Location"])
    ]
    wrong += [
        f"{status} {method} {path}"
        for method, path, operation in network_operations()
        if (status := api_call(client, method, path, operation, scene, document).status_code) != 401
    ]
    assert wrong == []


def test_the_table_covers_the_network_pages_and_operations(scene):
    """A guard against the enumeration quietly finding nothing."""
    names = {name for name, _route, _url in page_urls(scene)}
    assert {"network_members", "sharing_feed", "review_detail", "request_action"} <= names
    assert {"agenda_prospect", "agenda_prospect_score", "agenda_prospect_check"} <= names
    assert len(names) > 70
    paths = {path for _method, path, _op in network_operations()}
    assert "/api/v1/networks/{slug}/access-log" in paths
    assert "/api/v1/reviews/{review_id}" in paths
    assert len(paths) > 80
