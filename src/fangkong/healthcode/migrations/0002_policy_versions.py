"""The dated health-code rules (reference/china-practice.md §4, §5, §12). Each fact names the
colour it gives (or none), an optional pop-up flag, and how long it lasts; pop-ups from an
arrival or a pharmacy sale clear on a negative test sampled after the event."""

import datetime as dt

from django.db import migrations

BASE = {
    "token_minutes": 30,
    "case": "red",
    "close": {"colour": "red", "days": 10},
    "secondary": {"colour": "yellow", "days": 7},
    "companion": {"colour": "yellow", "popup": "risk_link", "days": 14, "tests": 2,
                  "within_days": 3, "apart_hours": 24},
    "order": {"centralised": "red", "home": "yellow", "monitoring": "yellow"},
    "area": {"sealed": "yellow", "controlled": "yellow", "precaution": None},
    "pool_hold": {"colour": "yellow", "popup": "pool_hold"},
    "arrival": {"popup": "test_missing", "test_within_hours": 72},
    "pharmacy": {"popup": "test_missing", "test_within_hours": 72,
                 "drug_classes": ["fever", "cough", "antibiotic", "antiviral"]},
    "bulk_change_threshold": 20, "bulk_window_minutes": 60,
}

VERSIONS = [
    ("2022 pop-ups (72 h)", dt.date(2022, 1, 22), BASE,
     "Red for cases and close contacts, yellow for secondary contacts, companions, home "
     "quarantine and residents of sealed or controlled areas (红码禁止、黄码限制、绿码通行); "
     "pop-ups for a positive pool on hold, an arrival without a test within 72 h (Beijing, "
     "22 Jan 2022) and a pharmacy sale of the four drug classes without a test within 72 h."),
    ("pharmacy rule ended (3 Dec 2022)", dt.date(2022, 12, 3), {**BASE, "pharmacy": None},
     "The pharmacy test requirement ended on 3 December 2022."),
]


def add_versions(apps, schema_editor):  # type: ignore[no-untyped-def]
    policy = apps.get_model("healthcode", "CodePolicy")
    for name, effective_from, params, note in VERSIONS:
        policy.objects.get_or_create(
            name=name, defaults={"effective_from": effective_from, "params": params, "note": note})


class Migration(migrations.Migration):
    dependencies = [("healthcode", "0001_initial")]
    operations = [migrations.RunPython(add_versions, migrations.RunPython.noop)]
