"""Relief eligibility and its cap, as pure functions over plain values.

Every reason names the rule it applied and its source, so the page, the decision PDF and
the API explain a result the same way. Sources are in ../DOMAIN.md section C; the policy
choices where the sources are silent are in DESIGN.md §3.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

from relief.core.money import format_yuan

# --- Legal numbers -------------------------------------------------------------------------

#: The relief cap is 36 months of the provincial average wage (ReliefOpinion arts. 5–6).
CAP_MONTHS = 36

#: Decision within 10 working days of filing (CPLC-Opinion; DOMAIN.md C5).
DECISION_WORKING_DAYS = 10

#: The province whose wage series sets the cap: the court's (ReliefOpinion art. 5).
PROVINCE = "辽宁"

SOURCE_CATEGORIES = "《关于加强和规范人民法院国家司法救助工作的意见》第三条"
SOURCE_EXCLUSIONS = "《关于加强和规范人民法院国家司法救助工作的意见》第四条；中政委〔2014〕3号"
SOURCE_ONE_TIME = "《关于加强和规范人民法院国家司法救助工作的意见》第二条"
SOURCE_CAP = "《关于加强和规范人民法院国家司法救助工作的意见》第五条、第六条"
SOURCE_TERMINATION = "《最高人民法院关于严格规范终结本次执行程序的规定（试行）》；本院救助保险政策"
SOURCE_CONTRACT = "执行救助保险合同"


class Category(enum.StrEnum):
    """Who may receive relief (ReliefOpinion art. 3, items 1–8, and petitioners)."""

    CRIME_INJURY = "crime_injury"
    CRIME_LIFE_DANGER = "crime_life_danger"
    CRIME_DEATH = "crime_death"
    CRIME_PROPERTY = "crime_property"
    RETALIATION = "retaliation"
    MAINTENANCE = "maintenance"
    TORT_INJURY = "tort_injury"
    OTHER = "other"
    PETITIONER = "petitioner"


CATEGORY_LABELS = {
    Category.CRIME_INJURY: "刑事案件被害人受到犯罪侵害致重伤或严重残疾，无法通过诉讼获得赔偿",
    Category.CRIME_LIFE_DANGER: "刑事案件被害人受到犯罪侵害危及生命，急需救治，无力承担医疗费用",
    Category.CRIME_DEATH: (
        "刑事案件被害人受到犯罪侵害致死，依靠其收入为主要生活来源的近亲属无法获得赔偿"
    ),
    Category.CRIME_PROPERTY: "刑事案件被害人受到犯罪侵害致使财产遭受重大损失，无法获得赔偿",
    Category.RETALIATION: "举报人、证人、鉴定人因举报、作证、鉴定受到打击报复，无法获得赔偿",
    Category.MAINTENANCE: "追索赡养费、扶养费、抚育费等，因被执行人没有履行能力，生活困难",
    Category.TORT_INJURY: "道路交通事故等民事侵权行为造成人身伤害，无法通过诉讼获得赔偿",
    Category.OTHER: "党委政法委和政法各单位根据实际情况认为需要救助的其他人员",
    Category.PETITIONER: "涉诉信访人，诉求具有一定合理性但通过法律途径难以解决，且承诺息诉息访",
}

#: categories the sources leave to discretion: they always go to review
DISCRETIONARY_CATEGORIES = {Category.OTHER, Category.PETITIONER}


class Exclusion(enum.StrEnum):
    """Grounds on which relief is generally not given (DOMAIN.md C2)."""

    SIGNIFICANT_FAULT = "significant_fault"
    REFUSED_TO_HELP = "refused_to_help"
    FALSE_EVIDENCE = "false_evidence"
    WAIVED_COMPENSATION = "waived_compensation"
    HARDSHIP_NOT_FROM_CASE = "hardship_not_from_case"
    ALREADY_COMPENSATED = "already_compensated"
    OTHER = "other"


EXCLUSION_LABELS = {
    Exclusion.SIGNIFICANT_FAULT: "对案件发生有重大过错",
    Exclusion.REFUSED_TO_HELP: "无正当理由，拒绝配合查明案件事实",
    Exclusion.FALSE_EVIDENCE: "故意作虚伪陈述或者伪造证据，妨害诉讼",
    Exclusion.WAIVED_COMPENSATION: "在诉讼中主动放弃民事赔偿请求或者拒绝侵权责任人及其近亲属赔偿",
    Exclusion.HARDSHIP_NOT_FROM_CASE: "生活困难非案件原因所导致",
    Exclusion.ALREADY_COMPENSATED: "已经通过社会救助措施，得到合理补偿、救助",
    Exclusion.OTHER: "其他不应给予救助的情形",
}


class WageSeries(enum.StrEnum):
    """The published average-wage series; which one Liaoning uses is unverified (C3.6)."""

    NON_PRIVATE_ON_POST = "non_private_on_post"  #: 城镇非私营单位在岗职工
    URBAN_UNITS_ON_POST = "urban_units_on_post"  #: 城镇单位在岗职工
    NON_PRIVATE_EMPLOYED = "non_private_employed"  #: 城镇非私营单位就业人员（从业人员）


WAGE_SERIES_LABELS = {
    WageSeries.NON_PRIVATE_ON_POST: "城镇非私营单位在岗职工平均工资",
    WageSeries.URBAN_UNITS_ON_POST: "城镇单位在岗职工平均工资",
    WageSeries.NON_PRIVATE_EMPLOYED: "城镇非私营单位就业人员平均工资",
}

#: DESIGN.md §3: the series the Liaoning High Court used in its 2020 notice.
DEFAULT_WAGE_SERIES = WageSeries.NON_PRIVATE_ON_POST


# --- Values in and out ---------------------------------------------------------------------


class Verdict(enum.StrEnum):
    ELIGIBLE = "eligible"
    NEEDS_REVIEW = "needs_review"
    NOT_ELIGIBLE = "not_eligible"


class Check(enum.StrEnum):
    PASSED = "passed"
    REVIEW = "review"
    FAILED = "failed"


@dataclass(frozen=True)
class Reason:
    """One rule applied: its result, what it found, and where the rule comes from."""

    rule: str
    check: Check
    message: str
    source: str


@dataclass(frozen=True)
class WageBase:
    """The wage figure used for the cap, and the year that was asked for."""

    province: str
    series: WageSeries
    year: int
    annual_amount: Decimal
    wanted_year: int

    @property
    def fell_back(self) -> bool:
        """Whether the previous year's figure was missing and an older one was used."""
        return self.year != self.wanted_year

    @property
    def monthly_amount(self) -> Decimal:
        """The monthly average, to the fen (for display; the cap uses the annual figure)."""
        return (self.annual_amount / 12).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class ReliefFacts:
    """What the eligibility check needs to know, as plain values."""

    applicant_is_person: bool
    category: Category
    #: the case's 结案方式 is 终结本次执行程序
    case_terminated_round: bool
    unpaid_amount: Decimal
    #: another active relief application for the same case and applicant exists
    prior_relief: bool
    exclusions: frozenset[Exclusion]
    #: policy flag: relief needs a 终本 ruling (DESIGN.md §3)
    termination_required: bool
    termination_override_reason: str | None
    has_hardship_proof: bool
    wage: WageBase | None
    per_case_limit: Decimal
    aggregate_remaining: Decimal
    policy_in_force: bool
    especially_serious: bool = False


@dataclass(frozen=True)
class Cap:
    """The most that may be granted, and each bound it is the least of."""

    wage_cap: Decimal | None
    unpaid_amount: Decimal
    per_case_limit: Decimal
    aggregate_remaining: Decimal

    @property
    def amount(self) -> Decimal:
        """The binding cap: the least of the bounds."""
        bounds = [self.unpaid_amount, self.per_case_limit, self.aggregate_remaining]
        if self.wage_cap is not None:
            bounds.append(self.wage_cap)
        return max(min(bounds), Decimal("0.00"))

    @property
    def amount_without_wage_cap(self) -> Decimal:
        """The cap for an "especially serious" case, which may exceed the wage cap (C3.4)."""
        return max(
            min(self.unpaid_amount, self.per_case_limit, self.aggregate_remaining),
            Decimal("0.00"),
        )


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    reasons: list[Reason] = field(default_factory=list)
    cap: Cap | None = None

    def as_dict(self) -> dict:
        """A JSON-ready form, kept with the application as the record of the check."""
        cap = self.cap
        return {
            "verdict": self.verdict.value,
            "reasons": [
                {"rule": r.rule, "check": r.check.value, "message": r.message, "source": r.source}
                for r in self.reasons
            ],
            "cap": None
            if cap is None
            else {
                "amount": str(cap.amount),
                "wage_cap": None if cap.wage_cap is None else str(cap.wage_cap),
                "unpaid_amount": str(cap.unpaid_amount),
                "per_case_limit": str(cap.per_case_limit),
                "aggregate_remaining": str(cap.aggregate_remaining),
            },
        }


# --- The rules -----------------------------------------------------------------------------


def wage_cap(wage: WageBase) -> Decimal:
    """36 × the monthly average wage, i.e. 3 × the annual figure (ReliefOpinion arts. 5–6)."""
    return (wage.annual_amount * CAP_MONTHS / 12).quantize(Decimal("0.01"))


def compute_cap(facts: ReliefFacts) -> Cap:
    """min(36 × monthly wage, unpaid amount, per-case limit, what is left of the aggregate)."""
    return Cap(
        wage_cap=wage_cap(facts.wage) if facts.wage else None,
        unpaid_amount=facts.unpaid_amount,
        per_case_limit=facts.per_case_limit,
        aggregate_remaining=facts.aggregate_remaining,
    )


def assess(facts: ReliefFacts) -> Assessment:
    """Check eligibility: eligible, not eligible, or needs the approver's review."""
    reasons = [
        _natural_person(facts),
        _category(facts),
        _case_unsatisfied(facts),
        _termination(facts),
        _one_time(facts),
        *_exclusions(facts),
        _hardship_proof(facts),
        _policy(facts),
        _wage_base(facts),
    ]
    cap = compute_cap(facts)
    reasons.append(_cap_reason(cap))

    checks = {reason.check for reason in reasons}
    if Check.FAILED in checks:
        verdict = Verdict.NOT_ELIGIBLE
    elif Check.REVIEW in checks:
        verdict = Verdict.NEEDS_REVIEW
    else:
        verdict = Verdict.ELIGIBLE
    return Assessment(verdict=verdict, reasons=reasons, cap=cap)


def check_amount(amount: Decimal, cap: Cap, especially_serious: bool) -> str | None:
    """Why a proposed amount is not allowed, or None when it is.

    Above the wage cap only with the "especially serious" flag, and never above the unpaid
    amount, the per-case limit or the aggregate left (ReliefOpinion; DOMAIN.md C3.4).
    """
    if amount <= 0:
        return "救助金额必须大于零。"

    limit = cap.amount_without_wage_cap if especially_serious else cap.amount
    if amount <= limit:
        return None

    if not especially_serious and amount <= cap.amount_without_wage_cap:
        return (
            f"救助金额超过36个月平均工资的上限（{format_yuan(cap.wage_cap)}）；确属损失特别重大、"
            "生活特别困难的，须勾选“特别严重”并由审批人审批。"
        )
    return f"救助金额不得超过可救助上限（{format_yuan(limit)}）。"


def _natural_person(facts: ReliefFacts) -> Reason:
    if facts.applicant_is_person:
        return Reason("natural_person", Check.PASSED, "申请人为自然人。", SOURCE_EXCLUSIONS)
    return Reason(
        "natural_person",
        Check.FAILED,
        "申请人为法人或其他组织，不予救助；国家司法救助仅限自然人。",
        SOURCE_EXCLUSIONS,
    )


def _category(facts: ReliefFacts) -> Reason:
    label = CATEGORY_LABELS[facts.category]
    if facts.category in DISCRETIONARY_CATEGORIES:
        return Reason(
            "category",
            Check.REVIEW,
            f"救助类别：{label}。该类别须经审批人审查决定。",
            SOURCE_CATEGORIES,
        )
    return Reason("category", Check.PASSED, f"救助类别：{label}。", SOURCE_CATEGORIES)


def _case_unsatisfied(facts: ReliefFacts) -> Reason:
    if facts.unpaid_amount > 0:
        return Reason(
            "case_unsatisfied",
            Check.PASSED,
            f"执行案件尚有{format_yuan(facts.unpaid_amount)}未执行到位。",
            SOURCE_CAP,
        )
    return Reason(
        "case_unsatisfied",
        Check.FAILED,
        "执行案件的标的已全部执行到位，不存在执行不能。",
        SOURCE_CAP,
    )


def _termination(facts: ReliefFacts) -> Reason:
    if facts.case_terminated_round:
        return Reason(
            "termination", Check.PASSED, "案件已裁定终结本次执行程序。", SOURCE_TERMINATION
        )
    if not facts.termination_required:
        return Reason(
            "termination",
            Check.PASSED,
            "案件未终结本次执行程序；本保单不以终本裁定为救助前提。",
            SOURCE_TERMINATION,
        )
    if facts.termination_override_reason:
        return Reason(
            "termination",
            Check.REVIEW,
            "案件未终结本次执行程序，承办法官书面说明了例外理由，须经审批人审查。",
            SOURCE_TERMINATION,
        )
    return Reason(
        "termination",
        Check.FAILED,
        "案件尚未裁定终结本次执行程序；如确属执行不能，承办法官可书面说明理由后提请审批。",
        SOURCE_TERMINATION,
    )


def _one_time(facts: ReliefFacts) -> Reason:
    if facts.prior_relief:
        return Reason(
            "one_time",
            Check.FAILED,
            "同一案件的同一申请人已有救助申请或已获救助，只进行一次性救助。",
            SOURCE_ONE_TIME,
        )
    return Reason("one_time", Check.PASSED, "该申请人在本案中未获过救助。", SOURCE_ONE_TIME)


def _exclusions(facts: ReliefFacts) -> list[Reason]:
    if not facts.exclusions:
        return [Reason("exclusions", Check.PASSED, "未发现不予救助的情形。", SOURCE_EXCLUSIONS)]
    return [
        Reason(
            f"exclusion:{exclusion.value}",
            Check.FAILED,
            f"存在一般不予救助的情形：{EXCLUSION_LABELS[exclusion]}。",
            SOURCE_EXCLUSIONS,
        )
        for exclusion in sorted(facts.exclusions)
    ]


def _hardship_proof(facts: ReliefFacts) -> Reason:
    source = "《关于加强和规范人民法院国家司法救助工作的意见》第九条、第十条"
    if facts.has_hardship_proof:
        return Reason("hardship", Check.PASSED, "已提交生活困难证明材料。", source)
    return Reason(
        "hardship",
        Check.REVIEW,
        "尚未提交生活困难证明（村居委会或工作单位出具），须补充或由法院调取。",
        source,
    )


def _policy(facts: ReliefFacts) -> Reason:
    if facts.policy_in_force:
        return Reason("policy", Check.PASSED, "救助保险保单在保险期间内。", SOURCE_CONTRACT)
    return Reason("policy", Check.FAILED, "所选救助保险保单不在保险期间内。", SOURCE_CONTRACT)


def _wage_base(facts: ReliefFacts) -> Reason:
    wage = facts.wage
    if wage is None:
        return Reason(
            "wage_base",
            Check.REVIEW,
            f"工资标准表中没有{PROVINCE}的平均工资数据，无法计算36个月工资上限；请管理员录入。",
            SOURCE_CAP,
        )
    series = WAGE_SERIES_LABELS[wage.series]
    message = (
        f"按{wage.province}{wage.year}年度{series}{format_yuan(wage.annual_amount)}计算，"
        f"月平均工资{format_yuan(wage.monthly_amount)}。"
    )
    if wage.fell_back:
        message += f"{wage.wanted_year}年度数据尚未录入，采用已录入的最近年度（{wage.year}年）。"
    return Reason("wage_base", Check.PASSED, message, SOURCE_CAP)


def _cap_reason(cap: Cap) -> Reason:
    parts = []
    if cap.wage_cap is not None:
        parts.append(f"36个月平均工资{format_yuan(cap.wage_cap)}")
    parts += [
        f"未执行到位金额{format_yuan(cap.unpaid_amount)}",
        f"保单每案限额{format_yuan(cap.per_case_limit)}",
        f"保单年度累计剩余额度{format_yuan(cap.aggregate_remaining)}",
    ]
    check = Check.PASSED if cap.amount > 0 else Check.FAILED
    return Reason(
        "cap",
        check,
        f"可救助上限为{format_yuan(cap.amount)}，取以下各项中的最低者：" + "、".join(parts) + "。",
        f"{SOURCE_CAP}；{SOURCE_CONTRACT}",
    )
