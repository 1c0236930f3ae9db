"""Supplies' dated rule versions. Daily need per person is the upper end of the ranges of the
Chinese Dietary Guidelines (中国居民膳食指南): 2016 edition (谷薯类 250–400 g, 蔬菜 300–500 g,
奶 300 g, 畜禽肉 40–75 g, 蛋 40–50 g, 油 25–30 g) and 2022 edition (same, 奶及奶制品
300–500 g). Oil's 30 g is taken as 0.03 L. The days of need and price thresholds are this
project's defaults (docs/supplies.md): outlets hold 3 days for a street's residents, 7 days
for those in a sealed or controlled area (its first period of home stay), and a street's
median price more than 20 % over the median of the previous 7 days, or at 1.5 × the median of
the previous 30 days, is a jump (价格异常波动)."""

from django.db import migrations

RULES = {"normal_days": 3, "sealed_days": 7, "sealed_levels": ["sealed", "controlled"],
         "jump_percent": 20, "trailing_days": 7, "min_history": 3, "ceiling_multiple": 1.5,
         "ceiling_days": 30}


def need(*, milk):  # type: ignore[no-untyped-def]
    return {"grain": 0.4, "oil": 0.03, "meat": 0.075, "eggs": 0.05, "vegetables": 0.5,
            "milk": milk}


VERSIONS = [
    ("supplies-2016", "2016-05-13", {**RULES, "daily_need": need(milk=0.3)},
     "Chinese Dietary Guidelines 2016; 3 days, 7 in sealed and controlled areas; 20 % jump"),
    ("supplies-2022-04", "2022-04-26", {**RULES, "daily_need": need(milk=0.5)},
     "Chinese Dietary Guidelines 2022 (dairy up to 500 g); otherwise unchanged"),
]


def add_versions(apps, schema_editor):  # type: ignore[no-untyped-def]
    policy = apps.get_model("supplies", "SupplyPolicy")
    for name, day, rules, note in VERSIONS:
        policy.objects.update_or_create(name=name, defaults={
            "effective_from": day, "params": rules, "note": note})


class Migration(migrations.Migration):
    dependencies = [("supplies", "0001_initial")]
    operations = [migrations.RunPython(add_versions, migrations.RunPython.noop)]
