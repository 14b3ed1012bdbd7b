"""The matching index: what each organization states about itself, cut into phrases with
their vectors, ready to rank without touching the model at query time but for the query."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from consortia.networks.models import Network, Organization


class MatchDocument(models.Model):
    """One organization's stated profile (network empty), or its track record in one network
    (titles and objectives of the initiatives it took part in), as phrases and vectors."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="match_documents"
    )
    # Empty: the organization's own profile, shown to every network it belongs to. Set: its
    # initiatives in that network, which only that network's members may see.
    network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # [[field, phrase], …]: the evidence a match can quote, in the order of `vectors`' rows.
    phrases = models.JSONField(default=list)
    # float16 rows (one per phrase, 384 columns, the English model): embedding.from_bytes();
    # zero rows for a document written in another language.
    vectors = models.BinaryField(default=b"")
    # The document as a whole (fields weighted), one float16 row: what the ranking compares.
    vector = models.BinaryField(default=b"")
    # The same for the multilingual encoder: one float16 row of 512 columns (empty: not yet
    # indexed with it, `consortia manage matching_reindex` fills it).
    vector_ml = models.BinaryField(default=b"")
    # Its phrases' multilingual vectors (float16 rows of 512, in the order of `phrases`): the
    # closest phrase shown as evidence. Empty: not yet indexed with it.
    vectors_ml = models.BinaryField(default=b"")
    model_name = models.CharField(max_length=80)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(network__isnull=True),
                name="one_match_profile_per_org",
            ),
            models.UniqueConstraint(
                fields=["organization", "network"],
                condition=Q(network__isnull=False),
                name="one_match_track_per_org_and_network",
            ),
        ]
        indexes = [models.Index(fields=["network", "organization"], name="matchdoc_network_org")]

    def __str__(self) -> str:
        where = f" in network {self.network_id}" if self.network_id else ""
        return f"Match document of {self.organization_id}{where}"


class MatchIndexState(models.Model):
    """One row: a token replaced whenever the index changes, so that each process knows when
    its in-memory copy of the vectors is out of date (index.touch)."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
