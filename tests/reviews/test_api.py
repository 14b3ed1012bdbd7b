"""The reviews API: every action, permissions, bad input as 422, exports."""

import io
from datetime import timedelta

from django.utils import timezone

from consortia.reviews.models import Review, ReviewEntry
from tests.conftest import login


def day(n=1):
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def test_the_leader_schedules_adds_and_holds(world, led):
    client = login(world.leader)
    base = f"/api/v1/initiatives/{led.pk}"
    response = client.put(
        f"{base}/review-schedule",
        {"cadence": "monthly", "first_on": day(5)},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["cadence"] == "monthly"
    assert client.get(f"{base}/review-schedule").json()["cadence"] == "monthly"
    response = client.post(
        f"{base}/reviews", {"scheduled_for": day(2)}, content_type="application/json"
    )
    assert response.status_code == 201
    review_id = response.json()["id"]
    listing = client.get(f"{base}/reviews").json()
    assert listing["count"] == 2
    response = client.post(f"/api/v1/reviews/{review_id}/hold")
    assert response.status_code == 200 and response.json()["status"] == "held"
    assert response.json()["snapshot"]["participants"] == ["Acme Labs", "Beta Works"]


def test_bad_input_is_422_and_changes_nothing(world, led, held):
    client = login(world.leader)
    response = client.put(
        f"/api/v1/initiatives/{led.pk}/review-schedule",
        {"cadence": "monthly", "first_on": "2001-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 422
    response = client.post(
        f"/api/v1/reviews/{held.pk}/entries",
        {"kind": "celebration", "text": "Yay", "kudos_organization_id": world.delta.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    response = client.post(
        f"/api/v1/reviews/{held.pk}/entries",
        {"kind": "celebration", "text": "Yay", "kudos_person_id": 999999},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not ReviewEntry.objects.exists()


def test_entries_actions_sign_off_and_export(world, held):
    other = login(world.other_leader)
    response = other.post(
        f"/api/v1/reviews/{held.pk}/entries",
        {"kind": "celebration", "text": "Kudos for the pilot", "kudos_person_id": world.member.pk},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["kudos_person"] == "Max Member"
    response = other.post(
        f"/api/v1/reviews/{held.pk}/actions",
        {"to_organization_id": world.acme.pk, "title": "Send the data", "due_on": day(9)},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["request_id"]
    assert other.post(f"/api/v1/reviews/{held.pk}/sign-off").status_code == 200
    body = login(world.leader).post(f"/api/v1/reviews/{held.pk}/sign-off").json()
    assert body["status"] == "signed_off"
    md = other.get(f"/api/v1/reviews/{held.pk}/export?format=md")
    assert md.status_code == 200 and "Kudos for the pilot" in md.content.decode()
    pdf = other.get(f"/api/v1/reviews/{held.pk}/export?format=pdf")
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Kudos for the pilot" in text and "signed by" in text


def test_forbidden_actions_are_403(world, held, review):
    member = login(world.member)
    assert member.post(f"/api/v1/reviews/{held.pk}/sign-off").status_code == 403
    other = login(world.other_leader)
    second = Review.objects.create(
        initiative=held.initiative, scheduled_for=timezone.localdate() + timedelta(days=30)
    )
    assert other.post(f"/api/v1/reviews/{second.pk}/hold").status_code == 403


def test_outsiders_get_404(world, led, held):
    client = login(world.outsider)
    assert client.get(f"/api/v1/initiatives/{led.pk}/reviews").status_code == 404
    assert client.get(f"/api/v1/reviews/{held.pk}").status_code == 404
    assert client.post(f"/api/v1/reviews/{held.pk}/sign-off").status_code == 404
    assert client.get(f"/api/v1/reviews/{held.pk}/export?format=pdf").status_code == 404
    assert login(world.member).get("/api/v1/reviews/999999").status_code == 404
