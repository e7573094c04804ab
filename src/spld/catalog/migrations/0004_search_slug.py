"""The SQLite search index keeps each dataset's slug, so stale rows never match a reused id."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS catalog_dataset_fts")
        schema_editor.execute(
            "CREATE VIRTUAL TABLE catalog_dataset_fts USING fts5("
            "slug UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2')"
        )


def backwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search")]
    operations = [migrations.RunPython(forwards, backwards)]
