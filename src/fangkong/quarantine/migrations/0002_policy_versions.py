"""The dated quarantine rules of practice (reference/china-practice.md §1.1, §8). Per reason:
the kind of order, centralised and home days counted from the day after the last exposure, and
the test days of each phase; a reason set to null is not quarantined under that version."""

import datetime as dt

from django.db import migrations


def rule(kind, centralised, home, tests_c, tests_h, *, home_kind="monitoring"):  # type: ignore[no-untyped-def]  # noqa: E501
    return {"kind": kind, "centralised_days": centralised, "home_days": home,
            "home_kind": home_kind, "tests_centralised": tests_c, "tests_home": tests_h}


COMMON = {"rooms_per_10k": 20, "fever_c": 37.3, "support_mood_at_most": 2}

VERSIONS = [
    ("8th edition", dt.date(2021, 5, 11), {
        "close": rule("centralised", 14, 7, [1, 4, 7, 14], []),
        "secondary": rule("centralised", 7, 0, [], []),
        "risk_area": rule("centralised", 14, 7, [1, 4, 7, 14], []),
        "inbound": rule("centralised", 14, 7, [1, 4, 7, 14], []),
        **COMMON},
     "Close contacts 14 d centralised + 7 d home monitoring, tests on days 1, 4, 7, 14 with two "
     "samples at two labs before release. The sources give no test days for secondary contacts "
     "or for the home phase: none are scheduled."),
    ("9th edition", dt.date(2022, 6, 28), {
        "close": rule("centralised", 7, 3, [1, 2, 3, 5, 7], [3]),
        "secondary": rule("home", 0, 7, [], [1, 4, 7], home_kind="home"),
        "risk_area": rule("centralised", 7, 0, [1, 2, 3, 5, 7], []),
        "inbound": rule("centralised", 7, 3, [1, 2, 3, 5, 7], [3]),
        **COMMON},
     "Close contacts 7 d centralised + 3 d home monitoring (tests on days 1, 2, 3, 5, 7 and home "
     "day 3); secondary contacts 7 d home quarantine (days 1, 4, 7); from a high-risk area "
     "within 7 days: 7 d centralised (the test days of close contacts are assumed)."),
    ("20 measures", dt.date(2022, 11, 11), {
        "close": rule("centralised", 5, 3, [1, 2, 3, 5], [1, 3], home_kind="home"),
        "secondary": None,
        "risk_area": rule("home", 0, 7, [], [1, 3, 5, 7], home_kind="home"),
        "inbound": rule("centralised", 5, 3, [1, 2, 3, 5], [1, 3], home_kind="home"),
        **COMMON},
     "Close contacts 5 d centralised + 3 d home quarantine (days 1, 2, 3, 5; home days 1, 3); "
     "secondary contacts no longer identified; high-risk-area spillover 7 d at home "
     "(days 1, 3, 5, 7)."),
]


def add_versions(apps, schema_editor):  # type: ignore[no-untyped-def]
    policy = apps.get_model("quarantine", "QuarantinePolicy")
    for name, effective_from, params, note in VERSIONS:
        policy.objects.get_or_create(
            name=name, defaults={"effective_from": effective_from, "params": params, "note": note})


class Migration(migrations.Migration):
    dependencies = [("quarantine", "0001_initial")]
    operations = [migrations.RunPython(add_versions, migrations.RunPython.noop)]
