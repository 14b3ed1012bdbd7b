from django.db import migrations

from consortia.matching import index


class Migration(migrations.Migration):
    """The English model is now all-MiniLM-L6-v2 (384 columns) instead of WordLlama (256):
    rebuild every existing document's English vectors (a rebuild, as 0002 and 0003). Until it
    has run, a 256-column vector is read as absent and the document counts with its
    multilingual vector."""

    dependencies = [("matching", "0003_matchdocument_vectors_ml")]

    operations = [migrations.RunPython(index.reindex_documents, migrations.RunPython.noop)]
