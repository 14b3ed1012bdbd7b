"""Polls, their electorate, ballots and the hash-chained ballot log (C2).

Secret ballots
--------------
A poll is open or secret. In an open poll the log says which organization chose what. In a
secret poll nothing the application stores or shows links an organization to a choice:

* ``Ballot`` (one row per voting organization, the "has voted" fact) holds no choice, no
  receipt and no time in a secret poll, and its key is a random UUID, so its order says nothing.
* ``BallotRecord`` (the log) holds the choice under ``ballot_key``, a keyed hash
  ``HMAC(SECRET_KEY + poll.ballot_salt, organization id)``: stable while the poll is open, so an
  organization can change its vote (its newer record supersedes the older one), and without an
  organization, a person or a time. The salt is random per poll and is erased when the poll is
  settled, after which nobody — not even an operator holding SECRET_KEY and the database — can
  recompute which key belonged to whom.
* Events about secret ballots name no organization; the export lists ballots and receipts in
  a canonical (sorted) order, not in the order they were cast.

What remains is what any server-side secret ballot has: while the poll is open, an operator who
holds both the database and SECRET_KEY could link keys to organizations.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from consortia.networks.models import Network, Organization


class Poll(models.Model):
    """A question put to the member organizations of a network, open between two times."""

    class Kind(models.TextChoices):
        CONSENSUS = "consensus", "Consensus (agree / abstain / disagree / block)"
        YES_NO = "yes_no", "Yes or no"
        APPROVAL = "approval", "Approval (pick any)"
        RANKED = "ranked", "Ranked choice"
        SCORE = "score", "Score (0 to 5)"

    class Method(models.TextChoices):
        SCHULZE = "schulze", "Schulze"
        RANKED_PAIRS = "ranked_pairs", "Ranked pairs"
        IRV = "irv", "Instant runoff"

    class State(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    WITH_OPTIONS = (Kind.APPROVAL, Kind.RANKED, Kind.SCORE)

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="polls")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    method = models.CharField(max_length=12, choices=Method.choices, blank=True)
    threshold = models.CharField(
        max_length=20,
        blank=True,
        help_text="yes/no: majority, two-thirds, unanimity or a share; consensus: a share.",
    )
    seats = models.PositiveSmallIntegerField(default=1)
    quorum = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0"),
        help_text="Share of the electorate that must vote, from 0 to 1.",
    )
    opens_at = models.DateTimeField()
    # When voting ends. A poll that closes when everyone has voted gets the moment of the last
    # ballot here, and the time first set (the latest closing) in planned_closes_at.
    closes_at = models.DateTimeField()
    close_when_all_voted = models.BooleanField(
        default=False,
        help_text="Close as soon as every organization of the electorate has voted.",
    )
    planned_closes_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Filled when the poll closed early, every voter having voted: the closing "
        "time first set.",
    )
    secret = models.BooleanField(default=False)
    hide_results_until_close = models.BooleanField(default=False)
    action = models.CharField(max_length=60, blank=True)
    action_payload = models.JSONField(default=dict, blank=True)
    # Filled once, when the electorate is snapshotted at opening.
    electorate_taken_at = models.DateTimeField(null=True, blank=True)
    ballot_salt = models.CharField(max_length=64, blank=True)
    # Set once by the worker's reminder (24 h before closing, to organizations yet to vote).
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Filled once, by poll_settle(), with a conditional UPDATE.
    result = models.JSONField(null=True, blank=True)
    outcome_applied_at = models.DateTimeField(null=True, blank=True)
    outcome_statement = models.TextField(blank=True)
    review_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="poll_closes_after_opening", condition=Q(closes_at__gt=models.F("opens_at"))
            ),
            models.CheckConstraint(
                name="poll_quorum_share", condition=Q(quorum__gte=0) & Q(quorum__lte=1)
            ),
            models.CheckConstraint(name="poll_seats_at_least_one", condition=Q(seats__gte=1)),
        ]
        indexes = [models.Index(fields=["network", "closes_at"], name="poll_network_closes")]

    def __str__(self) -> str:
        return self.title

    def state_at(self, now) -> str:
        if now < self.opens_at:
            return self.State.SCHEDULED
        if now < self.closes_at:
            return self.State.OPEN
        return self.State.CLOSED

    @property
    def state(self) -> str:
        """Computed from the clock on every read: a poll closes the moment its time passes."""
        return self.state_at(timezone.now())

    @property
    def closed_early(self) -> bool:
        return self.planned_closes_at is not None

    @property
    def tally_method(self) -> str:
        if self.kind == self.Kind.RANKED:
            return self.method or self.Method.SCHULZE
        return self.kind

    @property
    def has_options(self) -> bool:
        return self.kind in self.WITH_OPTIONS


class PollOption(models.Model):
    """A candidate or option of an approval, ranked or score poll."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["poll", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "label"], name="one_option_label_per_poll"),
        ]

    def __str__(self) -> str:
        return self.label


class PollVoter(models.Model):
    """One organization of the electorate, snapshotted when the poll opened."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="voters")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["poll", "organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "organization"], name="one_voter_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} votes in {self.poll}"


class Ballot(models.Model):
    """The current ballot of one organization: the constraint allows exactly one per poll.

    In a secret poll this row only says that the organization has voted (see the module
    docstring); the choice lives in the log under an unlinkable key.
    """

    id = models.UUIDField(primary_key=True)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    choice = models.JSONField(null=True, blank=True, help_text="Open polls only.")
    receipt = models.CharField(max_length=64, blank=True, help_text="Open polls only.")
    cast_at = models.DateTimeField(null=True, blank=True, help_text="Open polls only.")
    changes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["poll", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "organization"], name="one_current_ballot_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"Ballot of {self.organization} in {self.poll}"


class BallotRecord(models.Model):
    """Append-only log entry: a ballot as cast. hash = sha256(previous hash + canonical JSON)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="records")
    seq = models.PositiveIntegerField()
    ballot_key = models.CharField(max_length=64)
    # No database constraint and no cascade: a log entry never changes, even if the
    # organization or person it names is deleted later (the ids stay in the hashed record).
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="Open polls only.",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="Open polls only.",
    )
    choice = models.JSONField()
    created_at = models.DateTimeField(null=True, blank=True, help_text="Open polls only.")
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["poll", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "seq"], name="one_ballot_record_per_seq"),
        ]

    def __str__(self) -> str:
        return f"Record {self.seq} of {self.poll}"
