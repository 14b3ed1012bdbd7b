"""Queue emails for the worker, and deliver queued ones."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from consortia.core.models import OutboundEmail

log = logging.getLogger(__name__)
CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 5


def queue_email(*, to: str, subject: str, template: str, context: dict) -> OutboundEmail:
    body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
    return OutboundEmail.objects.create(to=to, subject=subject[:200], body=body)


def deliver_pending(limit: int = 100) -> int:
    """Send queued emails; safe with several workers (each row is claimed by one UPDATE)."""
    now = timezone.now()
    sent = 0
    candidates = OutboundEmail.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT),
        sent_at__isnull=True,
        attempts__lt=MAX_ATTEMPTS,
    ).values_list("pk", "claimed_at")[:limit]
    for pk, claimed_at in list(candidates):
        claimed = OutboundEmail.objects.filter(
            pk=pk, sent_at__isnull=True, claimed_at=claimed_at
        ).update(claimed_at=now)
        if not claimed:
            continue  # another worker took it
        email = OutboundEmail.objects.get(pk=pk)
        try:
            send_mail(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to])
        except Exception as exc:
            log.warning("email %s to %s failed: %s", pk, email.to, exc)
            OutboundEmail.objects.filter(pk=pk).update(
                claimed_at=None, attempts=email.attempts + 1, last_error=str(exc)[:2000]
            )
            continue
        OutboundEmail.objects.filter(pk=pk).update(
            sent_at=timezone.now(), attempts=email.attempts + 1, last_error=""
        )
        sent += 1
    return sent
