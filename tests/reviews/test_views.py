"""Review pages: permissions, HTMX entries, sign-off, frozen rendering, exports, query counts."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consortia.initiatives.models import Initiative
from consortia.reviews import services
from consortia.reviews.models import Review, ReviewEntry
from tests.conftest import fresh, login


def list_url(world, initiative):
    return reverse("review_list", args=[world.network.slug, initiative.pk])


def schedule_url(world, initiative):
    return reverse("review_schedule_set", args=[world.network.slug, initiative.pk])


def detail_url(world, review, suffix=""):
    url = reverse("review_detail", args=[world.network.slug, review.initiative_id, review.pk])
    return url + suffix


def test_the_reviews_page_schedules_from_the_cadence_on_read(world, led, as_leader):
    response = as_leader.post(
        schedule_url(world, led),
        {
            "cadence": "quarterly",
            "first_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    Review.objects.all().delete()  # as if no worker ran
    text = as_leader.get(list_url(world, led)).content.decode()
    assert Review.objects.filter(initiative=led).count() == 1
    assert "Every three months" in text or "Quarterly" in text


def test_a_bad_cadence_is_a_form_error(world, led, as_leader):
    response = as_leader.post(schedule_url(world, led), {"cadence": "weekly"})
    assert response.status_code == 422
    assert not Review.objects.exists()


def test_outsiders_and_non_participants_get_404(world, led, held):
    from tests.conftest import admit, make_org_leader

    outsider = login(world.outsider)
    assert outsider.get(list_url(world, led)).status_code == 404
    assert outsider.get(detail_url(world, held)).status_code == 404
    assert outsider.get(detail_url(world, held, "export.pdf")).status_code == 404
    third = make_org_leader("eve@epsilon.test", "Eve", "Epsilon")
    admit(world.network, third, world.leader)
    bystander = login(fresh(third))
    # A member whose organization does not take part: the reviews are not its to know of.
    assert bystander.get(list_url(world, led)).status_code == 404
    assert bystander.get(detail_url(world, held)).status_code == 404
    assert (
        bystander.post(
            detail_url(world, held, "entries/"), {"kind": "lesson", "text": "x"}
        ).status_code
        == 404
    )
    assert not ReviewEntry.objects.exists()


def test_holding_from_the_page(world, review, as_leader):
    text = as_leader.get(detail_url(world, review)).content.decode()
    assert "Hold the review now" in text
    assert as_leader.post(detail_url(world, review, "hold/")).status_code == 302
    review.refresh_from_db()
    assert review.status == "held"


def test_an_htmx_celebration_swaps_the_entries(world, held, as_other):
    response = as_other.post(
        detail_url(world, held, "entries/"),
        {"kind": "celebration", "text": "Great teamwork", "kudos_organization": world.acme.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="review-entries"' in text and "Great teamwork" in text and "Kudos to" in text
    assert "<html" not in text


def test_an_empty_entry_is_a_422_and_nothing_changes(world, held, as_other):
    response = as_other.post(
        detail_url(world, held, "entries/"), {"kind": "lesson", "text": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422 and not ReviewEntry.objects.exists()


def test_signing_off_from_the_page(world, held, as_leader):
    assert "Sign off for Acme Labs" in as_leader.get(detail_url(world, held)).content.decode()
    as_leader.post(detail_url(world, held, "sign-off/"))
    text = as_leader.get(detail_url(world, held)).content.decode()
    assert "Sign off for" not in text and "signed</span> by Ada Leader" in text


def test_an_action_item_from_the_page(world, held, as_leader):
    response = as_leader.post(
        detail_url(world, held, "actions/"),
        {
            "to_organization": world.beta.pk,
            "title": "Write the audit checklist",
            "due_on": (timezone.localdate() + timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert ReviewEntry.objects.get(kind="action").request.title == "Write the audit checklist"


def test_the_page_renders_from_the_frozen_snapshot(world, held, as_member):
    before = as_member.get(detail_url(world, held)).content.decode()
    Initiative.objects.filter(pk=held.initiative_id).update(objective="Changed later")
    from consortia.networks.models import Organization

    Organization.objects.filter(pk=world.beta.pk).update(name="Beta Renamed")
    after = as_member.get(detail_url(world, held)).content.decode()
    section = lambda t: t[t.index('id="goals-title"') : t.index('id="group-works"')]  # noqa: E731
    assert section(before) == section(after)
    assert "Beta Works" in section(after)


def test_exports_contain_the_review(world, held, as_member):
    services.entry_add(
        actor=fresh(world.member), review=held, kind="celebration", text="Pilot shipped on time"
    )
    md = as_member.get(detail_url(world, held, "export.md"))
    assert md.status_code == 200 and md["Content-Type"].startswith("text/markdown")
    body = md.content.decode()
    assert "# Review of Shared sensors" in body and "Pilot shipped on time" in body
    pdf = as_member.get(detail_url(world, held, "export.pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Review of Shared sensors" in text and "Pilot shipped on time" in text
    assert "Acme Labs" in text
    assert as_member.get(detail_url(world, held, "export.doc")).status_code == 404


@pytest.mark.parametrize("entries", [1, 8])
def test_the_review_page_queries_stay_flat(
    world, held, as_member, django_assert_num_queries, entries
):
    for i in range(entries):
        services.entry_add(actor=fresh(world.member), review=held, kind="works", text=f"E{i}")
    as_member.get(detail_url(world, held))
    # session, person+org, network (funnel), membership, review, participation, header:
    # charter + acceptance + membership, may_steer term, signoffs, participants, entries,
    # entry-form querysets (people, organizations) and action-form organizations
    with django_assert_num_queries(_count(as_member, detail_url(world, held))):
        as_member.get(detail_url(world, held))
    assert _count(as_member, detail_url(world, held)) <= 20


_counts = {}


def _count(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    n = len(captured)
    _counts.setdefault("review", n)
    assert n == _counts["review"], f"{n} queries, before {_counts['review']}"
    return n


def test_the_reviews_list_queries_stay_flat(world, led, as_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert as_member.get(list_url(world, led)).status_code == 200
        return len(captured)

    services.review_add(
        actor=fresh(world.leader), initiative=led, scheduled_for=timezone.localdate()
    )
    before = count()
    for n in range(2, 7):
        services.review_add(
            actor=fresh(world.leader),
            initiative=led,
            scheduled_for=timezone.localdate() + timedelta(days=n),
        )
    assert count() == before <= 16
