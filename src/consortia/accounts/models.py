"""The security log, e-mail domains tied to organizations for single sign-on, and the
addresses each API token was used from."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SecurityEvent(models.Model):
    """One entry of a person's security log: a sign-in, a failure, a lockout, a change."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        LOCKED_OUT = "locked_out", "Sign-in locked after repeated failures"
        SIGNED_OUT = "signed_out", "Signed out"
        SESSION_EXPIRED = "session_expired", "Session timed out"
        SESSIONS_ENDED = "sessions_ended", "Signed out everywhere else"
        TWO_FACTOR_ENABLED = "two_factor_enabled", "Two-factor authentication turned on"
        TWO_FACTOR_DISABLED = "two_factor_disabled", "Two-factor authentication turned off"
        TWO_FACTOR_FAILED = "two_factor_failed", "Wrong two-factor code"
        RECOVERY_CODES = "recovery_codes", "New recovery codes generated"
        RECOVERY_CODE_USED = "recovery_code_used", "Signed in with a recovery code"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        TOKEN_NEW_ADDRESS = "token_new_address", "API token used from a new address"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset by e-mail"
        EMAIL_CHANGED = "email_changed", "E-mail address changed"
        EMAIL_VERIFIED = "email_verified", "E-mail address verified"
        SSO_LINKED = "sso_linked", "Single sign-on account connected"
        REMOVED_FROM_ORGANIZATION = "left_organization", "Left or removed from the organization"
        DATA_EXPORTED = "data_exported", "Personal data downloaded"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="security_events",
        help_text="Empty for a failed sign-in with an address that has no account.",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    ip = models.GenericIPAddressField(null=True, blank=True, verbose_name="address")
    user_agent = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"], name="security_event_person")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class OrganizationDomain(models.Model):
    """An e-mail domain an operator tied to an organization: people whose single sign-on
    provider vouches for an address at this domain join the organization as members on their
    first sign-in."""

    domain = models.CharField(max_length=253, unique=True)
    organization = models.ForeignKey(
        "networks.Organization", on_delete=models.CASCADE, related_name="sso_domains"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                name="sso_domain_lowercase",
                condition=models.Q(domain=models.functions.Lower("domain")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain} → {self.organization}"


class TokenAddress(models.Model):
    """An address an API token was used from; the first use from each goes to the log."""

    token = models.ForeignKey("core.ApiToken", on_delete=models.CASCADE, related_name="+")
    ip = models.GenericIPAddressField()
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "ip"], name="one_row_per_token_address")
        ]

    def __str__(self) -> str:
        return f"{self.token} from {self.ip}"
