"""The partnering agenda (C11, seed 004 steps 1-2): private to one organization.

An organization's agenda, selection criteria, prospects, scorecards, due diligence and decision
memos are read by its own people and nobody else: no network, no operator report, no export of a
network, and never the prospect itself. Every row here hangs off the organization that owns it
(`organization`), and every read filters on it (permissions.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

# The sections of seed 004 step 1: (field, label, the question the help text asks).
SECTIONS = (
    (
        "why_partner",
        "Why partner",
        "Why is partnering a good strategy for us? What can we not do, or not do as well, alone?",
    ),
    (
        "value_expected",
        "Value we expect",
        "What value do we expect a partner to bring: customers, skills, capacity, reputation?",
    ),
    (
        "success_measures",
        "How we measure success",
        "How will we measure a successful partnership? Name the standard metrics of our "
        "networks we will use, and the targets.",
    ),
    (
        "benefits",
        "Benefits",
        "What tangible (revenue, cost, time) and intangible (learning, reputation, trust) "
        "benefits do we expect?",
    ),
    (
        "what_we_bring",
        "What we bring",
        "What do we bring to a partner: capabilities, customers, assets, people, know-how?",
    ),
    (
        "gaps",
        "Gaps",
        "Which gaps in our offerings or skills should a partner fill? One gap per line: each "
        "line can be matched against the organizations of our networks.",
    ),
    (
        "resources_needed",
        "Resources the partnering needs",
        "What people, time and budget will partnering need from us, and who provides them?",
    ),
    (
        "risks",
        "Risks and dependencies",
        "What risks and dependencies does partnering bring (competitors, lock-in, data, "
        "reputation), and how do we limit them?",
    ),
)
SECTION_FIELDS = tuple(name for name, _label, _question in SECTIONS)
SECTION_LABELS = {name: label for name, label, _question in SECTIONS}
CAPACITY_LABEL = "Partner capacity"


class Agenda(models.Model):
    """An organization's partnering agenda: one per organization, versioned on every save."""

    organization = models.OneToOneField(
        "networks.Organization", on_delete=models.CASCADE, related_name="partnering_agenda"
    )
    why_partner = models.TextField(blank=True)
    value_expected = models.TextField(blank=True)
    success_measures = models.TextField(blank=True)
    benefits = models.TextField(blank=True)
    what_we_bring = models.TextField(blank=True)
    gaps = models.TextField(blank=True)
    resources_needed = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    partner_capacity = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many partners can we work with at the same time? You are warned when "
        "more prospects are in the partnering stage.",
    )
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="agenda_capacity_reasonable",
                condition=Q(partner_capacity__isnull=True) | Q(partner_capacity__lte=10000),
            ),
        ]

    def __str__(self) -> str:
        return f"Partnering agenda of {self.organization}"

    @property
    def gap_lines(self) -> list[str]:
        """Each non-empty line of the gaps section, without list markers."""
        lines = []
        for raw in self.gaps.splitlines():
            line = raw.strip().lstrip("-*•").strip()
            if line:
                lines.append(line[:300])
        return lines

    def snapshot(self) -> dict:
        data = {name: getattr(self, name) for name in SECTION_FIELDS}
        data["partner_capacity"] = self.partner_capacity
        return data


class AgendaVersion(models.Model):
    """One saved state of an agenda, with who saved it, when, and which sections changed."""

    agenda = models.ForeignKey(Agenda, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField(default=dict)
    changed = models.JSONField(default=list, help_text="The fields this save changed.")
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["agenda", "number"], name="agenda_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agenda} v{self.number}"


class Criterion(models.Model):
    """A weighted selection criterion with an anchored 0-4 scale (words for every step)."""

    class Group(models.TextChoices):
        STRATEGIC = "strategic", "Strategic"
        OPERATIONAL = "operational", "Operational"
        CULTURAL = "cultural", "Cultural fit"
        RISK = "risk", "Risk"

    SCALE = range(0, 5)

    organization = models.ForeignKey(
        "networks.Organization", on_delete=models.CASCADE, related_name="partner_criteria"
    )
    name = models.CharField(max_length=100)
    group = models.CharField(max_length=12, choices=Group.choices, default=Group.STRATEGIC)
    weight = models.DecimalField(max_digits=6, decimal_places=2)
    scale_0 = models.CharField(max_length=120)
    scale_1 = models.CharField(max_length=120)
    scale_2 = models.CharField(max_length=120)
    scale_3 = models.CharField(max_length=120)
    scale_4 = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "name", "id"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("name"), name="agenda_criterion_name_unique"
            ),
            models.CheckConstraint(
                name="agenda_criterion_weight_positive", condition=Q(weight__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def anchors(self) -> list[str]:
        return [self.scale_0, self.scale_1, self.scale_2, self.scale_3, self.scale_4]

    def anchor(self, value) -> str:
        return self.anchors[value] if value is not None and 0 <= value <= 4 else ""


class Stage(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    RESEARCHING = "researching", "Researching"
    DUE_DILIGENCE = "due_diligence", "Due diligence"
    APPROACHED = "approached", "Approached"
    PARTNERING = "partnering", "Partnering"
    DECLINED = "declined", "Declined"
    PARKED = "parked", "Parked"


PIPELINE = (
    Stage.IDENTIFIED,
    Stage.RESEARCHING,
    Stage.DUE_DILIGENCE,
    Stage.APPROACHED,
    Stage.PARTNERING,
)
CLOSED_STAGES = (Stage.DECLINED, Stage.PARKED)
# Reaching these stages needs the due diligence done (or a team leader's override).
AFTER_DILIGENCE = (Stage.APPROACHED, Stage.PARTNERING)


class Prospect(models.Model):
    """A possible partner on an organization's list: one of its networks' organizations, or an
    outside organization named by name and website. It never learns it is one."""

    organization = models.ForeignKey(
        "networks.Organization", on_delete=models.CASCADE, related_name="prospects"
    )
    partner = models.ForeignKey(
        "networks.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The organization, when it is on Consortia.",
    )
    name = models.CharField(max_length=150)
    website = models.URLField(blank=True)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.IDENTIFIED)
    stage_reason = models.TextField(blank=True)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    diligence_started_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_step = models.CharField(max_length=300, blank=True)
    next_step_on = models.DateField(null=True, blank=True)
    # The one-page decision memo.
    memo_context = models.TextField(blank=True)
    memo_options = models.TextField(blank=True)
    memo_risk_1 = models.CharField(max_length=300, blank=True)
    memo_risk_2 = models.CharField(max_length=300, blank=True)
    memo_risk_3 = models.CharField(max_length=300, blank=True)
    memo_recommendation = models.TextField(blank=True)
    memo_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    memo_updated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("name"), name="agenda_prospect_name_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "partner"],
                condition=Q(partner__isnull=False),
                name="agenda_prospect_partner_unique",
            ),
            models.CheckConstraint(
                name="agenda_prospect_not_itself",
                condition=~Q(partner=models.F("organization")),
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "next_step_on"], name="agenda_prospect_next_step"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.stage in CLOSED_STAGES

    @property
    def memo_risks(self) -> list[str]:
        return [r for r in (self.memo_risk_1, self.memo_risk_2, self.memo_risk_3) if r]

    @property
    def has_memo(self) -> bool:
        return bool(
            self.memo_context or self.memo_options or self.memo_risks or self.memo_recommendation
        )


class StageChange(models.Model):
    """A prospect's move between stages, with its reason and a team leader's override (kept)."""

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    reason = models.TextField(blank=True)
    override_reason = models.TextField(
        blank=True, help_text="Why a team leader moved on with required due diligence open."
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prospect}: {self.from_stage} → {self.to_stage}"


class Score(models.Model):
    """A prospect's score on one criterion (0-4 on its anchored scale) with its evidence."""

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    link = models.URLField(blank=True, max_length=500)
    document = models.ForeignKey(
        "sharing.Item",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="One of the organization's own shared documents.",
    )
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["criterion__group", "criterion__name"]
        constraints = [
            models.UniqueConstraint(fields=["prospect", "criterion"], name="agenda_one_score"),
            models.CheckConstraint(name="agenda_score_on_scale", condition=Q(value__lte=4)),
        ]

    def __str__(self) -> str:
        return f"{self.prospect} / {self.criterion}: {self.value}"


DEFAULT_TEMPLATE = (
    ("Financial health", "Recent accounts, funding, dependence on a few customers.", True),
    ("Legal and compliance", "Registration, litigation, sanctions, licences, ethics.", True),
    ("References", "Two partners or customers who worked with them, and what they said.", True),
    ("Security, if data is involved", "How they protect data we would share with them.", False),
    (
        "Exit plan",
        "How either side can leave the partnership, and what happens to shared work.",
        True,
    ),
)


class DiligenceTemplateItem(models.Model):
    """An item of the organization's due-diligence template, copied onto each new prospect."""

    organization = models.ForeignKey(
        "networks.Organization", on_delete=models.CASCADE, related_name="diligence_template"
    )
    title = models.CharField(max_length=150)
    description = models.CharField(max_length=500, blank=True)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("title"), name="agenda_template_title_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class DiligenceCheck(models.Model):
    """One due-diligence item of a prospect: its status, evidence, who checked it and when."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PASSED = "passed", "Checked: fine"
        CONCERN = "concern", "Checked: concern"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="checks")
    title = models.CharField(max_length=150)
    description = models.CharField(max_length=500, blank=True)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.prospect}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN
