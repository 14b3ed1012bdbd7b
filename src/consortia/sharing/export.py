"""An organization's export of what it shared in a network: a zip of JSON plus the files.

Everything the organization authored there — its challenges, posts and documents (with their
partners and named readers), the comments and offers made on them, the comments and offers it
made on other organizations' items (its own words, with the item's id only: the other item may
be out of its reach), its NDAs in the network, every version of its documents' files, and the
access log of its items. Nothing of anyone else's item is included.

Available to the organization's team leaders while it is a member, and after it left or was
removed (owners keep their own data: sharing.audience rule (a)). A fixed number of queries,
whatever the number of items; files are streamed into a temporary file, not held in memory.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from consortia.networks.permissions import require_person_may, require_team_leader
from consortia.sharing.models import AccessLog, Comment, DocumentVersion, Item, Nda, Offer
from consortia.sharing.permissions import get_readable_network_for

FORMAT = "consortia-sharing-export/1"


def export_network_for(person, slug: str):
    """The network and organization whose export `person` may download, else raise.

    Whoever may not read the network's items (outsiders, applicants, former members with
    nothing of their own) gets 404 (sharing's funnel); a person who is not a team leader gets 403.
    """
    network = get_readable_network_for(person, slug)
    membership = require_team_leader(
        person, "Only a team leader can export what the organization shared."
    )
    # The network's locks (two-factor it requires) hold for the organization's own items too.
    require_person_may(person, network, "member")
    return network, membership.organization


def filename_for(network, organization, now=None) -> str:
    now = now or timezone.now()
    return f"{slugify(organization.name)}-{network.slug}-{now:%Y%m%d-%H%M}.zip"


def _person(person) -> dict | None:
    if person is None:
        return None
    return {"id": person.pk, "name": person.name}  # no email: people of other organizations


@dataclass
class ExportData:
    manifest: dict
    items: list[dict]
    comments: list[dict]
    offers: list[dict]
    ndas: list[dict]
    access_log: list[dict]
    files: list[tuple[str, DocumentVersion]]  # (path in the zip, version)


def collect(network, organization, *, now=None) -> ExportData:
    """Everything to export, as plain data (a fixed number of queries)."""
    now = now or timezone.now()
    items = list(
        Item.objects.filter(network=network, organization=organization)
        .select_related("author", "initiative")
        .prefetch_related("partners__organization", "readers__person")
        .order_by("pk")
    )
    own_ids = [item.pk for item in items]
    own_set = set(own_ids)
    versions = list(
        DocumentVersion.objects.filter(item__in=own_ids)
        .select_related("uploaded_by")
        .order_by("item_id", "number")
    )
    versions_by_item: dict[int, list] = {}
    files = []
    for version in versions:
        path = f"files/{version.item_id}/v{version.number}-{version.filename or 'file'}"
        files.append((path, version))
        versions_by_item.setdefault(version.item_id, []).append(
            {
                "number": version.number,
                "filename": version.filename,
                "content_type": version.content_type,
                "size": version.size,
                "sha256": version.sha256,
                "uploaded_by": _person(version.uploaded_by),
                "created_at": version.created_at,
                "path": path,
            }
        )
    item_rows = [
        {
            "id": item.pk,
            "kind": item.kind,
            "title": item.title,
            "body": item.body,
            "tags": item.tag_list,
            "audience": item.audience,
            "level": item.level,
            "status": item.status,
            "outcome": item.outcome,
            "initiative": (
                {"id": item.initiative_id, "title": str(item.initiative)}
                if item.initiative_id
                else None
            ),
            "partners": [
                {"id": p.organization_id, "name": p.organization.name} for p in item.partners.all()
            ],
            "readers": [_person(r.person) for r in item.readers.all()],
            "author": _person(item.author),
            "created_at": item.created_at,
            "updated_at": item.updated_at,
            "versions": versions_by_item.get(item.pk, []),
        }
        for item in items
    ]
    comments = [
        {
            "id": comment.pk,
            "item": comment.item_id,
            "on_own_item": comment.item_id in own_set,
            "organization": comment.organization.name if comment.organization else None,
            "author": _person(comment.author),
            "body": comment.body,
            "created_at": comment.created_at,
        }
        for comment in Comment.objects.filter(item__network=network)
        .filter(Q(item__organization=organization) | Q(organization=organization))
        .select_related("author", "organization")
        .order_by("pk")
    ]
    offers = [
        {
            "id": offer.pk,
            "item": offer.item_id,
            "on_own_item": offer.item_id in own_set,
            "organization": offer.organization.name,
            "person": _person(offer.person),
            "offer": offer.offer,
            "message": offer.message,
            "status": offer.status,
            "created_at": offer.created_at,
            "answered_at": offer.answered_at,
        }
        for offer in Offer.objects.filter(item__network=network)
        .filter(Q(item__organization=organization) | Q(organization=organization))
        .select_related("person", "organization")
        .order_by("pk")
    ]
    ndas = [
        {
            "id": nda.pk,
            "title": nda.title,
            "text": nda.text,
            "version": nda.version,
            "status": nda.status,
            "proposer": nda.proposer.name,
            "counterparty": nda.counterparty.name,
            "created_at": nda.created_at,
            "answered_at": nda.answered_at,
            "ended_at": nda.ended_at,
        }
        for nda in Nda.objects.filter(network=network)
        .filter(Q(proposer=organization) | Q(counterparty=organization))
        .select_related("proposer", "counterparty")
        .order_by("pk")
    ]
    access_log = [
        {
            "item": entry.item_id,
            "person": _person(entry.person),
            "organization": entry.organization.name if entry.organization else None,
            "action": entry.action,
            "version": entry.version.number if entry.version else None,
            "at": entry.at,
        }
        for entry in AccessLog.objects.filter(item__in=own_ids)
        .select_related("person", "organization", "version")
        .order_by("pk")
    ]
    manifest = {
        "format": FORMAT,
        "network": {"slug": network.slug, "name": network.name},
        "organization": {"slug": organization.slug, "name": organization.name},
        "generated_at": now,
        "counts": {
            "items": len(item_rows),
            "comments": len(comments),
            "offers": len(offers),
            "ndas": len(ndas),
            "access_log": len(access_log),
            "files": len(files),
        },
    }
    return ExportData(manifest, item_rows, comments, offers, ndas, access_log, files)


def _dump(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def write_zip(data: ExportData, target) -> None:
    """Write the export into `target` (a path or a binary file object)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", _dump(data.manifest))
        archive.writestr("items.json", _dump(data.items))
        archive.writestr("comments.json", _dump(data.comments))
        archive.writestr("offers.json", _dump(data.offers))
        archive.writestr("ndas.json", _dump(data.ndas))
        archive.writestr("access_log.json", _dump(data.access_log))
        missing = []
        for path, version in data.files:
            try:
                with version.file.open("rb") as source, archive.open(path, "w") as sink:
                    while chunk := source.read(1024 * 1024):
                        sink.write(chunk)
            except OSError:
                missing.append(path)
        if missing:
            archive.writestr("missing_files.json", _dump(missing))


def build(network, organization, *, now=None):
    """The zip as a temporary file positioned at its start (the caller closes it)."""
    data = collect(network, organization, now=now)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    write_zip(data, spool)
    spool.seek(0)
    return spool
