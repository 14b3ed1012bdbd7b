"""Challenges, posts and documents shared within boundaries; NDAs; the access log (C5, C6).

Who may see an item is decided in one place, sharing.audience (in SQL), and specified by the
pure-Python oracle in sharing.oracle.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from consortia.networks.models import Network, Organization

PERSON = settings.AUTH_USER_MODEL


class Nda(models.Model):
    """A bilateral non-disclosure agreement proposed by one organization to another."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        SUPERSEDED = "superseded", "Superseded"

    LIVE = (Status.PROPOSED, Status.ACCEPTED)

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="ndas")
    proposer = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    counterparty = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    text = models.TextField()
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The pair is unordered: A→B and B→A cannot both be live, even when both
            # organizations propose at the same moment.
            models.UniqueConstraint(
                F("network"),
                Least("proposer", "counterparty"),
                Greatest("proposer", "counterparty"),
                condition=Q(status__in=["proposed", "accepted"]),
                name="one_live_nda_per_pair",
            ),
            models.CheckConstraint(
                name="nda_between_two_orgs", condition=~Q(proposer=F("counterparty"))
            ),
            models.CheckConstraint(name="nda_version_positive", condition=Q(version__gte=1)),
        ]
        indexes = [
            models.Index(fields=["network", "status"], name="nda_network_status"),
            models.Index(fields=["counterparty", "status"], name="nda_counterparty_status"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version} ({self.proposer} → {self.counterparty})"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


class Item(models.Model):
    """One shared thing — a challenge, a post or a document — with its audience and level."""

    class Kind(models.TextChoices):
        CHALLENGE = "challenge", "Challenge"
        POST = "post", "Post"
        DOCUMENT = "document", "Document"

    class Audience(models.TextChoices):
        ORGANIZATION = "organization", "Own organization only"
        PARTNERS = "partners", "Named partner organizations"
        INITIATIVE = "initiative", "Participants of an initiative"
        NETWORK = "network", "The whole network"

    class Level(models.TextChoices):
        OPEN = "open", "Open"
        CONFIDENTIAL = "confidential", "Confidential (NDA required)"
        RESTRICTED = "restricted", "Restricted (named people only)"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        CONVERTED = "converted", "Converted into an initiative"
        PUBLISHED = "published", "Published"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="shared_items")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="shared_items"
    )
    author = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    tags = models.CharField(max_length=500, blank=True)
    audience = models.CharField(max_length=12, choices=Audience.choices)
    initiative = models.ForeignKey(
        "initiatives.Initiative",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="shared_items",
    )
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.OPEN)
    status = models.CharField(max_length=10, choices=Status.choices)
    outcome = models.TextField(blank=True)
    converted_initiative = models.ForeignKey(
        "initiatives.Initiative",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="item_initiative_iff_initiative_audience",
                condition=Q(audience="initiative", initiative__isnull=False)
                | (~Q(audience="initiative") & Q(initiative__isnull=True)),
            ),
            models.CheckConstraint(
                name="item_status_fits_kind",
                condition=Q(kind="challenge", status__in=["open", "resolved", "converted"])
                | Q(kind__in=["post", "document"], status="published"),
            ),
            models.CheckConstraint(
                name="item_converted_has_initiative",
                condition=Q(converted_initiative__isnull=True) | Q(status="converted"),
            ),
            models.CheckConstraint(
                name="item_known_audience",
                condition=Q(audience__in=["organization", "partners", "initiative", "network"]),
            ),
            models.CheckConstraint(
                name="item_known_level",
                condition=Q(level__in=["open", "confidential", "restricted"]),
            ),
        ]
        indexes = [
            models.Index(
                F("network"), F("kind"), F("updated_at").desc(), name="item_network_kind_recent"
            ),
            models.Index(fields=["organization", "kind"], name="item_org_kind"),
            # The feed walks a network's items newest activity first and stops after a page of
            # visible ones: without it the database sorts every item of the network per request.
            models.Index(
                F("network"), F("updated_at").desc(), F("id").desc(), name="item_network_recent"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class ItemPartner(models.Model):
    """A partner organization named in an item's audience (audience = partners)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="partners")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "organization"], name="one_item_partner"),
        ]
        indexes = [models.Index(fields=["organization", "item"], name="itempartner_org_item")]

    def __str__(self) -> str:
        return f"{self.organization} may see {self.item}"


class ItemReader(models.Model):
    """A person named to read a restricted item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="readers")
    person = models.ForeignKey(PERSON, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "person"], name="one_item_reader"),
        ]
        indexes = [models.Index(fields=["person", "item"], name="itemreader_person_item")]

    def __str__(self) -> str:
        return f"{self.person} may read {self.item}"


class Offer(models.Model):
    """An organization's offer of help on a challenge."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="offers")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offer = models.TextField()
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "organization"],
                condition=Q(status__in=["pending", "accepted"]),
                name="one_live_offer_per_org",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="offer_org_status")]

    def __str__(self) -> str:
        return f"{self.organization} offers help on {self.item}"


COMMENT_MAX_LENGTH = 20_000


class Comment(models.Model):
    """A comment on a challenge or post; it is seen by exactly those who see the item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The same limit as the form, the API schema and the service (full_clean checks it).
    body = models.TextField(
        max_length=COMMENT_MAX_LENGTH, validators=[MaxLengthValidator(COMMENT_MAX_LENGTH)]
    )
    body_html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["item", "created_at"], name="comment_item_created")]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.item}"


def document_upload_to(instance, filename: str) -> str:
    # The stored name never reuses the uploaded name: nobody can guess a path from a title.
    import secrets

    return f"documents/{instance.item_id}/{secrets.token_hex(16)}"


class DocumentVersion(models.Model):
    """One uploaded version of a document's file."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=document_upload_to, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    text = models.TextField(blank=True, help_text="Plain text extracted for search.")
    uploaded_by = models.ForeignKey(
        PERSON, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="one_document_version"),
            models.CheckConstraint(name="document_version_positive", condition=Q(number__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.filename} v{self.number}"


class AccessLog(models.Model):
    """Someone viewed or downloaded a confidential or restricted item."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        DOWNLOAD = "download", "Downloaded"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="access_log")
    person = models.ForeignKey(PERSON, null=True, on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey(
        Organization, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    version = models.ForeignKey(
        DocumentVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["item", "-at"], name="accesslog_item_recent")]

    def __str__(self) -> str:
        return f"{self.person} {self.action} {self.item}"
