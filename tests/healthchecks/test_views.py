"""Health check pages: opening, answering with HTMX, results chart, outsiders, query counts."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consortia.healthchecks import services
from consortia.healthchecks.models import Answer, HealthCheck
from tests.conftest import fresh, login, make_org_leader
from tests.healthchecks.conftest import answer


def list_url(world):
    return reverse("healthcheck_list", args=[world.network.slug])


def detail_url(world, check, name="healthcheck_detail"):
    return reverse(name, args=[world.network.slug, check.pk])


def form(value=4, **overrides):
    data = {}
    for key in (
        "strategic_fit",
        "communication",
        "trust_delivery",
        "fairness",
        "leadership_roles",
        "value_so_far",
    ):
        data[key] = overrides.get(key, value)
        data[f"{key}_comment"] = f"about {key}"
    return data


def deadline(days=7):
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_the_network_navigation_links_to_health_checks(world, as_leader):
    text = as_leader.get(reverse("network_detail", args=[world.network.slug])).content.decode()
    assert list_url(world) in text


def test_a_team_leader_opens_a_check_from_the_list(world, as_leader):
    response = as_leader.post(list_url(world), {"partner": world.beta.pk, "deadline": deadline()})
    check = HealthCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(world, check)


def test_bad_input_when_opening_is_a_field_message(world, as_leader):
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = as_leader.post(list_url(world), {"partner": world.beta.pk, "deadline": past})
    assert response.status_code == 422
    assert "The deadline cannot be in the past." in response.content.decode()
    response = as_leader.post(list_url(world), {"partner": world.delta.pk, "deadline": deadline()})
    assert response.status_code == 422  # not offered: not a member of the network
    assert not HealthCheck.objects.exists()


def test_answering_with_htmx_swaps_errors_in_place(world, check, as_leader):
    response = as_leader.post(
        detail_url(world, check, "healthcheck_answer"),
        form(4, communication=9),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert 'id="hc-answer"' in text
    assert "The score must be between 1 and 5." in text
    assert not Answer.objects.exists()
    response = as_leader.post(
        detail_url(world, check, "healthcheck_answer"), form(4), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == detail_url(world, check)
    assert Answer.objects.count() == 1


def test_answering_twice_is_a_message_not_a_500(world, check, as_leader):
    as_leader.post(detail_url(world, check, "healthcheck_answer"), form(4))
    response = as_leader.post(detail_url(world, check, "healthcheck_answer"), form(2))
    assert response.status_code == 422
    assert "already answered" in response.content.decode()


def test_sealed_answers_are_not_on_the_partner_page(world, check):
    answer(world.leader, check, 5, "ACME-SECRET")
    own = login(world.leader).get(detail_url(world, check)).content.decode()
    partner = login(world.other_leader).get(detail_url(world, check)).content.decode()
    assert "ACME-SECRET" not in partner
    assert "sealed" in partner
    assert "Rate the partnership for Beta Works" in partner
    assert "Your organization&#x27;s answers so far" in own or "answers so far" in own


def test_results_show_the_gap_chart_once_every_side_answered(world, check):
    answer(world.leader, check, 5, "ACME-SAYS")
    answer(world.other_leader, check, 2, "BETA-SAYS")
    text = login(world.other_member).get(detail_url(world, check)).content.decode()
    assert 'id="hc-results"' in text
    assert "<svg" in text and "gap 3.0" in text
    assert "ACME-SAYS" in text and "BETA-SAYS" in text
    assert "style=" not in text.split('id="hc-results"')[1].split("</section>")[0]


def test_outsiders_and_third_members_get_404(world, check):
    third = make_org_leader("eve@epsilon.test", "Eve", "Epsilon")
    from tests.conftest import admit

    admit(world.network, third, world.leader)
    for person in (world.outsider, world.applicant, fresh(third)):
        client = login(person)
        for name in (
            "healthcheck_detail",
            "healthcheck_answer",
            "healthcheck_rater_invite",
            "healthcheck_action_add",
        ):
            response = client.get(detail_url(world, check, name))
            if response.status_code == 405:
                response = client.post(detail_url(world, check, name), {})
            assert response.status_code == 404, (person, name)
    third_list = login(fresh(third)).get(list_url(world)).content.decode()
    assert check.title not in third_list


def test_a_team_leader_invites_a_colleague(world, check, as_leader):
    response = as_leader.post(
        detail_url(world, check, "healthcheck_rater_invite"), {"person": world.member.pk}
    )
    assert response.status_code == 302
    text = login(world.member).get(detail_url(world, check)).content.decode()
    assert "Rate the partnership for Acme Labs" in text


def test_the_pages_query_counts_do_not_grow(world, as_leader):
    def make(n):
        for i in range(n):
            other = make_org_leader(f"p{i}-{n}@p.test", f"P{i}", f"Partner {i}-{n}")
            from tests.conftest import admit

            admit(world.network, other, world.leader)
            c = services.health_check_open(
                actor=fresh(world.leader),
                network=world.network,
                partner=other.organization,
                deadline=timezone.now() + timedelta(days=3),
            )
            answer(world.leader, c, 3)
            answer(other, c, 4)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert as_leader.get(url).status_code == 200
        return len(queries)

    make(1)
    first = HealthCheck.objects.first()
    small = count(list_url(world)), count(detail_url(world, first))
    make(4)
    # the list: session, person, membership, charter, sections... then one query for the
    # checks (counts annotated) and one for those waiting; the detail: sides, ratings (means
    # and comments), raters, answered, action items, initiatives — none per row.
    assert (count(list_url(world)), count(detail_url(world, first))) == small


def test_an_action_item_before_unsealing_is_a_message(world, check, as_leader):
    response = as_leader.post(
        detail_url(world, check, "healthcheck_action_add"),
        {
            "to_organization": world.beta.pk,
            "title": "Talk",
            "due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "still sealed" in response.content.decode()


def test_a_gap_of_zero_is_shown_as_zero_not_as_missing(world, check):
    """Both sides gave the same score: the table says 0.0 (agreement), not "—" (no answers),
    and it scrolls inside its card on a phone rather than widening the page."""
    answer(world.leader, check, 4)
    answer(world.other_leader, check, 4)
    text = login(world.leader).get(detail_url(world, check)).content.decode()
    table = text.split('id="hc-results"')[1].split("</table>")[0]
    assert '<td class="hc-gap">0.0</td>' in table and '<td class="hc-gap">—</td>' not in table
    assert 'class="table-scroll"' in table
