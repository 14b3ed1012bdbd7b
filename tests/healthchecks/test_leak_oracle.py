"""The leak oracle covers health checks: on random health checks among three partners, with
random sides answering and random deadlines passed, no path shows a person anything the oracle
says they may not see.

The oracle: a side's comments (each a unique token) reach a person only if the person's
organization *is* that side, or takes part in the health check and it is unsealed (every side
answered, or the deadline passed). A health check's title reaches only the people of the
organizations taking part. Paths: the list and detail pages, the API (list, detail, waiting,
notifications), the network's overview, activity and feed, the dashboard and the notifications.
HEALTHCHECK_LEAK_EXAMPLES runs a longer search (default 8).
"""

import itertools
import os
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck as Health
from hypothesis import given, settings
from hypothesis import strategies as st

from consortia.healthchecks import services
from consortia.healthchecks.models import HealthCheck
from tests.conftest import fresh
from tests.healthchecks.conftest import scores
from tests.sharing.strategies import rollback

EXAMPLES = int(os.environ.get("HEALTHCHECK_LEAK_EXAMPLES", 8))
PAIRS = list(itertools.combinations(range(3), 2))

check_specs = st.lists(
    st.tuples(
        st.sampled_from(PAIRS),
        st.tuples(st.booleans(), st.booleans()),  # which side answers
        st.booleans(),  # the deadline passed
        st.integers(1, 5),
    ),
    max_size=3,
    unique_by=lambda spec: spec[0],
)


def _has(name) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def _texts(client, network, check_ids) -> str:
    """Everything the person can read through every path."""
    parts = []
    urls = [
        reverse("healthcheck_list", args=[network.slug]),
        reverse("network_activity", args=[network.slug]),
        reverse("network_detail", args=[network.slug]),
        reverse("sharing_feed", args=[network.slug]),
        reverse("dashboard") if _has("dashboard") else "/",
        reverse("notifications"),
        f"/api/v1/networks/{network.slug}/health-checks",
        "/api/v1/health-checks/waiting",
        "/api/v1/notifications",
    ]
    for pk in check_ids:
        urls += [
            reverse("healthcheck_detail", args=[network.slug, pk]),
            f"/api/v1/health-checks/{pk}",
        ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        if response.status_code == 200:
            parts.append(response.content.decode())
    return "\n".join(parts)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[Health.function_scoped_fixture, Health.too_slow],
)
@given(specs=check_specs)
def test_no_path_shows_sealed_answers_or_others_checks(world, third, specs):
    orgs = [world.acme, world.beta, third.organization]
    leaders = [world.leader, world.other_leader, third]
    viewers = {
        "ada": (world.leader, 0),
        "max": (world.member, 0),
        "bo": (world.other_leader, 1),
        "cy": (world.other_member, 1),
        "eve": (third, 2),
        "dee": (world.outsider, None),
        "gil": (world.applicant, None),
    }
    with rollback():
        built = []
        for c, ((i, j), answers, expired, value) in enumerate(specs):
            check = services.health_check_open(
                actor=fresh(leaders[i]),
                network=world.network,
                partner=orgs[j],
                deadline=timezone.now() + timedelta(days=3),
                title=f"HCTITLE{c}X",
            )
            for side, did in zip((i, j), answers, strict=True):
                if did:
                    services.answer_submit(
                        actor=fresh(leaders[side]),
                        health_check=check,
                        scores=scores(value),
                        comments={"strategic_fit": f"TOKEN{c}ORG{side}X"},
                    )
            if expired:
                HealthCheck.objects.filter(pk=check.pk).update(
                    deadline=timezone.now() - timedelta(seconds=1)
                )
            unsealed = all(answers) or expired
            built.append((check.pk, (i, j), answers, unsealed))
        ids = [pk for pk, *_ in built]
        for name, (person, org) in viewers.items():
            client = Client()
            client.force_login(fresh(person))
            text = _texts(client, world.network, ids)
            for c, (pk, pair, answers, unsealed) in enumerate(built):
                takes_part = org in pair
                if takes_part:  # the scores themselves: another side's stay null until unsealed
                    detail = client.get(f"/api/v1/health-checks/{pk}").json()
                    for bar in detail["dimensions"][0]["sides"]:
                        side = [o.pk for o in orgs].index(bar["organization_id"])
                        did = answers[pair.index(side)]
                        may = did and (org == side or unsealed)
                        assert (bar["score"] is not None) == may, (name, c, bar)
                assert (f"HCTITLE{c}X" in text) == takes_part, (name, c)
                for side, did in zip(pair, answers, strict=True):
                    token = f"TOKEN{c}ORG{side}X"
                    may = did and (org == side or (takes_part and unsealed))
                    assert (token in text) == may, (name, token, unsealed)
