"""Networks, organizations, people, memberships, invitations and agreements (C1)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from consortia.core.validators import validate_name


class PersonManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("A person needs an email address")
        # `consortia manage createsuperuser --name …` comes here without a service: the name is
        # stripped, required and checked as person_sign_up does.
        name = (extra.get("name") or "").strip()
        if not name:
            raise ValidationError({"name": "A name is required."})
        extra["name"] = validate_name(name, "name")
        person = self.model(email=self.normalize_email(email).lower(), **extra)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("name", "Operator")
        return self.create_user(email, password, **extra)


class Person(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in with an email address and acts for at most one organization."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the operators' admin site.")
    date_joined = models.DateTimeField(default=timezone.now)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="IANA name, e.g. Europe/Paris; blank: the browser's zone.",
    )

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]
    # Loaded with the person on every request (core.backends.PersonBackend): the organization
    # they act for.
    SESSION_SELECT_RELATED = ("org_membership__organization",)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def membership(self):
        """This person's OrgMembership, or None (cached by the reverse one-to-one accessor)."""
        try:
            return self.org_membership
        except OrgMembership.DoesNotExist:
            return None

    @property
    def organization(self):
        membership = self.membership
        return membership.organization if membership else None

    @property
    def is_team_leader(self) -> bool:
        membership = self.membership
        return bool(membership and membership.role == OrgMembership.Role.TEAM_LEADER)

    @property
    def votes_for_organization(self) -> bool:
        """Whether this person casts the organization's ballot: a team leader or a delegate."""
        membership = self.membership
        return bool(membership and membership.votes_in_polls)


class Organization(models.Model):
    """A member organization: a company, a university, a public body, a nonprofit…"""

    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        STARTUP = "startup", "Start-up"
        UNIVERSITY = "university", "University or research institute"
        PUBLIC = "public", "Public body"
        NONPROFIT = "nonprofit", "Nonprofit"
        OTHER = "other", "Other"

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=160, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    offerings = models.TextField(blank=True, help_text="What it can offer partners: capabilities.")
    needs = models.TextField(blank=True, help_text="What it lacks and looks for: gaps.")
    values = models.TextField(blank=True, help_text="Its values and priorities.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organization_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class OrgMembership(models.Model):
    """A person's place in their organization: role and department."""

    class Role(models.TextChoices):
        TEAM_LEADER = "team_leader", "Team leader"
        MEMBER = "member", "Member"

    # One organization per person: every action a person takes is attributable to exactly one
    # partner, which matters when partners compete.
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_membership"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    department = models.CharField(max_length=100, blank=True)
    # Named by a team leader: this colleague casts the organization's one ballot in polls.
    votes_for_organization = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization", "person__name"]
        indexes = [models.Index(fields=["organization", "role"], name="orgmember_org_role")]

    def __str__(self) -> str:
        return f"{self.person} at {self.organization} ({self.get_role_display()})"

    # Who casts the organization's one ballot: its team leaders and the delegates they named.
    VOTERS = Q(role=Role.TEAM_LEADER) | Q(votes_for_organization=True)

    @property
    def votes_in_polls(self) -> bool:
        return self.role == self.Role.TEAM_LEADER or self.votes_for_organization


class Network(models.Model):
    """A federation of organizations partnering by request and consent; it has no owner."""

    class Visibility(models.TextChoices):
        LISTED = "listed", "Listed: any signed-in person can find it and ask to join"
        UNLISTED = "unlisted", "Unlisted: by invitation only"

    class AdmissionRule(models.TextChoices):
        TEAM_LEADER_APPROVALS = "approvals", "Approval by team leaders of member organizations"
        VOTE = "vote", "A yes/no poll of the member organizations (majority)"

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.LISTED
    )
    admission_rule = models.CharField(
        max_length=20, choices=AdmissionRule.choices, default=AdmissionRule.TEAM_LEADER_APPROVALS
    )
    approvals_required = models.PositiveSmallIntegerField(
        default=1,
        help_text="How many member organizations must approve an admission "
        "(capped at the number of members).",
    )
    # A rule the members set by a poll (the accounts app applies it): the people of member
    # organizations need two-factor authentication to see and act in the network.
    requires_two_factor = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                name="network_approvals_at_least_one", condition=Q(approvals_required__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NetworkMembership(models.Model):
    """An organization's relation to a network, from application or invitation to leaving."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied, awaiting admission"
        INVITED = "invited", "Invited and accepted, awaiting admission"
        ACTIVE = "active", "Member"
        REJECTED = "rejected", "Not admitted"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed"

    PENDING = (Status.APPLIED, Status.INVITED)

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="network_memberships"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    message = models.TextField(blank=True, help_text="Why the organization wants to join.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "organization"], name="one_membership_per_org_and_network"
            ),
        ]
        indexes = [
            models.Index(fields=["network", "status"], name="netmember_network_status"),
            models.Index(fields=["organization", "status"], name="netmember_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} in {self.network} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING

    @classmethod
    def active_q(cls, now=None, *, prefix: str = "") -> Q:
        """The one rule for "is an active member now", as a filter: active, or removed by a vote
        whose notice period has not ended yet (ended_at is the end of the notice). Derived from
        the clock, so a removal takes effect by itself without a worker."""
        still, in_notice = cls.active_parts(now, prefix=prefix)
        return still | in_notice

    @classmethod
    def active_parts(cls, now=None, *, prefix: str = "") -> tuple[Q, Q]:
        """active_q()'s two disjoint halves (active; removed, notice not ended), for counts
        that want each half on its own index: `status = 'active'` is answered from the
        (network, status) index alone, without reading the rows."""
        now = now or timezone.now()
        return Q(**{f"{prefix}status": cls.Status.ACTIVE}), Q(
            **{f"{prefix}status": cls.Status.REMOVED, f"{prefix}ended_at__gt": now}
        )

    def is_active_at(self, now) -> bool:
        """The same rule as active_q(), for a row already loaded."""
        return self.status == self.Status.ACTIVE or (
            self.status == self.Status.REMOVED and self.ended_at is not None and self.ended_at > now
        )

    @property
    def is_active(self) -> bool:
        return self.is_active_at(timezone.now())


class AdmissionVote(models.Model):
    """A member organization's approval or rejection of a pending membership."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"

    membership = models.ForeignKey(
        NetworkMembership, on_delete=models.CASCADE, related_name="admission_votes"
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "organization"], name="one_admission_vote_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.decision}s {self.membership}"


def default_invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS)


class Invitation(models.Model):
    """An invitation by email, answered through a single-use link: into a network or an org."""

    class Kind(models.TextChoices):
        NETWORK = "network", "Organization invited to a network"
        COLLEAGUE = "colleague", "Colleague invited to an organization"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    email = models.EmailField()
    digest = models.CharField(max_length=64, unique=True)
    network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
        help_text="For a colleague: the organization they are invited into. For a network "
        "invitation: the organization that answered it.",
    )
    role = models.CharField(max_length=20, choices=OrgMembership.Role.choices, blank=True)
    department = models.CharField(max_length=100, blank=True)
    message = models.TextField(blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    inviting_organization = models.ForeignKey(
        Organization, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decline_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_invitation_expiry)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="invitation_has_target",
                condition=Q(kind="network", network__isnull=False)
                | Q(kind="colleague", organization__isnull=False),
            ),
        ]
        indexes = [models.Index(Lower("email"), "status", name="invitation_email_status")]

    def __str__(self) -> str:
        target = self.network if self.kind == self.Kind.NETWORK else self.organization
        return f"Invitation of {self.email} to {target}"

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.PENDING and timezone.now() >= self.expires_at

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING and not self.is_expired


class Agreement(models.Model):
    """A versioned text the member organizations accept: the charter or an NDA."""

    class Kind(models.TextChoices):
        CHARTER = "charter", "Charter"
        NDA = "nda", "Non-disclosure agreement"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="agreements")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["network", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "kind", "version"], name="one_agreement_version"
            ),
            models.CheckConstraint(name="agreement_version_positive", condition=Q(version__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class AgreementAcceptance(models.Model):
    """An organization's recorded acceptance of one agreement version, by one of its people."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="acceptances")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organization"], name="one_acceptance_per_org_and_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} accepted {self.agreement}"
