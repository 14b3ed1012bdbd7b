"""Initiatives with term-limited leaders, joint plans, requests and commitments (C3, C4).

Nothing here stores authority: who leads an initiative is read from the leadership term that
covers the clock (permissions.current_leader), and whether a commitment is overdue or was
delivered late is computed when read.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from consortia.networks.models import Network, Organization

PERSON = settings.AUTH_USER_MODEL


class Initiative(models.Model):
    """A joint undertaking of some member organizations of a network, for a set period."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=200)
    challenge_url = models.URLField(blank=True, help_text="The challenge it addresses, if any.")
    objective = models.TextField()
    scope = models.TextField(blank=True)
    boundaries = models.TextField(blank=True, help_text="What is out of scope.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        Organization, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="initiative_ends_after_start", condition=Q(ends_on__gte=F("starts_on"))
            ),
        ]
        indexes = [models.Index(fields=["network", "status"], name="initiative_network_status")]

    def __str__(self) -> str:
        return self.title


class Participation(models.Model):
    """An organization's relation to an initiative; active only once both sides agreed."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Asked to join"
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Participant"
        DECLINED = "declined", "Declined"
        LEFT = "left", "Left"

    PENDING = (Status.REQUESTED, Status.INVITED)

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="participations"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    team_leader = models.ForeignKey(
        PERSON,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The person the organization names as its team leader in the initiative.",
    )
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "organization"], name="one_participation_per_org"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="participation_org_status")]

    def __str__(self) -> str:
        return f"{self.organization} in {self.initiative} ({self.status})"


class Nomination(models.Model):
    """A person put forward to lead an initiative; they stand only once they accept."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="nominations")
    person = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    nominated_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "person"], name="one_nomination_per_person"
            ),
            models.CheckConstraint(
                name="nomination_not_accepted_and_declined",
                condition=Q(accepted_at__isnull=True) | Q(declined_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} nominated to lead {self.initiative}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.declined_at:
            return "declined"
        return "pending"


class LeadershipTerm(models.Model):
    """The period during which a person leads an initiative, as the participants gave it."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="leadership_terms"
    )
    person = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    source = models.CharField(
        max_length=200, help_text='How it was given, e.g. "election poll #12" or "consensus".'
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="term_ends_after_start", condition=Q(ends_at__gt=F("starts_at"))
            ),
        ]
        indexes = [models.Index(fields=["initiative", "ends_at"], name="term_initiative_end")]

    def __str__(self) -> str:
        return f"{self.person} leads {self.initiative} until {self.ends_at:%Y-%m-%d}"


class JointPlan(models.Model):
    """One version of an initiative's joint plan; each participant accepts each version."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveIntegerField()
    goals = models.TextField()
    rules = models.TextField(blank=True, help_text="Rules of engagement.")
    boundaries = models.TextField(blank=True)
    # {"responsibilities": [{"name": "...", "roles": {"<organization id>": "R"|"A"|"C"|"I"}}]}
    raci = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["initiative", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "version"], name="one_plan_version"),
            models.CheckConstraint(name="plan_version_positive", condition=Q(version__gte=1)),
        ]

    def __str__(self) -> str:
        return f"Joint plan of {self.initiative} v{self.version}"


class PlanAcceptance(models.Model):
    """A participating organization's acceptance of one plan version."""

    plan = models.ForeignKey(JointPlan, on_delete=models.CASCADE, related_name="acceptances")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["accepted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "organization"], name="one_plan_acceptance"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} accepted {self.plan}"


class Request(models.Model):
    """A request to take a task or a role: the receiver accepts, declines or proposes a date."""

    class Kind(models.TextChoices):
        TASK = "task", "Task"
        ROLE = "role", "Role"

    class Status(models.TextChoices):
        OPEN = "open", "Awaiting an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        COUNTERED = "countered", "Another date proposed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="requests")
    from_organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    from_person = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    on_behalf_of_initiative = models.BooleanField(
        default=False, help_text="Sent by the initiative's leader for the initiative."
    )
    to_organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    to_person = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TASK)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reason = models.TextField(blank=True)
    counter_due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="request_counter_has_date",
                condition=~Q(status="countered") | Q(counter_due_on__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["to_organization", "status"], name="request_to_status"),
            models.Index(fields=["from_organization", "status"], name="request_from_status"),
            # The initiative page's newest requests without sorting all of them.
            models.Index(
                fields=["initiative", "-created_at", "-id"], name="request_initiative_newest"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Commitment(models.Model):
    """What an accepted request became; overdue and on time/late are computed on read."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DELIVERED = "delivered", "Delivered"
        MISSED = "missed", "Missed"
        RENEGOTIATED = "renegotiated", "Renegotiated"
        WITHDRAWN = "withdrawn", "Withdrawn"

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="commitments")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="commitments")
    owner_organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    owner_person = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next",
        help_text="The commitment this one replaced when it was renegotiated.",
    )
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    due_soon_reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="commitment_delivered_has_time",
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["owner_organization", "status"], name="commitment_owner_status"),
            models.Index(fields=["status", "due_on"], name="commitment_status_due"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue_at(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.OPEN and timezone.localdate(now) > self.due_on

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_at()

    @property
    def timeliness(self) -> str:
        """ "on time" or "late" for a delivered commitment, "" otherwise."""
        if self.status != self.Status.DELIVERED or self.delivered_at is None:
            return ""
        return "on time" if timezone.localdate(self.delivered_at) <= self.due_on else "late"
