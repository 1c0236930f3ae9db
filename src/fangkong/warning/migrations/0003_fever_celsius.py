"""The fever line of the clinic sentinel becomes a rule of each version (37.3 ℃, Beijing's
threshold for closed-loop management, china-practice.md §5), no longer a constant in code."""

from django.db import migrations


def add_fever(apps, schema_editor):  # type: ignore[no-untyped-def]
    policy = apps.get_model("warning", "WarningPolicy")
    for version in policy.objects.all():
        if "fever_celsius" not in version.params:
            version.params = {**version.params, "fever_celsius": 37.3}
            version.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [("warning", "0002_policy_versions")]
    operations = [migrations.RunPython(add_fever, migrations.RunPython.noop)]
