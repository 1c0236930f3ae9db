"""A prefix index for name search on PostgreSQL: LIKE 'p%' can use a b-tree only with the
pattern operator class unless the database collation is C. SQLite needs nothing (see
core.lookups.prefix_match)."""

from django.db import migrations

CREATE = ("CREATE INDEX IF NOT EXISTS person_name_prefix "
          "ON registry_person (name varchar_pattern_ops)")
DROP = "DROP INDEX IF EXISTS person_name_prefix"


def _on_postgresql(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
