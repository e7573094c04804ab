"""Full-text search support: an FTS5 table on SQLite, the unaccent extension on PostgreSQL."""

from django.db import migrations


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_dataset_fts USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
    elif vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS catalog_dataset_fts")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_resource_ingest_report")]
    operations = [migrations.RunPython(forwards, backwards)]
