"""The demo loader: one held review with entries; idempotent."""

from consortia.reviews import demo
from consortia.reviews.models import Review, ReviewEntry


def test_it_loads_one_held_review_once(world):
    review = demo.load(world.network)
    assert review.status == "held" and review.snapshot["participants"]
    assert ReviewEntry.objects.filter(review=review).count() == 5
    assert demo.load(world.network).pk == review.pk
    assert Review.objects.filter(held_at__isnull=False).count() == 1
