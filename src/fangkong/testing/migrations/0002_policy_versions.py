"""The dated screening guidance of practice (reference/china-practice.md §6.1)."""

import datetime as dt

from django.db import migrations

VERSIONS = [
    ("3rd edition (区域核酸)", dt.date(2022, 3, 22), {},
     "Every area done in 24 h; sampling within 6 h; queue ≤ 20 min; one site per 2,000–3,000 "
     "people and one table per 600–800 (NHC, 13 May 2022); 10-in-1 pools by default."),
]


def add_versions(apps, schema_editor):  # type: ignore[no-untyped-def]
    policy = apps.get_model("screening", "ScreeningPolicy")
    for name, effective_from, params, note in VERSIONS:
        policy.objects.get_or_create(
            name=name, defaults={"effective_from": effective_from, "params": params, "note": note}
        )


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]
    operations = [migrations.RunPython(add_versions, migrations.RunPython.noop)]
