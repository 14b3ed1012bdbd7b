"""Helpers for the sharing tests (the personas come from tests/conftest.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consortia.networks.models import Agreement, AgreementAcceptance
from consortia.sharing import services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="plan.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def text_file(name="notes.txt", content=b"hello partners", content_type="text/plain"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def share(actor, network, kind="post", **fields):
    fields.setdefault("title", f"A {kind}")
    fields.setdefault("body", "Some **text**.")
    if kind == "document":
        fields.setdefault("file", pdf())
    return services.item_create(actor=actor, network=network, kind=kind, **fields)


def network_nda(network, *accepting_orgs, version=1):
    agreement = Agreement.objects.create(
        network=network, kind="nda", version=version, title="Network NDA", text="We keep secrets."
    )
    for org in accepting_orgs:
        AgreementAcceptance.objects.create(agreement=agreement, organization=org)
    return agreement


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
