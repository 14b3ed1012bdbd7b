"""Queued emails are delivered by the worker exactly once."""

import pytest
from django.core import mail

from consortia.core.mail import deliver_pending, queue_email
from consortia.core.models import OutboundEmail

pytestmark = pytest.mark.django_db


def queue(to="a@b.test"):
    return queue_email(
        to=to,
        subject="Hello",
        template="networks/email/admitted.txt",
        context={"membership": {"network": "N", "organization": "O"}, "person": None},
    )


def test_it_delivers_queued_emails_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queue("a@b.test")
    queue("c@d.test")
    assert deliver_pending() == 2
    assert deliver_pending() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["a@b.test", "c@d.test"]
    assert OutboundEmail.objects.filter(sent_at__isnull=True).count() == 0


def test_it_retries_a_failed_delivery_later(settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email = queue()

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr("consortia.core.mail.send_mail", broken)
    assert deliver_pending() == 0
    email.refresh_from_db()
    assert email.attempts == 1
    assert "SMTP server down" in email.last_error
    assert email.claimed_at is None
    monkeypatch.undo()
    assert deliver_pending() == 1
