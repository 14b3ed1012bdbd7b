"""Review services: cadence, holding (frozen snapshot), entries, action items, sign-off."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consortia.initiatives import services as initiative_services
from consortia.initiatives.models import Commitment, Request
from consortia.reviews import services
from consortia.reviews.models import Review, ReviewEntry, ReviewSchedule
from tests.conftest import fresh


def today():
    return timezone.localdate()


def test_add_months_keeps_the_day_or_the_month_end():
    assert services.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert services.add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert services.add_months(date(2026, 6, 30), 6) == date(2026, 12, 30)


def test_occurrences_follow_the_cadence():
    schedule = ReviewSchedule(cadence="quarterly", first_on=date(2026, 1, 10))
    assert services.occurrences(schedule, after=date(2026, 5, 1), count=2) == [
        date(2026, 7, 10),
        date(2026, 10, 10),
    ]


def test_the_leader_sets_a_cadence_and_the_next_review_is_scheduled(world, led):
    first = today() + timedelta(days=7)
    services.schedule_set(
        actor=fresh(world.leader), initiative=led, cadence="monthly", first_on=first
    )
    assert list(Review.objects.filter(initiative=led).values_list("scheduled_for", flat=True)) == [
        first
    ]
    # Idempotent: on read and in the worker.
    services.ensure_scheduled(led)
    assert services.schedule_upcoming_reviews() == 0
    assert Review.objects.filter(initiative=led).count() == 1


def test_after_a_date_passes_the_next_one_is_scheduled(world, led):
    first = today() + timedelta(days=1)
    services.schedule_set(
        actor=fresh(world.leader), initiative=led, cadence="monthly", first_on=first
    )
    later = timezone.now() + timedelta(days=3)
    review = services.ensure_scheduled(led, now=later)
    assert review.scheduled_for == services.add_months(first, 1)


def test_only_the_leader_sets_the_cadence(world, led):
    with pytest.raises(PermissionDenied):
        services.schedule_set(
            actor=fresh(world.other_leader),
            initiative=led,
            cadence="monthly",
            first_on=today(),
        )


@pytest.mark.parametrize(
    "cadence,first_on",
    [("weekly", 0), ("monthly", -1), ("monthly", 4000)],
)
def test_bad_cadences_change_nothing(world, led, cadence, first_on):
    with pytest.raises(ValidationError):
        services.schedule_set(
            actor=fresh(world.leader),
            initiative=led,
            cadence=cadence,
            first_on=today() + timedelta(days=first_on),
        )
    assert not ReviewSchedule.objects.exists() and not Review.objects.exists()


def test_a_review_on_a_taken_day_is_refused(world, led, review):
    with pytest.raises(ValidationError):
        services.review_add(
            actor=fresh(world.leader), initiative=led, scheduled_for=review.scheduled_for
        )


def test_holding_freezes_a_snapshot(world, led, review):
    request = initiative_services.request_send(
        actor=fresh(world.leader),
        initiative=led,
        to_organization=world.beta,
        title="Install sensors",
        due_on=today(),
    )
    commitment = initiative_services.request_accept(
        actor=fresh(world.other_leader), request=request
    )
    initiative_services.commitment_deliver(actor=fresh(world.other_leader), commitment=commitment)
    held = services.review_hold(actor=fresh(world.leader), review=review)
    assert held.status == Review.Status.HELD and held.held_at is not None
    snap = held.snapshot
    assert snap["participants"] == ["Acme Labs", "Beta Works"]
    assert [c["title"] for c in snap["commitments"]["on_time"]] == ["Install sensors"]
    assert {r["organization"] for r in snap["engagement"]} == {"Acme Labs", "Beta Works"}
    # Later changes do not alter it.
    Commitment.objects.filter(pk=commitment.pk).update(status="missed")
    held.refresh_from_db()
    assert held.snapshot == snap
    with pytest.raises(ValidationError):
        services.review_hold(actor=fresh(world.leader), review=held)


def test_only_the_leader_holds(world, review):
    with pytest.raises(PermissionDenied):
        services.review_hold(actor=fresh(world.other_leader), review=review)
    review.refresh_from_db()
    assert review.status == "scheduled" and review.snapshot is None


def test_participants_add_entries_and_kudos(world, held):
    entry = services.entry_add(
        actor=fresh(world.other_member),
        review=held,
        kind="celebration",
        text="The pilot line runs!",
        kudos_person=fresh(world.member),
    )
    assert entry.organization == world.beta and entry.kudos_person == world.member
    assert world.member.notifications.filter(kind="review.kudos").exists()
    services.entry_add(actor=fresh(world.member), review=held, kind="lesson", text="Start early")
    assert ReviewEntry.objects.filter(review=held).count() == 2


@pytest.mark.parametrize(
    "kind,text,kudos",
    [("action", "x", None), ("nope", "x", None), ("lesson", "  ", None), ("lesson", "x", "org")],
)
def test_bad_entries_change_nothing(world, held, kind, text, kudos):
    with pytest.raises(ValidationError):
        services.entry_add(
            actor=fresh(world.member),
            review=held,
            kind=kind,
            text=text,
            kudos_organization=world.beta if kudos else None,
        )
    assert not ReviewEntry.objects.exists()


def test_kudos_go_to_participants_only(world, held):
    with pytest.raises(ValidationError):
        services.entry_add(
            actor=fresh(world.member),
            review=held,
            kind="celebration",
            text="Thanks",
            kudos_organization=world.delta,
        )


def test_entries_wait_for_the_review_to_be_held(world, review):
    with pytest.raises(ValidationError):
        services.entry_add(actor=fresh(world.member), review=review, kind="lesson", text="x")


def test_non_participants_cannot_write(world, held):
    with pytest.raises(PermissionDenied):
        services.entry_add(actor=fresh(world.outsider), review=held, kind="lesson", text="x")


def test_an_action_item_becomes_a_request_then_a_commitment(world, held):
    entry = services.action_add(
        actor=fresh(world.leader),
        review=held,
        to_organization=world.beta,
        title="Share the sensor specs",
        due_on=today() + timedelta(days=14),
    )
    assert entry.kind == "action" and entry.request.status == Request.Status.OPEN
    commitment = initiative_services.request_accept(
        actor=fresh(world.other_leader), request=entry.request
    )
    assert commitment.title == "Share the sensor specs"


def test_each_participant_signs_off(world, held):
    with pytest.raises(PermissionDenied):
        services.review_sign_off(actor=fresh(world.member), review=held)
    services.review_sign_off(actor=fresh(world.leader), review=held)
    held.refresh_from_db()
    assert held.status == "held"
    with pytest.raises(ValidationError):
        services.review_sign_off(actor=fresh(world.leader), review=held)
    services.review_sign_off(actor=fresh(world.other_leader), review=held)
    held.refresh_from_db()
    assert held.status == "signed_off" and held.signed_off_at is not None
    with pytest.raises(ValidationError):  # frozen once signed off
        services.entry_add(actor=fresh(world.member), review=held, kind="lesson", text="late")


def test_a_delegate_may_sign(world, held):
    from consortia.networks.models import OrgMembership

    OrgMembership.objects.filter(person=world.member).update(votes_for_organization=True)
    services.review_sign_off(actor=fresh(world.member), review=held)


def test_calendar_token_is_stored_hashed_and_rotates(world):
    from consortia.core.models import hash_token
    from consortia.reviews.models import CalendarFeed

    raw = services.calendar_feed_rotate(actor=fresh(world.member))
    feed = CalendarFeed.objects.get(person=world.member)
    assert feed.digest == hash_token(raw) and raw not in feed.digest
    again = services.calendar_feed_rotate(actor=fresh(world.member))
    assert again != raw and CalendarFeed.objects.get(person=world.member).digest == hash_token(
        again
    )


def test_the_snapshot_holds_goals_and_metric_series_frozen(world, led, review):
    from decimal import Decimal

    from consortia.metrics import services as metrics
    from consortia.metrics.models import Measurement

    metric = metrics.metric_create(
        actor=fresh(world.leader),
        network=world.network,
        name="Sensors installed",
        unit="sensors",
        scope="initiative",
        initiative=led,
    )
    metrics.goal_set(
        actor=fresh(world.leader),
        initiative=led,
        metric=metric,
        baseline=0,
        target=100,
        deadline=today() + timedelta(days=60),
    )
    measurement = metrics.measurement_record(
        actor=fresh(world.leader),
        metric=metric,
        period=today(),
        value=Decimal("40"),
        initiative=led,
        visibility="initiative",
    )
    held = services.review_hold(actor=fresh(world.leader), review=review)
    (goal,) = held.snapshot["goals"]
    assert goal["metric"] == "Sensors installed" and goal["progress"] == pytest.approx(0.4)
    (series,) = held.snapshot["series"]
    assert [float(p["value"]) for p in series["points"]] == [40.0]
    Measurement.objects.filter(pk=measurement.pk).update(value=Decimal("90"))
    held.refresh_from_db()
    assert held.snapshot["goals"][0]["progress"] == pytest.approx(0.4)
    from consortia.reviews import export

    assert "Sensors installed" in export.markdown(held)

    from django.urls import reverse

    from tests.conftest import login

    url = reverse("review_detail", args=[world.network.slug, led.pk, held.pk])
    text = login(world.member).get(url).content.decode()
    assert "metric-chart" in text and "<svg" in text and "Sensors installed" in text
    assert export.pdf(held).startswith(b"%PDF")
