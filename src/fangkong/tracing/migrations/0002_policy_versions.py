"""The dated tracing policy versions of practice (reference/china-practice.md §1.1)."""

import datetime as dt

from django.db import migrations

VERSIONS = [
    ("8th edition", dt.date(2021, 5, 14), {"secondary": True},
     "Close contacts 14 d centralised + 7 d home; secondary contacts traced."),
    ("9th edition", dt.date(2022, 6, 28), {"secondary": True},
     "Close contacts 7 d centralised + 3 d home; secondary contacts 7 d home quarantine."),
    ("20 measures", dt.date(2022, 11, 11), {"secondary": False},
     "Close contacts 5 d centralised + 3 d home; secondary contacts no longer identified."),
]


def add_versions(apps, schema_editor):  # type: ignore[no-untyped-def]
    policy = apps.get_model("tracing", "TracingPolicy")
    for name, effective_from, contact, note in VERSIONS:
        policy.objects.get_or_create(
            name=name,
            defaults={"effective_from": effective_from, "contact": contact, "note": note},
        )


class Migration(migrations.Migration):
    dependencies = [("tracing", "0001_initial")]
    operations = [migrations.RunPython(add_versions, migrations.RunPython.noop)]
