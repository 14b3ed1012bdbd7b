"""Runs record the version of the protocol their clients speak (v1: ristretto255 scalar
multiplication; v2: X25519 on u = s², since commit 8b69292).

Runs that already exist record none. Those still under way get the version their uploads imply:
v1's values are ristretto255 encodings, whose lowest bit is always 0 (a canonical encoding is
non-negative), while v2's are X25519 coordinates, odd half the time; a list of n ≥ 20 (the
minimum set size) values all even is v1, or v2 with a chance of 2⁻ⁿ per list. A run under way
with nothing uploaded yet gets v2: its first upload must then come from a v2 client, and a
stale v1 page is told to reload. Runs that ended keep no relayed values to tell: their version
stays empty ("not recorded"), which changes nothing since an ended run takes no more steps.
"""

from django.db import migrations, models

POINT = 32
ACTIVE = ("open", "matched")
ELEMENTS = ("blinded", "double", "evaluated")  # payload tables are tags and sealed boxes


def implied_protocol(lists) -> int:
    """2, unless some value was uploaded and every uploaded value has its lowest bit clear (1)."""
    seen = False
    for data in lists:
        data = bytes(data)
        if not data:
            continue
        seen = True
        if any(data[i] & 1 for i in range(0, len(data), POINT)):
            return 2
    return 1 if seen else 2


def forward(apps, schema_editor):
    Run = apps.get_model("overlap", "Run")
    Blob = apps.get_model("overlap", "Blob")
    for run in Run.objects.filter(status__in=ACTIVE, protocol__isnull=True).only("pk"):
        lists = Blob.objects.filter(run_id=run.pk, kind__in=ELEMENTS).values_list("data", flat=True)
        run.protocol = implied_protocol(lists.iterator())
        run.save(update_fields=["protocol"])


class Migration(migrations.Migration):
    dependencies = [("overlap", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="run",
            name="protocol",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
