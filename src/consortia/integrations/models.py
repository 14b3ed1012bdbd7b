"""Webhook endpoints, the messages queued for them and each delivery attempt; worker heartbeats."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_webhook_id() -> str:
    return "msg_" + secrets.token_hex(12)


class Endpoint(models.Model):
    """A URL where one organization receives, signed, the events of one network it may see."""

    organization = models.ForeignKey(
        "networks.Organization", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    network = models.ForeignKey("networks.Network", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text="Event types, `group.*` or `*`.")
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # The signing secret, encrypted with a key derived from SECRET_KEY (integrations.crypto).
    secret_ciphertext = models.TextField()
    # During a rotation the previous secret signs too, until previous_secret_expires_at.
    previous_secret_ciphertext = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["network_id", "created_at", "id"]
        indexes = [models.Index(fields=["network", "enabled"], name="webhook_endpoint_network")]

    def __str__(self) -> str:
        return self.url

    def receives(self, event_type: str) -> bool:
        from .catalog import matches

        return matches(self.event_types, event_type)


class Message(models.Model):
    """One event (or test) to deliver to one endpoint; its `webhook-id` is the same on every
    retry and resend, so receivers can use it as an idempotency key."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="messages")
    event = models.ForeignKey(
        "core.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event_type = models.CharField(max_length=64)
    webhook_id = models.CharField(max_length=40, unique=True, default=new_webhook_id)
    test_data = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_message_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_message_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.webhook_id})"


class Attempt(models.Model):
    """One try at delivering a message: what the receiver answered, or why nothing was sent."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"
        REFUSED = "refused", "Refused (address not allowed)"
        NOT_VISIBLE = "not_visible", "Not sent (no longer visible)"
        DISABLED = "disabled", "Not sent (endpoint disabled)"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_log")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    attempted_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        indexes = [
            models.Index(fields=["endpoint", "-attempted_at"], name="webhook_attempt_log"),
            models.Index(fields=["outcome"], name="webhook_attempt_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.number}: {self.outcome}"


class WorkerHeartbeat(models.Model):
    """When a `consortia worker` process last finished a pass (read by /readyz and /metrics)."""

    name = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
