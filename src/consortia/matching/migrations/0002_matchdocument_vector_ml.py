from django.db import migrations, models

from consortia.matching import index


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_match_documents_and_full_text")]

    operations = [
        migrations.AddField(
            model_name="matchdocument",
            name="vector_ml",
            field=models.BinaryField(default=b""),
        ),
        # Give every existing document its multilingual vector (the same rebuild as 0001).
        migrations.RunPython(index.reindex_documents, migrations.RunPython.noop),
    ]
