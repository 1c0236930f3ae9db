"""Vaccination's dated rule versions and the products the city's sites give.

Versions (docs/vaccination.md §"Rules"): the reporting age bands and the elderly age (60, as
in the NHC's work plans for the elderly) hold throughout; what moves is the booster. No
booster until autumn 2021; from October 2021 a first booster at least six months (180 days)
after the primary series (NHC, key groups first, then all adults; the heterologous booster
of 19 February 2022 kept the six months); from 29 November 2022 (加强老年人新冠病毒疫苗接种
工作方案) three months (90 days). The dates are the start of each practice nationally; a city
that moved on another day adds its own version.

Products: the primary series of each as licensed in China: the inactivated vaccines (Sinovac
CoronaVac, Sinopharm BBIBP-CorV and WIBP) two doses, CanSino's Ad5-nCoV one dose, Zhifei's
recombinant protein ZF2001 three doses.

Both are seeded by ``add_versions`` (update_or_create: harmless to run again, which the
tests' fixtures do after a live-server test flushed the tables)."""

from django.db import migrations

BANDS = [[3, 11], [12, 17], [18, 59], [60, 69], [70, 79], [80, None]]


def params(*, booster):  # type: ignore[no-untyped-def]
    return {"age_bands": BANDS, "elderly_age": 60, "booster_after_days": booster}


VERSIONS = [
    ("vaccination-2020-12", "2020-12-15", params(booster=None),
     "key groups from 15 December 2020, then all adults, the elderly from March 2021; "
     "no booster yet"),
    ("vaccination-2021-10", "2021-10-01", params(booster=180),
     "first booster at least 6 months after the primary series (kept by the heterologous "
     "booster of 19 February 2022)"),
    ("vaccination-2022-11", "2022-11-29", params(booster=90),
     "加强老年人新冠病毒疫苗接种工作方案: first booster at least 3 months after the primary "
     "series"),
]

PRODUCTS = [
    ("CORONAVAC", "克尔来福(科兴)", "CoronaVac (Sinovac)", "北京科兴中维生物技术有限公司",
     "inactivated", 2, "Vero cell, 3-8 weeks between the two doses"),
    ("BBIBP", "众爱可维(国药北京所)", "BBIBP-CorV (Sinopharm Beijing)",
     "国药集团中国生物北京生物制品研究所", "inactivated", 2, "Vero cell, 3-8 weeks apart"),
    ("WIBP", "国药武汉所灭活疫苗", "WIBP (Sinopharm Wuhan)",
     "国药集团中国生物武汉生物制品研究所", "inactivated", 2, "Vero cell, 3-8 weeks apart"),
    ("AD5NCOV", "克威莎(康希诺)", "Convidecia Ad5-nCoV (CanSino)", "康希诺生物股份公司",
     "adenovirus type 5 vector", 1, "one dose completes the primary series"),
    ("ZF2001", "智克威得(智飞)", "ZF2001 (Zhifei Longcom)", "安徽智飞龙科马生物制药有限公司",
     "recombinant protein", 3, "three doses, a month or more apart"),
]


def add_versions(apps, schema_editor):  # type: ignore[no-untyped-def]
    policy = apps.get_model("vaccination", "VaccinationPolicy")
    for name, day, rules, note in VERSIONS:
        policy.objects.update_or_create(name=name, defaults={
            "effective_from": day, "params": rules, "note": note})
    product = apps.get_model("vaccination", "Product")
    for code, name, name_en, maker, platform, doses, note in PRODUCTS:
        product.objects.update_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "maker": maker, "platform": platform,
            "primary_doses": doses, "note": note})


class Migration(migrations.Migration):
    dependencies = [("vaccination", "0001_initial")]
    operations = [migrations.RunPython(add_versions, migrations.RunPython.noop)]
