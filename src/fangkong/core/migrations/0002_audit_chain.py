"""The audit log's integrity columns (core/audit_chain.py): every existing row gets its keyed
content hash here; the first seal then chains them all."""

from typing import Any

from django.db import migrations, models


def fill_digests(apps: Any, schema_editor: Any) -> None:
    from fangkong.core.audit_chain import audit_key, new_digest, row_values

    AuditLog = apps.get_model("core", "AuditLog")
    key = audit_key()
    rows = AuditLog.objects.filter(digest="").order_by("id")
    while batch := list(rows[:5000]):
        for row in batch:
            row.digest = new_digest(row_values(row), key=key)
        AuditLog.objects.bulk_update(batch, ["digest"])


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditlog", name="digest",
            field=models.CharField(default="", editable=False, max_length=80),
            preserve_default=False),
        migrations.AddField(
            model_name="auditlog", name="seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True, unique=True)),
        migrations.AddField(
            model_name="auditlog", name="link",
            field=models.CharField(blank=True, default="", editable=False, max_length=64)),
        migrations.RunPython(fill_digests, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="auditlog", name="digest",
            field=models.CharField(editable=False, max_length=80, unique=True)),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(unique=True)),
                ("link", models.CharField(max_length=64)),
                ("at", models.DateTimeField()),
                ("rows", models.PositiveIntegerField()),
            ],
            options={"ordering": ["-seq"]},
        ),
    ]
