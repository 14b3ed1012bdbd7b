"""One mechanism keeps pages true: every HTMX action answered with a fragment tells the page
it changed something (HX-Trigger-After-Settle: consortia:changed); live.js then refreshes the
parts marked data-live."""

import json

from django.http import HttpResponse

from consortia.core import htmx


def test_changed_adds_the_event_and_keeps_others():
    response = HttpResponse()
    response["HX-Trigger-After-Settle"] = '{"other": {"x": 1}}'
    htmx.changed(response, "poll-closed")
    triggers = json.loads(response["HX-Trigger-After-Settle"])
    assert triggers == {"other": {"x": 1}, htmx.CHANGED: None, "poll-closed": None}


def test_changed_accepts_a_plain_list_of_events():
    response = HttpResponse()
    response["HX-Trigger-After-Settle"] = "a, b"
    htmx.changed(response)
    assert set(json.loads(response["HX-Trigger-After-Settle"])) == {"a", "b", htmx.CHANGED}


def test_an_htmx_action_tells_the_page_and_a_refusal_does_not(world, as_leader):
    from django.urls import reverse

    from consortia.networks.models import NetworkMembership

    pending = NetworkMembership.objects.get(network=world.network, organization=world.gamma)
    url = reverse("admission_decide", args=[world.network.slug, pending.pk])
    refused = as_leader.post(url, {f"a{pending.pk}-decision": "reject"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422  # a rejection needs a reason: nothing changed
    assert not refused.has_header("HX-Trigger-After-Settle")
    approved = as_leader.post(url, {f"a{pending.pk}-decision": "approve"}, HTTP_HX_REQUEST="true")
    assert approved.status_code == 200
    assert htmx.CHANGED in json.loads(approved["HX-Trigger-After-Settle"])
    # The members page marks what an approval changes as live parts.
    page = as_leader.get(reverse("network_members", args=[world.network.slug])).content.decode()
    assert 'id="member-organizations" data-live' in page
    assert 'id="admissions-header" data-live' in page
