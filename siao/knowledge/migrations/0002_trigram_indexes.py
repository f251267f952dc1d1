"""On PostgreSQL, trigram indexes make the search's `LIKE '%word%'` on the normalized texts use
an index (docs/performance.md, « Help centre »). Other databases keep the plain scan."""

from django.db import migrations

INDEXES = {
    "knowledge_article_search_text_trgm": "search_text",
    "knowledge_article_search_head_trgm": "search_head",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL ≥ 13): the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON knowledge_article USING gin ({column} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
