"""Standard metrics, measurements, goals and their pre-aggregated rollups (C7).

A network keeps a catalog of metrics; a network metric becomes *standard* when the members
adopt it by poll (and *retired* the same way). Organizations and initiatives may keep private
metrics. A measurement is one organization's value of a metric for one period (normalized to
the metric's cadence) with an audience: its organization, an initiative, or the network.
`MeasurementRollup` holds per-(metric, period, audience) sums and counts, recomputed by the
services in the same transaction as every write, so dashboards never scan measurements.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from consortia.initiatives.models import Initiative
from consortia.networks.models import Network, Organization

PERSON = settings.AUTH_USER_MODEL
VALUE = {"max_digits": 20, "decimal_places": 4}


class Metric(models.Model):
    """A measurable quantity in the network catalog, or private to an organization or initiative."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class Aggregation(models.TextChoices):
        SUM = "sum", "Sum"
        MEAN = "mean", "Mean"
        LAST = "last", "Last value"

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"

    class Scope(models.TextChoices):
        NETWORK = "network", "Network catalog"
        ORGANIZATION = "organization", "Private to an organization"
        INITIATIVE = "initiative", "Private to an initiative"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        STANDARD = "standard", "Standard"
        RETIRED = "retired", "Retired"
        PRIVATE = "private", "Private"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=30, help_text="e.g. EUR, kg CO2e, %, hours, people")
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    aggregation = models.CharField(
        max_length=4, choices=Aggregation.choices, default=Aggregation.SUM
    )
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY)
    non_negative = models.BooleanField(
        default=False,
        help_text="Never negative (a count, an amount): values below zero are refused.",
    )
    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.NETWORK)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    owner_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    owner_initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                name="metric_scope_owner",
                condition=(
                    Q(
                        scope="network",
                        owner_organization__isnull=True,
                        owner_initiative__isnull=True,
                    )
                    & ~Q(status="private")
                )
                | Q(
                    scope="organization",
                    owner_organization__isnull=False,
                    owner_initiative__isnull=True,
                    status="private",
                )
                | Q(
                    scope="initiative",
                    owner_organization__isnull=True,
                    owner_initiative__isnull=False,
                    status="private",
                ),
            ),
            models.UniqueConstraint(
                "network",
                Lower("name"),
                condition=Q(scope="network"),
                name="metric_network_name_unique",
            ),
            models.UniqueConstraint(
                "owner_organization",
                "network",
                Lower("name"),
                condition=Q(scope="organization"),
                name="metric_org_name_unique",
            ),
            models.UniqueConstraint(
                "owner_initiative",
                Lower("name"),
                condition=Q(scope="initiative"),
                name="metric_initiative_name_unique",
            ),
        ]
        indexes = [models.Index(fields=["network", "scope", "status"], name="metric_net_scope")]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Measurement(models.Model):
    """One organization's value of a metric for one period, with the audience it chose."""

    class Visibility(models.TextChoices):
        ORGANIZATION = "organization", "My organization only"
        INITIATIVE = "initiative", "The initiative's participants"
        NETWORK = "network", "All members of the network"

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="measurements")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateField()
    value = models.DecimalField(**VALUE)
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.NETWORK
    )
    entered_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["metric", "period_start", "organization"]
        constraints = [
            # Two partial constraints because NULL initiatives are distinct in a plain UNIQUE.
            models.UniqueConstraint(
                fields=["metric", "organization", "period_start"],
                condition=Q(initiative__isnull=True),
                name="one_measurement_per_period",
            ),
            models.UniqueConstraint(
                fields=["metric", "organization", "initiative", "period_start"],
                condition=Q(initiative__isnull=False),
                name="one_initiative_measurement_per_period",
            ),
            models.CheckConstraint(
                name="measurement_initiative_visibility",
                condition=~Q(visibility="initiative") | Q(initiative__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["metric", "period_start"], name="measurement_metric_period"),
            # An organization's own values of a metric, by period (its page and totals).
            models.Index(
                fields=["organization", "metric", "period_start"], name="measurement_org_metric"
            ),
            models.Index(fields=["initiative", "metric"], name="measurement_init_metric"),
        ]

    def __str__(self) -> str:
        return f"{self.metric.name} {self.period_start}: {self.value}"


class MeasurementRollup(models.Model):
    """Sum and count of the measurements of one metric and period per shared audience: the
    network (visibility network) or one initiative (visibility initiative). Values kept for
    the own organization need no rollup: there is one per period, read with an index.
    Recomputed from measurements by services.refresh_rollups in the transaction of every
    write, so it always equals a fresh aggregate."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    visibility = models.CharField(max_length=12, choices=Measurement.Visibility.choices)
    organization = models.ForeignKey(
        Organization, null=True, on_delete=models.CASCADE, related_name="+"
    )
    initiative = models.ForeignKey(
        Initiative, null=True, on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=30, decimal_places=4)

    class Meta:
        ordering = ["metric", "period_start"]
        indexes = [
            models.Index(fields=["metric", "visibility", "period_start"], name="rollup_metric"),
            models.Index(fields=["initiative", "metric"], name="rollup_initiative"),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.period_start} {self.visibility}: {self.total}"


class Goal(models.Model):
    """A joint goal in an initiative's plan: move a metric from a baseline to a target by a date."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="goals")
    # RESTRICT, not PROTECT: a goal keeps its metric, yet deleting the whole network (which
    # deletes goals through their initiatives) works.
    metric = models.ForeignKey(Metric, on_delete=models.RESTRICT, related_name="goals")
    baseline = models.DecimalField(**VALUE)
    target = models.DecimalField(**VALUE)
    deadline = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["deadline", "id"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "metric"], name="one_goal_per_metric"),
        ]

    def __str__(self) -> str:
        return f"{self.metric.name}: {self.baseline} → {self.target} by {self.deadline}"


class ImportJob(models.Model):
    """A validated CSV upload waiting to be (or being) imported in chunks. `content` holds the
    normalized rows, one per line: metric id, organization id, initiative id or empty, period
    start, value, visibility. `position` counts rows done; each step claims its chunk with a
    conditional UPDATE, so two browser tabs (or the worker) never import a chunk twice."""

    class Status(models.TextChoices):
        READY = "ready", "Validated, waiting to import"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        CANCELLED = "cancelled", "Cancelled"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    content = models.TextField()
    total = models.PositiveIntegerField()
    position = models.PositiveIntegerField(default=0)
    # Where the next chunk starts in `content`, in characters: each step reads only its chunk.
    offset = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import of {self.filename or 'a CSV file'} ({self.position}/{self.total})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.position * 100 / self.total)
