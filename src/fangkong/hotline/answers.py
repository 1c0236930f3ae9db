"""Answer templates tied to the hotline policy in force, filled with the rules of the day.

A template's body names figures of other modules' rules as ``{placeholder}``; filling it reads
the rules in force on the day the answer is given (quarantine days from the quarantine policy,
pop-up rules from the health-code policy, lifting days from the risk-area policy, deadlines
from the hotline policy), so a template written once states the rule of the day it is used.
A placeholder nobody knows is refused with the template and the name, never left blank.
Text placeholders (a rule that may not exist under a version, such as the pharmacy test) come
in the answer's language."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangkong.core.errors import DomainError, NotFound
from fangkong.healthcode.logic import CodeRules
from fangkong.healthcode.policy import code_rules
from fangkong.hotline.logic import HotlineRules
from fangkong.hotline.models import AnswerTemplate
from fangkong.hotline.policy import hotline_policy_in_force, rules_of
from fangkong.quarantine.logic import QuarantineRules, ReasonRule
from fangkong.quarantine.policy import quarantine_rules
from fangkong.risk.logic import RiskRules
from fangkong.risk.policy import risk_rules


class RulesOfDay:
    """The rules of every module in force on one day, read only when a placeholder needs
    them (a template naming quarantine days never loads the risk policy)."""

    def __init__(self, on: dt.date, language: str) -> None:
        self.on, self.en = on, language.startswith("en")

    @cached_property
    def quarantine(self) -> QuarantineRules:
        return quarantine_rules(on=self.on)

    @cached_property
    def code(self) -> CodeRules:
        return code_rules(on=self.on)

    @cached_property
    def risk(self) -> RiskRules:
        return risk_rules(on=self.on)

    @cached_property
    def hotline(self) -> HotlineRules:
        return rules_of(hotline_policy_in_force(on=self.on))

    def text(self, zh: str, en: str) -> str:
        return en if self.en else zh

    def close(self) -> ReasonRule:
        rule = self.quarantine.rule_for("close")
        if rule is None:  # no version of practice stopped quarantining close contacts
            raise DomainError(_("close contacts are not quarantined on %(day)s")
                              % {"day": self.on}, field="body")
        return rule


def _days(values: tuple[int, ...]) -> str:
    return "、".join(str(v) for v in values) if values else "—"


def _secondary(r: RulesOfDay) -> str:
    rule = r.quarantine.rule_for("secondary")
    if rule is None:
        return r.text("不再判定次密接，无需隔离",
                      "secondary contacts are no longer identified or quarantined")
    if rule.kind == "centralised":
        return r.text(f"集中隔离{rule.centralised_days}天",
                      f"{rule.centralised_days} days of centralised quarantine")
    return r.text(f"居家隔离{rule.home_days}天", f"{rule.home_days} days of home quarantine")


def _pharmacy(r: RulesOfDay) -> str:
    sale = r.code.pharmacy
    if sale is None:
        return r.text("购买退热、止咳、抗生素、抗病毒四类药品已无需核酸检测",
                      "buying fever, cough, antibiotic or antiviral medicine no longer "
                      "requires a test")
    return r.text(f"购买四类药品后须在{sale.test_within_hours}小时内完成一次核酸检测，"
                  "否则健康码弹窗",
                  f"after buying one of the four medicine classes a test within "
                  f"{sale.test_within_hours} hours is required, or the health code pops up")


def _arrival_hours(r: RulesOfDay) -> int:
    arrival = r.code.arrival
    if arrival is None:
        raise DomainError(_("no arrival test rule on %(day)s") % {"day": r.on}, field="body")
    return arrival.test_within_hours


def _lifting(r: RulesOfDay) -> str:
    sealed = r.risk.levels["sealed"]
    days = sealed.clean_days or 0
    if sealed.next == "lifted":
        round_days = sealed.negative_round_days
        extra_zh = f"且解封前{round_days}天内全员核酸阴性" if round_days else ""
        extra_en = (f" and a negative screening of everyone within the {round_days} days "
                    "before") if round_days else ""
        return r.text(f"连续{days}天无新增感染者{extra_zh}即解封",
                      f"lifted after {days} days without a new infection{extra_en}")
    lower = r.risk.levels[sealed.next]
    then = lower.clean_days_if_downgraded or lower.clean_days or 0
    return r.text(f"连续{days}天无新增感染者降为中风险区，再{then}天无新增降为低风险区",
                  f"after {days} days without a new infection it becomes medium risk, "
                  f"after {then} more days low risk")


def _resolve_hours(category: str) -> Callable[[RulesOfDay], str]:
    def value(r: RulesOfDay) -> str:
        minutes = r.hotline.categories[category].resolve_minutes
        return f"{minutes / 60:g}"
    return value


PLACEHOLDERS: dict[str, Callable[[RulesOfDay], Any]] = {
    "quarantine_days": lambda r: r.close().centralised_days,
    "home_days": lambda r: r.close().home_days,
    "quarantine_test_days": lambda r: _days(r.close().tests_centralised),
    "home_test_days": lambda r: _days(r.close().tests_home),
    "secondary_rule": _secondary,
    "fever_c": lambda r: f"{r.quarantine.fever_c:g}",
    "close_code_days": lambda r: r.code.close.days,
    "secondary_code_days": lambda r: r.code.secondary.days,
    "companion_code_days": lambda r: r.code.companion.days,
    "companion_tests": lambda r: r.code.companion.tests,
    "companion_within_days": lambda r: r.code.companion.within_days,
    "companion_apart_hours": lambda r: r.code.companion.apart_hours,
    "arrival_test_hours": _arrival_hours,
    "pharmacy_rule": _pharmacy,
    "sealed_clean_days": lambda r: r.risk.levels["sealed"].clean_days,
    "lifting_rule": _lifting,
    "pass_valid_hours": lambda r: r.risk.pass_valid_hours,
    "medicine_request_hours": lambda r: r.risk.request_deadline_hours["medicine"],
    "groceries_request_hours": lambda r: r.risk.request_deadline_hours["groceries"],
    "supply_resolve_hours": _resolve_hours("supply"),
    "medical_resolve_hours": _resolve_hours("medical"),
    "code_resolve_hours": _resolve_hours("code"),
    "callback_hours": lambda r: r.hotline.callback_hours,
}


def placeholders_of(body: str) -> list[str]:
    """The names a body uses, in order; a malformed brace is an error naming the body."""
    try:
        return [name for _text, name, _spec, _conv in string.Formatter().parse(body)
                if name is not None]
    except ValueError as exc:
        raise DomainError(_("the template text is malformed: %(problem)s")
                          % {"problem": exc}, field="body") from exc


def check_body(body: str, *, field: str = "body") -> None:
    """Refuse a body naming a placeholder we cannot fill (``{}`` and ``{0}`` included)."""
    unknown = [n for n in placeholders_of(body) if n not in PLACEHOLDERS]
    if unknown:
        raise DomainError(_("unknown placeholder {%(name)s}; known: %(known)s")
                          % {"name": unknown[0], "known": ", ".join(sorted(PLACEHOLDERS))},
                          field=field)


def fill(body: str, *, on: dt.date, language: str) -> str:
    """The body with each placeholder replaced by the rule in force on ``on``."""
    check_body(body)
    rules = RulesOfDay(on, language)
    values = {name: PLACEHOLDERS[name](rules) for name in set(placeholders_of(body))}
    return body.format_map(values)


@dataclass(frozen=True)
class FilledAnswer:
    key: str
    category: str
    title: str
    text: str
    policy: str


def templates_in_force(*, on: dt.date, category: str = "") -> QuerySet[AnswerTemplate]:
    """The templates of the hotline policy in force on ``on`` (of one category if given)."""
    qs = AnswerTemplate.objects.filter(policy=hotline_policy_in_force(on=on))
    return qs.filter(category=category) if category else qs


def filled_answer(*, key: str, on: dt.date, language: str) -> FilledAnswer:
    """One template of the policy in force, filled in ``language`` (English falls back to
    the Chinese text where a template has none)."""
    template = templates_in_force(on=on).filter(key=key).first()
    if template is None:
        raise NotFound("answer template")
    en = language.startswith("en")
    body = template.body_en if en and template.body_en else template.body
    title = template.title_en if en and template.title_en else template.title
    try:
        text = fill(body, on=on, language=language)
    except DomainError as exc:
        raise DomainError(_("template %(key)s: %(problem)s")
                          % {"key": key, "problem": exc.message}, field="template") from exc
    return FilledAnswer(key=key, category=template.category, title=title, text=text,
                        policy=template.policy.name)
