"""The dated risk-area rules of practice (reference/china-practice.md §3). Each level names
the clean days (no new case linked) before its next step, the step, and whether a negative
screening round of the whole area must fall within the days before it."""

import datetime as dt

from django.db import migrations

RESIDENT_LIMITS = {
    "pass_per_household": 1, "pass_period_days": 2, "pass_valid_hours": 4,
    "request_deadline_hours": {"emergency": 1, "dialysis": 12, "pregnancy": 24,
                               "medicine": 12, "groceries": 24, "other": 48},
}

VERSIONS = [
    ("封控/管控/防范 (before the 9th edition)", dt.date(2021, 1, 1), {
        "designatable": ["sealed", "controlled", "precaution"],
        "sealed": {"clean_days": 14, "next": "lifted", "negative_round_days": 2},
        "controlled": {"clean_days": 14, "next": "lifted", "negative_round_days": 2},
        "precaution": {"clean_days": None, "next": "lifted", "with_district": True},
        "isolated_case_resets": True, **RESIDENT_LIMITS},
     "National standard as explained by the Jilin CDC (2022-03): sealed and controlled areas "
     "lift when no new case for 14 days and the whole area screened negative within the 2 days "
     "before; precaution areas lift with the last sealed or controlled area of their district. "
     "The date marks the start of the data, not a decree."),
    ("9th edition (高/中/低风险区)", dt.date(2022, 6, 28), {
        "designatable": ["sealed", "controlled", "precaution"],
        "sealed": {"clean_days": 7, "next": "controlled", "negative_round_days": None},
        "controlled": {"clean_days": 7, "clean_days_if_downgraded": 3, "next": "lifted",
                       "negative_round_days": None},
        "precaution": {"clean_days": None, "next": "lifted", "with_district": True},
        "isolated_case_resets": True, **RESIDENT_LIMITS},
     "High risk → medium after 7 days without a new infection; medium → low after 3 days "
     "when downgraded from high, 7 when designated medium."),
    ("20 measures (高/低风险区)", dt.date(2022, 11, 11), {
        "designatable": ["sealed", "precaution"],
        "sealed": {"clean_days": 5, "next": "lifted", "negative_round_days": None},
        "controlled": {"clean_days": 5, "next": "lifted", "negative_round_days": None},
        "precaution": {"clean_days": None, "next": "lifted", "with_district": True},
        "isolated_case_resets": False, **RESIDENT_LIMITS},
     "Only high and low remain, drawn by building or unit; 5 consecutive days without a new "
     "infection → low, unsealed promptly. A new positive already isolated in the area does not "
     "reset the clock."),
]


def add_versions(apps, schema_editor):  # type: ignore[no-untyped-def]
    policy = apps.get_model("risk", "RiskPolicy")
    for name, effective_from, params, note in VERSIONS:
        policy.objects.get_or_create(
            name=name, defaults={"effective_from": effective_from, "params": params, "note": note})


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]
    operations = [migrations.RunPython(add_versions, migrations.RunPython.noop)]
