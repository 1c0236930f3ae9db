"""Answer templates of each hotline policy version (data only). Bodies name the rules of other
modules as ``{placeholder}`` (``hotline.answers.PLACEHOLDERS``), filled with the rules in force
on the day an agent uses them: the quarantine days of the 8th and 9th editions and of the 20
measures, the pop-up rules of the health code (the pharmacy test ended on 3 December 2022),
the lifting days of risk areas and the hotline's own deadlines. Wording follows the topics of
Beijing's epidemic calls (china-practice.md §7: entry and exit, pop-ups, wrongful restrictions,
daily needs); the November 2022 texts follow the 20 measures (no secondary contacts, home
quarantine after the centralised days, prompt unsealing)."""

from django.db import migrations

COMMON = [
    ("code", "code-popup",
     "健康码弹窗怎么解除", "How to clear a health-code pop-up",
     "您好，健康码弹窗一般有三类原因：与病例存在时空伴随、进京或返回后未按时核酸、购买四类药品后未检测。"
     "时空伴随弹窗需在{companion_within_days}天内完成{companion_tests}次核酸检测"
     "（间隔不少于{companion_apart_hours}小时），结果均为阴性后由社区核实解除；"
     "进京或返回后须在{arrival_test_hours}小时内完成核酸检测；{pharmacy_rule}。"
     "您的诉求已转至所在街道核实，{code_resolve_hours}小时内批量推送更正结果。",
     "Hello. A pop-up has one of three causes: a spatio-temporal overlap with a case, no test "
     "in time after arriving, or no test after buying one of the four medicine classes. A "
     "companion pop-up clears after {companion_tests} negative tests within "
     "{companion_within_days} days, at least {companion_apart_hours} hours apart, checked by "
     "your community; after arriving a test within {arrival_test_hours} hours is required; "
     "{pharmacy_rule}. Your street checks your case and the correction is pushed within "
     "{code_resolve_hours} hours."),
    ("code", "code-colour",
     "为什么是黄码或红码", "Why the code is yellow or red",
     "红码：确诊病例、无症状感染者和密切接触者（密接赋码{close_code_days}天）。"
     "黄码：次密接（{secondary_code_days}天）、时空伴随者（{companion_code_days}天）、"
     "居家隔离人员及封控、管控区居民。如认为赋码有误，可通过健康码页面申诉，由居住地街道核实。",
     "Red: confirmed and asymptomatic cases and close contacts (red for {close_code_days} "
     "days). Yellow: secondary contacts ({secondary_code_days} days), companions "
     "({companion_code_days} days), people in home quarantine and residents of sealed or "
     "controlled areas. If you think the colour is wrong, appeal on the health-code page; the "
     "street where you live checks it."),
    ("quarantine", "quarantine-conditions",
     "隔离期间身体不适怎么办", "Feeling unwell during quarantine",
     "隔离期间每天两次测量体温，体温达到{fever_c}℃或出现咳嗽、乏力等症状请立即告知驻点医护人员，"
     "由其安排复核和转运；慢性病用药可通过驻点工作人员代购。",
     "During quarantine your temperature is taken twice a day. At {fever_c} °C or with a "
     "cough or fatigue tell the on-site medical staff at once; they arrange a retest and "
     "transfer. Staff can buy your regular medicine for you."),
    ("testing", "testing-arrival",
     "返回后核酸检测要求", "Testing after arrival",
     "进京或返回本市人员须在抵达后{arrival_test_hours}小时内完成一次核酸检测，"
     "未按时检测的健康码将弹窗，检测结果出来后自动解除。便民采样点地址可在健康码页面查询。",
     "Anyone arriving must take a test within {arrival_test_hours} hours; without it the "
     "health code pops up, clearing itself once the result is in. Sampling sites are listed "
     "on the health-code page."),
    ("testing", "testing-pool-positive",
     "混管初筛阳性怎么办", "A positive pooled test",
     "您所在的混管初筛阳性，请原地居家、不要外出，工作人员将上门单采复核，复核阴性后恢复正常。"
     "复核期间健康码暂为黄码。核酸检测的其他问题，街道将在{callback_hours}小时内回访。",
     "Your pooled sample tested positive at first. Please stay at home; staff come to take "
     "a single sample for the retest, and everything returns to normal when it is negative. "
     "Until then your code is yellow. The street calls you back within {callback_hours} "
     "hours about any other testing question."),
    ("travel", "travel-arrival",
     "来返人员需要做什么", "What arrivals must do",
     "来返人员抵达后须在{arrival_test_hours}小时内完成核酸检测；来自高风险区的人员须主动向社区报备，"
     "按规定接受隔离（{quarantine_days}天集中隔离）。",
     "After arriving take a test within {arrival_test_hours} hours; anyone coming from a "
     "high-risk area reports to the community and is quarantined as the rules require "
     "({quarantine_days} days centralised)."),
    ("travel", "travel-lifting",
     "封控区什么时候解封", "When a sealed area is lifted",
     "封控区{lifting_rule}；解封前居民不得离开，就医等紧急情况由社区开具出入证明"
     "（有效期{pass_valid_hours}小时）。",
     "A sealed area is {lifting_rule}. Until then residents may not leave; for urgent needs "
     "such as a hospital visit the community issues a pass valid for {pass_valid_hours} "
     "hours."),
    ("supply", "supply-needs",
     "封控区生活物资和买药", "Groceries and medicine in a sealed area",
     "封控区生活物资由社区统一配送，买药需求{medicine_request_hours}小时内送达，"
     "生活物资需求{groceries_request_hours}小时内送达。您的诉求已派至所在街道，"
     "{supply_resolve_hours}小时内办结并在{callback_hours}小时内回访。",
     "Groceries in a sealed area are delivered by the community; medicine within "
     "{medicine_request_hours} hours, groceries within {groceries_request_hours} hours. Your "
     "request went to your street, is settled within {supply_resolve_hours} hours and you "
     "are called back within {callback_hours} hours."),
    ("supply", "supply-medical",
     "封控区急需就医", "Urgent medical care in a sealed area",
     "危急情况请立即拨打120。透析、孕产、化疗等特殊人群就医由社区专人对接，"
     "{medical_resolve_hours}小时内协调车辆和接诊医院，不得以核酸结果为由拒绝接诊。",
     "In an emergency call 120 at once. Dialysis, pregnancy and chemotherapy patients have a "
     "named community contact who arranges the vehicle and hospital within "
     "{medical_resolve_hours} hours; no hospital may refuse care for want of a test result."),
]

BEFORE_20 = [
    ("quarantine", "quarantine-close",
     "密接、次密接的隔离规定", "Quarantine of close and secondary contacts",
     "密切接触者实行{quarantine_days}天集中隔离+{home_days}天居家健康监测，集中隔离第"
     "{quarantine_test_days}天各做一次核酸检测，期满解除隔离。次密接：{secondary_rule}。",
     "Close contacts: {quarantine_days} days of centralised quarantine and {home_days} days "
     "of home health monitoring, tested on centralised days {quarantine_test_days}. Secondary "
     "contacts: {secondary_rule}."),
]

AFTER_20 = [
    ("quarantine", "quarantine-close",
     "密接隔离规定（二十条）", "Quarantine of close contacts (20 measures)",
     "根据二十条优化措施，密切接触者实行{quarantine_days}天集中隔离+{home_days}天居家隔离，"
     "集中隔离第{quarantine_test_days}天、居家隔离第{home_test_days}天各做一次核酸检测。"
     "次密接：{secondary_rule}。",
     "Under the 20 measures close contacts have {quarantine_days} days of centralised "
     "quarantine and {home_days} days of home quarantine, tested on centralised days "
     "{quarantine_test_days} and home days {home_test_days}. Secondary contacts: "
     "{secondary_rule}."),
    ("code", "code-wrongful",
     "被误判为风险人员", "Wrongly marked as at risk",
     "您反映被大数据误判为风险人员，已转交街道与公安核查，核实后{code_resolve_hours}"
     "小时内更正健康码，并在{callback_hours}小时内回访告知结果。",
     "You report being wrongly marked by the data as at risk. Your street and the police "
     "check it; once confirmed the code is corrected within {code_resolve_hours} hours and "
     "you are called back within {callback_hours} hours."),
]

VERSIONS = {"hotline-2021-10": COMMON + BEFORE_20, "hotline-2022-11": COMMON + AFTER_20}


def add_templates(apps, schema_editor):  # type: ignore[no-untyped-def]
    policy = apps.get_model("hotline", "HotlinePolicy")
    template = apps.get_model("hotline", "AnswerTemplate")
    for name, rows in VERSIONS.items():
        version = policy.objects.filter(name=name).first()
        if version is None:
            continue
        for category, key, title, title_en, body, body_en in rows:
            template.objects.update_or_create(policy=version, key=key, defaults={
                "category": category, "title": title, "title_en": title_en, "body": body,
                "body_en": body_en})


class Migration(migrations.Migration):
    dependencies = [("hotline", "0002_policy_versions")]
    operations = [migrations.RunPython(add_templates, migrations.RunPython.noop)]
