"""Overlap discovery (C12): populations, consent between partners, runs and their log."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Level(models.TextChoices):
    HIDDEN = "hidden", "Hidden (never used)"
    COUNTS = "counts", "Counts only"
    RECORDS = "records", "Overlapping records"


FIELD_CHOICES = (("name", "Name"), ("owner", "Owner"), ("stage", "Stage"))
FIELD_NAMES = tuple(name for name, _ in FIELD_CHOICES)


class Population(models.Model):
    """A list an organization may compare (its customers, open opportunities…) and how much a
    partner may learn of it by default."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", "Customers"
        OPPORTUNITIES = "opportunities", "Open opportunities"
        PROSPECTS = "prospects", "Prospects"
        CUSTOM = "custom", "Custom"

    organization = models.ForeignKey(
        "networks.Organization", on_delete=models.CASCADE, related_name="overlap_populations"
    )
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, help_text="What the CLI's --population names.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CUSTOM)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.COUNTS)
    fields = models.JSONField(default=list, blank=True, help_text="Shared at record level.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"], name="overlap_population_slug_unique"
            ),
            models.CheckConstraint(
                name="overlap_population_level_valid",
                condition=Q(level__in=["hidden", "counts", "records"]),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PopulationOverride(models.Model):
    """A population's level toward one partner, instead of its default."""

    population = models.ForeignKey(Population, on_delete=models.CASCADE, related_name="overrides")
    partner = models.ForeignKey("networks.Organization", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices)
    fields = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["population", "partner"], name="overlap_override_unique"
            ),
            models.CheckConstraint(
                name="overlap_override_level_valid",
                condition=Q(level__in=["hidden", "counts", "records"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.population} → {self.partner}: {self.level}"


def new_salt() -> str:
    return secrets.token_hex(16)


class RestrictedList(models.Model):
    """An organization's accounts that never take part, as keyed BLAKE2b digests of the
    normalized keys (the salt is per organization): the server cannot read the list back."""

    organization = models.OneToOneField(
        "networks.Organization", on_delete=models.CASCADE, related_name="overlap_restricted"
    )
    salt = models.CharField(max_length=32, default=new_salt)
    digests = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Restricted accounts of {self.organization} ({len(self.digests)})"


class Partnership(models.Model):
    """Dual opt-in: one organization's team leader proposes overlap discovery to another member
    of the network; that one's team leader accepts or declines. Either side can stop it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        STOPPED = "stopped", "Stopped"

    LIVE = ("proposed", "accepted")

    network = models.ForeignKey(
        "networks.Network", on_delete=models.CASCADE, related_name="overlap_partnerships"
    )
    proposer = models.ForeignKey(
        "networks.Organization", on_delete=models.CASCADE, related_name="+"
    )
    counterparty = models.ForeignKey(
        "networks.Organization", on_delete=models.CASCADE, related_name="+"
    )
    # "low:high" organization ids: one live partnership per pair, whoever proposed it.
    pair = models.CharField(max_length=41, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    result_days = models.PositiveSmallIntegerField(default=30)
    runs_per_day = models.PositiveSmallIntegerField(default=3)
    message = models.CharField(max_length=500, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stopped_by = models.ForeignKey(
        "networks.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "pair"],
                condition=Q(status__in=["proposed", "accepted"]),
                name="overlap_one_live_partnership",
            ),
            models.CheckConstraint(
                name="overlap_partnership_two_orgs", condition=~Q(proposer=models.F("counterparty"))
            ),
            models.CheckConstraint(
                name="overlap_partnership_days",
                condition=Q(result_days__gte=1, runs_per_day__gte=1),
            ),
        ]

    def __str__(self) -> str:
        return f"Overlap discovery {self.proposer} ↔ {self.counterparty} ({self.status})"

    def save(self, *args, **kwargs):
        self.pair = self.pair_of(self.proposer_id, self.counterparty_id)
        super().save(*args, **kwargs)

    @staticmethod
    def pair_of(a_id: int, b_id: int) -> str:
        low, high = sorted((a_id, b_id))
        return f"{low}:{high}"

    def other(self, organization_id: int):
        return self.counterparty if organization_id == self.proposer_id else self.proposer

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class Run(models.Model):
    """One comparison between the two organizations of a partnership, in the log both see."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for both sides"
        MATCHED = "matched", "Counted; records being opened"
        COMPLETE = "complete", "Complete"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired before completion"

    ACTIVE = ("open", "matched")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="runs")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    initiator = models.ForeignKey(
        "networks.Organization", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # The version of the private set intersection protocol (protocol.PROTOCOL) that the client
    # which started the run speaks; the other steps must speak it too. Empty for runs that had
    # ended before versions were recorded (and for a run an older program inserts).
    protocol = models.PositiveSmallIntegerField(null=True, blank=True)
    # [{"a": population id of the initiator, "b": of the partner, "count": n}]
    matrix = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    deadline = models.DateTimeField(help_text="An unfinished run expires then.")
    matched_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    results_expire_at = models.DateTimeField()
    results_purged_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        "networks.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partnership", "status"], name="overlap_run_pair_status")]

    def __str__(self) -> str:
        return f"Overlap run {self.uuid}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class RunSide(models.Model):
    """What one organization brought to a run: its populations (with the level each had toward
    the partner when the run started), their sizes and what it skipped."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="sides")
    organization = models.ForeignKey(
        "networks.Organization", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # [{"id", "slug", "name", "level": "counts"|"records", "fields": [...], "size",
    #   "duplicates", "skipped", "restricted"}]
    populations = models.JSONField(default=list)
    joined_at = models.DateTimeField(null=True, blank=True)
    blinded_at = models.DateTimeField(null=True, blank=True)
    doubled_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    records_received = models.PositiveIntegerField(null=True, blank=True)
    # The received records, sealed with a key the receiving side keeps (never the server).
    sealed_result = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "organization"], name="overlap_side_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization} in {self.run}"

    def population(self, population_id: int) -> dict | None:
        return next((p for p in self.populations if p["id"] == population_id), None)


class Blob(models.Model):
    """A relayed protocol message: blinded or double-blinded elements, an evaluated list or a
    payload table. Deleted as soon as the run no longer needs it."""

    class Kind(models.TextChoices):
        BLINDED = "blinded", "Blinded elements"
        PAYLOAD = "payload", "Sealed payload table"
        DOUBLE = "double", "Double-blinded elements (sorted)"
        EVALUATED = "evaluated", "Evaluated elements (in order)"

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="blobs")
    # The side that computed and uploaded it.
    organization = models.ForeignKey(
        "networks.Organization", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The population it is about (the uploader's for blinded/payload, the other's otherwise).
    population_id = models.BigIntegerField()
    count = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "organization", "kind", "population_id"],
                name="overlap_blob_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.population_id} of {self.run_id}"
