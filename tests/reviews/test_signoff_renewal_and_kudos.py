"""Joint reviews: holding asks first and says what it freezes; a sign-off given before later
entries shows as "signed before the last changes" and can be renewed (the review is signed off
only when every sign-off is current); kudos to a person and an organization keep both; the PDF
has no on-screen controls."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from consortia.core.models import Event
from consortia.reviews import export, services
from consortia.reviews.models import Review, ReviewEntry, ReviewSignoff
from tests.conftest import fresh, login


def detail_url(world, review, suffix=""):
    url = reverse("review_detail", args=[world.network.slug, review.initiative_id, review.pk])
    return url + suffix


def _entry(person, review, text="It works", **kwargs):
    return services.entry_add(
        actor=fresh(person), review=review, kind=kwargs.pop("kind", "works"), text=text, **kwargs
    )


def test_a_sign_off_before_later_entries_must_be_renewed(world, held):
    _entry(world.leader, held)
    first = services.review_sign_off(actor=fresh(world.leader), review=held)
    with pytest.raises(ValidationError, match="already signed"):
        services.review_sign_off(actor=fresh(world.leader), review=held)
    _entry(world.other_leader, held, "A late lesson", kind="lesson")
    mine = {s["organization"].pk: s for s in services.selectors.signoffs_of(held)}
    assert mine[world.acme.pk]["signoff"] and not mine[world.acme.pk]["current"]
    # Beta signs: everyone has signed, but Acme's sign-off predates Beta's lesson.
    services.review_sign_off(actor=fresh(world.other_leader), review=held)
    held.refresh_from_db()
    assert held.status == Review.Status.HELD
    renewed = services.review_sign_off(actor=fresh(world.leader), review=held)
    assert renewed.pk == first.pk and renewed.signed_at > first.signed_at
    assert ReviewSignoff.objects.filter(review=held).count() == 2
    held.refresh_from_db()
    assert held.status == Review.Status.SIGNED_OFF
    assert Event.objects.filter(verb="review.signoff_renewed").count() == 1


def test_kudos_to_a_person_and_an_organization_keep_both(world, held, as_leader):
    entry = _entry(
        world.leader,
        held,
        "Sensors shipped early",
        kind="celebration",
        kudos_person=fresh(world.other_leader),
        kudos_organization=world.beta,
    )
    entry = ReviewEntry.objects.get(pk=entry.pk)
    assert entry.kudos_person_id == world.other_leader.pk
    assert entry.kudos_organization_id == world.beta.pk
    page = as_leader.get(detail_url(world, held)).content.decode()
    assert "Kudos to <strong>Bo Other</strong> and <strong>Beta Works</strong>" in page
    assert "kudos to Bo Other and Beta Works" in export.markdown(held)


def test_the_page_form_keeps_both_kudos(world, held, as_leader):
    response = as_leader.post(
        detail_url(world, held, "entries/"),
        {
            "kind": "celebration",
            "text": "Great teamwork",
            "kudos_person": world.other_leader.pk,
            "kudos_organization": world.beta.pk,
        },
    )
    assert response.status_code in (200, 302), response.content.decode()[:500]
    entry = ReviewEntry.objects.get(text="Great teamwork")
    assert (entry.kudos_person_id, entry.kudos_organization_id) == (
        world.other_leader.pk,
        world.beta.pk,
    )


def test_holding_asks_first_and_says_what_it_freezes(world, review, as_leader):
    page = as_leader.get(detail_url(world, review)).content.decode()
    assert "Hold the review now…" in page
    assert "Holding the review freezes" in page and "commitments of the period" in page
    assert "Yes, hold the review and freeze the figures" in page


def test_the_page_shows_a_stale_sign_off_and_offers_to_renew(world, held, as_leader):
    services.review_sign_off(actor=fresh(world.leader), review=held)
    page = as_leader.get(detail_url(world, held)).content.decode()
    assert "Renew the sign-off" not in page
    _entry(world.other_leader, held, "Added afterwards")
    page = as_leader.get(detail_url(world, held)).content.decode()
    assert "signed before the last changes" in page and "Renew the sign-off" in page
    response = as_leader.post(detail_url(world, held, "sign-off/"))
    assert response.status_code == 302
    page = as_leader.get(detail_url(world, held)).content.decode()
    assert "signed before the last changes" not in page


def test_the_api_says_whether_a_sign_off_is_current(world, held):
    client = login(world.leader)
    services.review_sign_off(actor=fresh(world.leader), review=held)
    _entry(world.other_leader, held, "Added afterwards")
    body = client.get(f"/api/v1/reviews/{held.pk}").json()
    acme = next(s for s in body["signoffs"] if s["organization_id"] == world.acme.pk)
    assert acme["signed_at"] and acme["current"] is False
    response = client.post(f"/api/v1/reviews/{held.pk}/sign-off")
    assert response.status_code in (200, 201), response.content
    body = client.get(f"/api/v1/reviews/{held.pk}").json()
    acme = next(s for s in body["signoffs"] if s["organization_id"] == world.acme.pk)
    assert acme["current"] is True


def test_the_pdf_has_no_on_screen_controls(world, held):
    _entry(
        world.leader,
        held,
        "Sensors shipped",
        kind="celebration",
        kudos_person=fresh(world.other_leader),
        kudos_organization=world.beta,
    )
    services.review_sign_off(actor=fresh(world.leader), review=held)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(export.pdf(held))).pages)
    assert "Sensors shipped" in text and "Beta Works" in text
    for control in (
        "Show the numbers",
        "Download PDF",
        "Markdown",
        "Sign off for",
        "Renew the sign-off",
        "Add to the review",
        "Send the request",
        "Hold the review now",
        "Export CSV",
    ):
        assert control not in text, control


def test_an_entry_after_the_last_signoff_reopens_nothing_once_signed_off(world, held):
    services.review_sign_off(actor=fresh(world.leader), review=held)
    services.review_sign_off(actor=fresh(world.other_leader), review=held)
    held.refresh_from_db()
    assert held.status == Review.Status.SIGNED_OFF
    with pytest.raises(ValidationError, match="can no longer change"):
        _entry(world.leader, held)
    assert held.signed_off_at <= held.signed_off_at + timedelta(0)
