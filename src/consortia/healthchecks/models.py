"""The two-sided partnership health check (C11).

Two partner organizations of a network (or the participants of an initiative) each rate the
partnership on the same dimensions. Every answer stays *sealed* — seen only by the organization
that gave it — until every side has answered or the deadline has passed; then every side sees
each side's scores and the perception gap per dimension. Sealing is a rule over the clock and
`unsealed_at`, applied as a queryset filter (`HealthCheck.unsealed_q`), so a deadline unseals
on its own even when no worker ran.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from consortia.initiatives.models import Initiative, Request
from consortia.networks.models import Network, Organization

PERSON = settings.AUTH_USER_MODEL

# (key, label, the question asked): the dimensions every side rates from 1 to 5.
DIMENSIONS = [
    ("strategic_fit", "Strategic fit", "Do our goals and the partnership's purpose still fit?"),
    ("communication", "Communication", "Do we hear from each other openly, often enough?"),
    ("trust_delivery", "Trust and delivery", "Does each side deliver what it committed to?"),
    ("fairness", "Fairness of investment and return", "Is what each side puts in and gets fair?"),
    ("leadership_roles", "Leadership and roles", "Are leadership and roles clear and accepted?"),
    ("value_so_far", "Value so far", "Has the partnership created the value we expected?"),
]
DIMENSION_KEYS = [key for key, _label, _question in DIMENSIONS]
DIMENSION_LABELS = {key: label for key, label, _question in DIMENSIONS}
SCORE_MIN, SCORE_MAX = 1, 5


class HealthCheck(models.Model):
    """A health check of one partnership: its sides, a deadline, and when it was unsealed."""

    class Reason(models.TextChoices):
        ANSWERED = "answered", "Every side answered"
        DEADLINE = "deadline", "The deadline passed"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=200)
    deadline = models.DateTimeField()
    opened_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_by_organization = models.ForeignKey(
        Organization, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the last side answers, or by the worker (or a read) once the deadline passed;
    # readers never rely on it alone: `unsealed_q` also compares the deadline with the clock.
    unsealed_at = models.DateTimeField(null=True, blank=True)
    unsealed_because = models.CharField(max_length=10, choices=Reason.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["network", "-created_at"], name="healthcheck_recent")]
        constraints = [
            models.CheckConstraint(
                name="healthcheck_unsealed_has_reason",
                condition=Q(unsealed_at__isnull=True, unsealed_because="")
                | Q(unsealed_at__isnull=False, unsealed_because__in=["answered", "deadline"]),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def unsealed_q(now=None, *, prefix: str = "") -> Q:
        """The one rule for "answers may be read by every side", as a filter."""
        now = now or timezone.now()
        return Q(**{f"{prefix}unsealed_at__isnull": False}) | Q(**{f"{prefix}deadline__lte": now})

    def is_unsealed_at(self, now=None) -> bool:
        now = now or timezone.now()
        return self.unsealed_at is not None or self.deadline <= now

    @property
    def is_unsealed(self) -> bool:
        return self.is_unsealed_at()


class Side(models.Model):
    """An organization taking part in a health check; answered once all its raters did."""

    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="sides")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["health_check", "organization"], name="one_side_per_org_and_check"
            ),
        ]
        indexes = [models.Index(fields=["organization", "answered_at"], name="hc_side_org")]

    def __str__(self) -> str:
        return f"{self.organization} in {self.health_check}"


class Rater(models.Model):
    """A colleague a side's team leader invited to rate the partnership too."""

    side = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="raters")
    person = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="+")
    invited_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["side", "person"], name="one_rater_per_person_and_side")
        ]

    def __str__(self) -> str:
        return f"{self.person} rates for {self.side}"


class Answer(models.Model):
    """One person's ratings for their organization's side (one answer per person)."""

    side = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="answers")
    person = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["side", "person"], name="one_answer_per_person_and_side"
            )
        ]

    def __str__(self) -> str:
        return f"Answer of {self.person} for {self.side}"


class Rating(models.Model):
    """A score from 1 to 5 on one dimension, with its comment."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="ratings")
    dimension = models.CharField(max_length=20)
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["answer", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "dimension"], name="one_rating_per_dimension"
            ),
            models.CheckConstraint(
                name="rating_score_1_to_5", condition=Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX)
            ),
            models.CheckConstraint(
                name="rating_dimension_known", condition=Q(dimension__in=DIMENSION_KEYS)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.score}"


class ActionItem(models.Model):
    """What the sides agreed to do after reading the results: sent as a request."""

    health_check = models.ForeignKey(
        HealthCheck, on_delete=models.CASCADE, related_name="action_items"
    )
    request = models.ForeignKey(Request, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    organization = models.ForeignKey(
        Organization, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_organization = models.ForeignKey(
        Organization, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title
