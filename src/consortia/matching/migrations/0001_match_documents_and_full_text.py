import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from consortia.matching import index


def create_table(apps, schema_editor):
    """The full-text table: vendor SQL (FTS5 on SQLite, a weighted tsvector with a GIN index on
    PostgreSQL) that Django's model state cannot describe."""
    postgres = schema_editor.connection.vendor == "postgresql"
    for statement in index.POSTGRES_SCHEMA if postgres else index.SQLITE_SCHEMA:
        schema_editor.execute(statement)


def drop_table(apps, schema_editor):
    for statement in index.DROP:
        schema_editor.execute(statement)


def index_existing(apps, schema_editor):
    """Index the organizations already there (a database from before matching existed), with
    this migration's models."""
    models_ = index.migration_models(apps)
    if models_.organization.objects.exists():
        index.rebuild(models=models_)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("networks", "0003_orgmembership_votes_for_organization"),
        ("initiatives", "0001_initiatives_terms_plans_requests_commitments"),
    ]

    operations = [
        migrations.CreateModel(
            name="MatchDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("phrases", models.JSONField(default=list)),
                ("vectors", models.BinaryField(default=b"")),
                ("vector", models.BinaryField(default=b"")),
                ("model_name", models.CharField(max_length=80)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "network",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="networks.network",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="match_documents",
                        to="networks.organization",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["network", "organization"], name="matchdoc_network_org")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("network__isnull", True)),
                        fields=("organization",),
                        name="one_match_profile_per_org",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("network__isnull", False)),
                        fields=("organization", "network"),
                        name="one_match_track_per_org_and_network",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="MatchIndexState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(create_table, drop_table),
        migrations.RunPython(index_existing, migrations.RunPython.noop),
    ]
