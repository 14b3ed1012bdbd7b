"""Investment and return per partner and initiative, and the balance settings (C8).

Every entry counts towards the balance at its *value* in the ledger's currency: money at its
amount, in-kind contributions at their stated value, hours at the hour rate the participants
set in LedgerSettings (hours count for nothing while the rate is 0).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from consortia.initiatives.models import Initiative
from consortia.networks.models import Network, Organization

PERSON = settings.AUTH_USER_MODEL
MONEY = {"max_digits": 16, "decimal_places": 2}


class LedgerSettings(models.Model):
    """The currency, fairness threshold and hour rate of one initiative's (or a network's)
    ledger, set by its participants."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    initiative = models.OneToOneField(
        Initiative,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="ledger_settings",
    )
    currency = models.CharField(max_length=3, default="EUR")
    threshold_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=20,
        help_text="Flag a partner whose share of returns differs from its share of the "
        "investment by more than this many percentage points.",
    )
    hour_rate = models.DecimalField(
        **MONEY, default=0, help_text="The value of one hour, in the ledger's currency."
    )
    updated_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network"],
                condition=Q(initiative__isnull=True),
                name="one_ledger_settings_per_network",
            ),
            models.CheckConstraint(
                name="ledger_threshold_range",
                condition=Q(threshold_pct__gte=0, threshold_pct__lte=100),
            ),
            models.CheckConstraint(name="ledger_hour_rate_positive", condition=Q(hour_rate__gte=0)),
        ]

    def __str__(self) -> str:
        return f"Ledger settings of {self.initiative or self.network}"


class LedgerEntry(models.Model):
    """One investment into, or return from, the partnership by one organization."""

    class Direction(models.TextChoices):
        INVESTMENT = "investment", "Investment"
        RETURN = "return", "Return"

    class Kind(models.TextChoices):
        MONEY = "money", "Money"
        HOURS = "hours", "Hours"
        IN_KIND = "in_kind", "In kind"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    direction = models.CharField(max_length=10, choices=Direction.choices)
    kind = models.CharField(max_length=7, choices=Kind.choices)
    amount = models.DecimalField(**MONEY, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    hours = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    stated_value = models.DecimalField(**MONEY, null=True, blank=True)
    # The entry's worth in the ledger's currency, fixed when entered: the amount (money), the
    # stated value (in kind) or hours x the hour rate in force then. Balances sum it in SQL.
    value = models.DecimalField(**MONEY)
    date = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    entered_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.CheckConstraint(
                name="ledger_amount_not_negative",
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
            ),
            models.CheckConstraint(
                name="ledger_hours_not_negative", condition=Q(hours__isnull=True) | Q(hours__gte=0)
            ),
            models.CheckConstraint(
                name="ledger_value_not_negative",
                condition=Q(stated_value__isnull=True) | Q(stated_value__gte=0),
            ),
            models.CheckConstraint(
                name="ledger_value_not_negative_total", condition=Q(value__gte=0)
            ),
            models.CheckConstraint(
                name="ledger_kind_fields",
                condition=Q(kind="money", amount__isnull=False)
                | Q(kind="hours", hours__isnull=False)
                | Q(kind="in_kind", stated_value__isnull=False),
            ),
        ]
        indexes = [
            # The newest entries of a ledger, already in page order.
            models.Index(fields=["network", "-date", "-id"], name="ledger_network_newest"),
            models.Index(fields=["initiative", "date"], name="ledger_initiative_date"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.direction} {self.kind} on {self.date}"
