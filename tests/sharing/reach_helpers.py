"""Helpers for the search, feed, export and notification tests (sharing-reach)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from consortia.sharing import search, services
from tests.conftest import fresh


def share(
    person,
    network,
    *,
    title,
    kind="post",
    body="Some text",
    audience="network",
    level="open",
    partners=(),
    readers=(),
    file_text=None,
):
    """Share an item through the service, and make sure it is indexed."""
    file = None
    if kind == "document":
        file = SimpleUploadedFile(
            "notes.txt", (file_text or "plain document text").encode(), content_type="text/plain"
        )
    item = services.item_create(
        actor=fresh(person),
        network=network,
        kind=kind,
        title=title,
        body=body,
        audience=audience,
        level=level,
        partners=partners,
        readers=readers,
        file=file,
    )
    search.index_item(item)
    return item


def comment(person, item, body):
    result = services.comment_create(actor=fresh(person), item=item, body=body)
    search.index_item(item)
    return result
