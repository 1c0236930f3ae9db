"""Early warning's dated rule versions (china-practice.md §5, §6.5, §12): Beijing's pharmacy
sentinel from August 2021 (the four classes, a test within 72 h), arrivals from a listed
origin tested on days 1, 2, 3, 5 and 7 of their stay (Wuxi's 7天5检) and other arrivals once
within 72 h; on 3 December 2022 the pharmacy rule was abolished and arrival tests ended.
The anomaly method's parameters are this project's defaults (docs/early-warning.md)."""

from django.db import migrations

ANOMALY = {"method": "ewma", "smoothing": 0.3, "limit_sd": 3.0, "baseline_days": 28,
           "min_expected": 3.0}


def params(*, pharmacy, arrival_hours, origin_days):  # type: ignore[no-untyped-def]
    return {
        "anomaly": ANOMALY,
        "pharmacy_sentinel": pharmacy,
        "arrival_test_within_hours": arrival_hours,
        "risk_origin_test_days": origin_days,
        "follow_up_hours": 24,
        "fever_celsius": 37.3,  # Beijing: above 37.3 ℃ to closed-loop management (§5)
    }


VERSIONS = [
    ("warning-2021-08", "2021-08-09",
     params(pharmacy=True, arrival_hours=72, origin_days=[1, 2, 3, 5, 7]),
     "pharmacy sentinel (四类药品, test within 72 h); arrivals from listed origins 7天5检"),
    ("warning-2022-12", "2022-12-03",
     params(pharmacy=False, arrival_hours=0, origin_days=[]),
     "pharmacy registration abolished on 3 December 2022; arrivals owe no tests"),
]


def add_versions(apps, schema_editor):  # type: ignore[no-untyped-def]
    policy = apps.get_model("warning", "WarningPolicy")
    for name, day, rules, note in VERSIONS:
        policy.objects.update_or_create(name=name, defaults={
            "effective_from": day, "params": rules, "note": note})


class Migration(migrations.Migration):
    dependencies = [("warning", "0001_initial")]
    operations = [migrations.RunPython(add_versions, migrations.RunPython.noop)]
