from django.db import migrations, models

from consortia.matching import index


def reindex(apps, schema_editor):
    """Give every existing document its phrases' multilingual vectors (a rebuild, as 0001)."""
    models_ = index.Models(
        document=apps.get_model("matching", "MatchDocument"),
        organization=apps.get_model("networks", "Organization"),
        initiative=apps.get_model("initiatives", "Initiative"),
        participation=apps.get_model("initiatives", "Participation"),
        membership=apps.get_model("networks", "NetworkMembership"),
    )
    if models_.document.objects.exists():
        index.rebuild(models=models_)


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_matchdocument_vector_ml")]

    operations = [
        migrations.AddField(
            model_name="matchdocument",
            name="vectors_ml",
            field=models.BinaryField(default=b""),
        ),
        migrations.RunPython(reindex, migrations.RunPython.noop),
    ]
