"""Cached per-network health figures (C9).

The health page aggregates a whole network (trust, engagement, participation). Those figures are
computed with a few GROUP BY queries and kept here under a key made of the day and the newest
event of the network: every state change emits an event, and the clock-dependent parts (overdue
commitments, the 90-day window, recency weights) change by the day, so a snapshot whose key
still matches is exactly what a fresh computation would give. A worker job refreshes stale
snapshots; a page finding none computes it on read.
"""

from django.db import models
from django.utils import timezone

from consortia.networks.models import Network


class HealthSnapshot(models.Model):
    """The latest computed health figures of one network, with the key they are valid for."""

    network = models.OneToOneField(
        Network, on_delete=models.CASCADE, related_name="health_snapshot"
    )
    key = models.CharField(max_length=100)
    summary = models.JSONField(default=dict, help_text="Totals and precomputed charts.")
    orgs = models.JSONField(default=list, help_text="Per organization, highest trust first.")
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Health of {self.network} ({self.key})"
