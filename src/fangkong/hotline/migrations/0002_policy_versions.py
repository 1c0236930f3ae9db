"""The hotline's dated rule versions (rules are data). SLA minutes per category: urgent medical
needs answered within the hour (issue 8); pop-up corrections within 6 h, the batch interval of
Beijing's 12345 corrections (china-practice.md §7, ``12345.correction_batch_h``); the rest are
this project's defaults, edited per city in the admin. The November 2022 version tightens the
medical and supply deadlines, after the 20 measures' demand that sealed residents' urgent needs
be met at once."""

from django.db import migrations


def category(urgency, respond, resolve):  # type: ignore[no-untyped-def]
    return {"urgency": urgency, "respond_minutes": respond, "resolve_minutes": resolve}


def params(*, medical, supply):  # type: ignore[no-untyped-def]
    return {
        "categories": {
            "medical": medical,
            "supply": supply,
            "code": category("high", 60, 360),
            "quarantine": category("normal", 120, 1440),
            "testing": category("normal", 120, 1440),
            "travel": category("normal", 240, 2880),
            "complaint": category("high", 120, 2880),
            "other": category("normal", 240, 4320),
        },
        # Level 1 (the district) at the first missed deadline, level 2 (the city) this many
        # minutes after it.
        "escalate_after_minutes": [0, 240],
        "callback_hours": 24,
        "satisfied_at_least": 4,
    }


VERSIONS = [
    ("hotline-2021-10", "2021-10-19",
     params(medical=category("urgent", 15, 60), supply=category("high", 60, 480)),
     "12345 epidemic lines (接诉即办), from 19 October 2021"),
    ("hotline-2022-11", "2022-11-11",
     params(medical=category("urgent", 10, 60), supply=category("high", 30, 240)),
     "after the 20 measures (11 November 2022): faster medical and supply answers"),
]


def add_versions(apps, schema_editor):  # type: ignore[no-untyped-def]
    policy = apps.get_model("hotline", "HotlinePolicy")
    for name, day, rules, note in VERSIONS:
        policy.objects.update_or_create(name=name, defaults={
            "effective_from": day, "params": rules, "note": note})


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]
    operations = [migrations.RunPython(add_versions, migrations.RunPython.noop)]
