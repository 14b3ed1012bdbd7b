from django.db import migrations, models

from consortia.matching import index


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_matchdocument_vector_ml")]

    operations = [
        migrations.AddField(
            model_name="matchdocument",
            name="vectors_ml",
            field=models.BinaryField(default=b""),
        ),
        # Give every existing document its phrases' multilingual vectors (a rebuild, as 0001).
        migrations.RunPython(index.reindex_documents, migrations.RunPython.noop),
    ]
