"""The cold chain's dated rule versions (rules are data). Test intervals per handler role and
the look-back of an environmental sample. Assumptions, to be edited per city in the admin:
from the national scheme for imported cold-chain food (进口冷链食品预防性全面消毒工作方案,
November 2020) those who touch imported goods directly (porters, warehouse keepers) and the
drivers who carry them are tested weekly, sellers every two weeks; from the 9th edition of the
prevention and control plan (June 2022), which lists imported cold-chain workers among the
high-risk posts, direct-contact handlers every 2 days and the others weekly. An environmental
sample covers the batches present in the 14 days before it (the incubation period)."""

from django.db import migrations

VERSIONS = [
    ("coldchain-2020-11", "2020-11-09",
     {"test_every_days": {"porter": 7, "warehouse": 7, "driver": 7, "seller": 14},
      "environment_lookback_days": 14},
     "imported cold-chain food: preventive disinfection scheme (November 2020)"),
    ("coldchain-2022-06", "2022-06-28",
     {"test_every_days": {"porter": 2, "warehouse": 2, "driver": 7, "seller": 7},
      "environment_lookback_days": 14},
     "9th edition of the plan (28 June 2022): cold-chain handlers are a high-risk post"),
]


def add_versions(apps, schema_editor):  # type: ignore[no-untyped-def]
    policy = apps.get_model("coldchain", "ColdChainPolicy")
    for name, day, rules, note in VERSIONS:
        policy.objects.update_or_create(name=name, defaults={
            "effective_from": day, "params": rules, "note": note})


class Migration(migrations.Migration):
    dependencies = [("coldchain", "0001_initial")]
    operations = [migrations.RunPython(add_versions, migrations.RunPython.noop)]
