"""Joint reviews of an initiative on a cadence, with a frozen snapshot (C10).

A review is scheduled (from the initiative's cadence, or added by its leader), then *held*:
holding freezes a snapshot of goals, metrics, commitments, balance and engagement in the
review row, so later data changes never alter what the partners reviewed. Participants add
entries (what works, what does not, lessons, celebrations, action items that become requests)
and each participating organization signs off.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from consortia.initiatives.models import Initiative, Request
from consortia.networks.models import Organization

PERSON = settings.AUTH_USER_MODEL


class Cadence(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Every six months"


MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.HALF_YEARLY: 6}


class ReviewSchedule(models.Model):
    """How often an initiative's participants review it together, from a first date."""

    initiative = models.OneToOneField(
        Initiative, on_delete=models.CASCADE, related_name="review_schedule"
    )
    cadence = models.CharField(max_length=12, choices=Cadence.choices)
    first_on = models.DateField(help_text="The date of the first review; later ones follow.")
    set_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="review_cadence_known",
                condition=Q(cadence__in=["monthly", "quarterly", "half_yearly"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_cadence_display()} reviews of {self.initiative}"


class Review(models.Model):
    """One joint review: scheduled, held (snapshot frozen), then signed off by everyone."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        SIGNED_OFF = "signed_off", "Signed off"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="reviews")
    scheduled_for = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    from_schedule = models.BooleanField(default=False)
    held_at = models.DateTimeField(null=True, blank=True)
    held_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    period_start = models.DateField(null=True, blank=True)
    snapshot = models.JSONField(null=True, blank=True, help_text="Frozen when the review is held.")
    signed_off_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "scheduled_for"], name="one_review_per_initiative_and_day"
            ),
            models.CheckConstraint(
                name="review_held_has_snapshot",
                condition=Q(status="scheduled")
                | (Q(held_at__isnull=False) & Q(snapshot__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=["initiative", "status"], name="review_initiative_status")]

    def __str__(self) -> str:
        return f"Review of {self.initiative} on {self.scheduled_for:%d %b %Y}"


class ReviewEntry(models.Model):
    """What a participant wrote in a held review."""

    class Kind(models.TextChoices):
        WORKS = "works", "What works"
        DOES_NOT_WORK = "does_not_work", "What does not work"
        LESSON = "lesson", "Lesson learned"
        CELEBRATION = "celebration", "Celebration"
        ACTION = "action", "Action item"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    text = models.TextField()
    author = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey(
        Organization, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kudos_person = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kudos_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="review_entry_kind_known",
                condition=Q(kind__in=["works", "does_not_work", "lesson", "celebration", "action"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


class ReviewSignoff(models.Model):
    """A participating organization's sign-off of a held review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="signoffs")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "organization"], name="one_signoff_per_org_and_review"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} signed off {self.review}"


class CalendarFeed(models.Model):
    """A person's private iCalendar address; only the SHA-256 digest of its token is kept."""

    person = models.OneToOneField(PERSON, on_delete=models.CASCADE, related_name="calendar_feed")
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar of {self.person} ({self.hint}…)"

    @staticmethod
    def generate() -> str:
        return "cal_" + secrets.token_urlsafe(24)
