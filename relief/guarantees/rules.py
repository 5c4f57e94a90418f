"""Preservation (诉讼财产保全) and the insurer's guarantee, as pure functions over plain values.

Security amounts, the court fee, the premium, the guarantee letter's mandatory content and
the deadlines of a preservation. Every result carries its rule and source so the page, the
PDF and the API explain it the same way. Sources: DOMAIN.md section A and E6.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from relief.cases.models import PartyKind
from relief.core.deadlines import Deadline, Unit, deadline
from relief.core.identity import InvalidIdentity, validate_party_id
from relief.core.money import format_yuan

FEN = Decimal("0.01")

# --- Legal numbers -------------------------------------------------------------------------

#: Pre-suit preservation: security equal to the amount to preserve (PresRules art. 5(2)).
PRE_SUIT_SECURITY_SHARE = Decimal("1.00")
#: In-suit preservation: security at most 30% of the amount, or of the disputed object's
#: value when that object is what is preserved (PresRules art. 5(1)).
IN_SUIT_SECURITY_SHARE = Decimal("0.30")

#: Court fee for a preservation application (诉讼费用交纳办法 art. 14(2)): ¥30 up to ¥1,000,
#: 1% of the part up to ¥100,000, 0.5% of the part above, never more than ¥5,000.
FEE_BASE = Decimal("30")
FEE_BASE_LIMIT = Decimal("1000")
FEE_FIRST_BAND_LIMIT = Decimal("100000")
FEE_FIRST_BAND_RATE = Decimal("0.01")
FEE_UPPER_RATE = Decimal("0.005")
FEE_CAP = Decimal("5000")

#: Ruling within 5 days of acceptance, or of the security (PresRules art. 4).
RULING_DAYS = 5
#: Ruling within 48 hours when urgent (CPL art. 103(3)) and always before suit (CPL 104(2)).
URGENT_RULING_HOURS = 48
#: A pre-suit applicant must sue within 30 days of the measure (CPL art. 104(3); PresRules
#: art. 23(1)(i)), or the measure is lifted.
SUIT_WINDOW_DAYS = 30
#: Renewal must be asked for at least 7 days before the measure expires (PresRules art. 18).
RENEWAL_NOTICE_DAYS = 7
#: Limitation period for damages from a wrongful preservation: 3 years (民法典 art. 188).
LIABILITY_TAIL_YEARS = 3

SOURCE_SECURITY_IN_SUIT = "《最高人民法院关于人民法院办理财产保全案件若干问题的规定》第五条第一款"
SOURCE_SECURITY_PRE_SUIT = (
    "《最高人民法院关于人民法院办理财产保全案件若干问题的规定》第五条第二款；民事诉讼法第一百零四条"
)
SOURCE_EXEMPTION = "《最高人民法院关于人民法院办理财产保全案件若干问题的规定》第九条"
SOURCE_FEE = "《诉讼费用交纳办法》第十四条第二项"
SOURCE_PREMIUM = "诉讼财产保全责任保险合同"
SOURCE_LETTER = (
    "《最高人民法院关于人民法院办理财产保全案件若干问题的规定》第七条；"
    "广东省高级人民法院粤高法发〔2015〕10号第一条至第四条"
)
SOURCE_RULING = "《最高人民法院关于人民法院办理财产保全案件若干问题的规定》第四条"
SOURCE_URGENT = "民事诉讼法第一百零三条第三款、第一百零四条第二款"
SOURCE_SUIT = (
    "民事诉讼法第一百零四条第三款；"
    "《最高人民法院关于人民法院办理财产保全案件若干问题的规定》第二十三条"
)
SOURCE_DURATION = "最高人民法院关于适用《中华人民共和国民事诉讼法》的解释第四百八十五条"
SOURCE_RENEWAL = "《最高人民法院关于人民法院办理财产保全案件若干问题的规定》第十八条"
SOURCE_LIABILITY = "民法典第一百八十八条"


class PreservationKind(enum.StrEnum):
    """When the preservation is asked for."""

    PRE_SUIT = "pre_suit"  #: 诉前保全
    IN_SUIT = "in_suit"  #: 诉讼中保全
    BEFORE_ENFORCEMENT = "before_enforcement"  #: 执行前保全 (judgment effective)


PRESERVATION_KIND_LABELS = {
    PreservationKind.PRE_SUIT: "诉前财产保全",
    PreservationKind.IN_SUIT: "诉讼中财产保全",
    PreservationKind.BEFORE_ENFORCEMENT: "执行前财产保全",
}


class PropertyKind(enum.StrEnum):
    """What is preserved; it sets how long one measure lasts (CPL-Interp art. 485)."""

    DEPOSIT = "deposit"  #: 银行存款
    MOVABLE = "movable"  #: 动产
    REAL_ESTATE = "real_estate"  #: 不动产及其他财产权


PROPERTY_KIND_LABELS = {
    PropertyKind.DEPOSIT: "银行存款（冻结期限一年）",
    PropertyKind.MOVABLE: "动产（查封、扣押期限二年）",
    PropertyKind.REAL_ESTATE: "不动产及其他财产权（查封、冻结期限三年）",
}

#: the longest one measure lasts, in years (CPL-Interp art. 485)
MEASURE_YEARS = {
    PropertyKind.DEPOSIT: 1,
    PropertyKind.MOVABLE: 2,
    PropertyKind.REAL_ESTATE: 3,
}


class Exemption(enum.StrEnum):
    """Why the court need not require security (PresRules art. 9, the complete list)."""

    MAINTENANCE_WAGES_INJURY = "maintenance_wages_injury"
    DOMESTIC_VIOLENCE = "domestic_violence"
    PUBLIC_INTEREST = "public_interest"
    BRAVE_ACT = "brave_act"
    CLEAR_FACTS = "clear_facts"
    FINANCIAL_INSTITUTION = "financial_institution"
    BEFORE_ENFORCEMENT = "before_enforcement"


EXEMPTION_LABELS = {
    Exemption.MAINTENANCE_WAGES_INJURY: (
        "追索赡养费、扶养费、抚育费、抚恤金、医疗费用、劳动报酬、工伤赔偿、交通事故人身损害赔偿"
    ),
    Exemption.DOMESTIC_VIOLENCE: "婚姻家庭纠纷案件中遭遇家庭暴力且经济困难",
    Exemption.PUBLIC_INTEREST: "人民检察院提起的公益诉讼涉及损害赔偿",
    Exemption.BRAVE_ACT: "因见义勇为遭受侵害请求损害赔偿",
    Exemption.CLEAR_FACTS: "案件事实清楚、权利义务关系明确，发生保全错误的可能性较小",
    Exemption.FINANCIAL_INSTITUTION: (
        "申请保全人为经金融监管部门批准设立的具有独立偿付债务能力的金融机构"
    ),
    Exemption.BEFORE_ENFORCEMENT: "法律文书生效后、进入执行程序前申请保全，法院决定不要求担保",
}

#: the article of each reason, shown beside it
EXEMPTION_ARTICLES = {
    Exemption.MAINTENANCE_WAGES_INJURY: f"{SOURCE_EXEMPTION}第一款第（一）项",
    Exemption.DOMESTIC_VIOLENCE: f"{SOURCE_EXEMPTION}第一款第（二）项",
    Exemption.PUBLIC_INTEREST: f"{SOURCE_EXEMPTION}第一款第（三）项",
    Exemption.BRAVE_ACT: f"{SOURCE_EXEMPTION}第一款第（四）项",
    Exemption.CLEAR_FACTS: f"{SOURCE_EXEMPTION}第一款第（五）项",
    Exemption.FINANCIAL_INSTITUTION: f"{SOURCE_EXEMPTION}第一款第（六）项",
    Exemption.BEFORE_ENFORCEMENT: f"{SOURCE_EXEMPTION}第二款",
}


class ReleaseGround(enum.StrEnum):
    """Why a preservation is lifted (PresRules arts. 22–23)."""

    NO_SUIT_IN_TIME = "no_suit_in_time"
    ARBITRATION_ENDED = "arbitration_ended"
    AWARD_DISMISSED = "award_dismissed"
    SUIT_ENDED = "suit_ended"
    JUDGMENT_DISMISSED = "judgment_dismissed"
    COUNTER_SECURITY = "counter_security"
    OTHER = "other"


RELEASE_GROUND_LABELS = {
    ReleaseGround.NO_SUIT_IN_TIME: (
        "采取诉前财产保全措施后三十日内不依法提起诉讼或者申请仲裁（第二十三条第一款第（一）项）"
    ),
    ReleaseGround.ARBITRATION_ENDED: (
        "仲裁机构不予受理、准许撤回仲裁申请或者按撤回处理（第二十三条第一款第（二）项）"
    ),
    ReleaseGround.AWARD_DISMISSED: "仲裁申请或者请求被仲裁裁决驳回（第二十三条第一款第（三）项）",
    ReleaseGround.SUIT_ENDED: (
        "其他人民法院对起诉不予受理、准许撤诉或者按撤诉处理（第二十三条第一款第（四）项）"
    ),
    ReleaseGround.JUDGMENT_DISMISSED: (
        "起诉或者诉讼请求被其他人民法院生效裁判驳回（第二十三条第一款第（五）项）"
    ),
    ReleaseGround.COUNTER_SECURITY: "被保全人或者第三人提供充分有效的担保（第二十二条）",
    ReleaseGround.OTHER: "应当申请解除保全的其他情形（第二十三条第一款第（六）项）",
}


# --- Values in and out ---------------------------------------------------------------------


@dataclass(frozen=True)
class Security:
    """The security the court may require, how it was found, and where the rule comes from."""

    amount: Decimal
    #: True when the amount is a ceiling the court may go below (in-suit)
    is_ceiling: bool
    explanation: str
    source: str


@dataclass(frozen=True)
class LetterParty:
    """A party as the guarantee letter names it."""

    name: str
    id_number: str
    kind: PartyKind


@dataclass(frozen=True)
class Letter:
    """What the insurer's guarantee letter (担保书) says, as plain values."""

    applicant: LetterParty | None
    respondent: LetterParty | None
    guaranteed_amount: Decimal | None
    #: the letter states it is irrevocable (不可撤销)
    irrevocable: bool
    #: the letter undertakes to pay the respondent's losses from a wrongful preservation,
    #: within the guaranteed amount
    compensation_undertaking: bool


@dataclass(frozen=True)
class LetterProblem:
    """One mandatory item the letter lacks or gets wrong; ``field`` is the input at fault."""

    field: str
    message: str


# --- Security and money --------------------------------------------------------------------


def security_amount(
    kind: PreservationKind,
    amount: Decimal,
    *,
    exemption: Exemption | None = None,
    disputed_object_value: Decimal | None = None,
) -> Security:
    """The security the court requires: 100% pre-suit, at most 30% in-suit, none if exempt.

    Before enforcement the court may waive security (PresRules art. 9(2)); unless it does,
    the in-suit ceiling is applied. Raises ValueError for an exemption the kind cannot have:
    none before suit (security is mandatory, CPL art. 104(1)).
    """
    if kind is PreservationKind.PRE_SUIT:
        if exemption is not None:
            raise ValueError("诉前财产保全必须提供担保，不适用免予担保的情形。")
        return Security(
            amount=_fen(amount * PRE_SUIT_SECURITY_SHARE),
            is_ceiling=False,
            explanation=f"诉前财产保全应当提供相当于请求保全数额（{format_yuan(amount)}）的担保。",
            source=SOURCE_SECURITY_PRE_SUIT,
        )

    waiver_misplaced = kind is not PreservationKind.BEFORE_ENFORCEMENT
    if exemption is Exemption.BEFORE_ENFORCEMENT and waiver_misplaced:
        raise ValueError("第九条第二款仅适用于法律文书生效后、进入执行程序前的保全。")
    if exemption is not None:
        return Security(
            amount=Decimal("0.00"),
            is_ceiling=False,
            explanation=f"不要求提供担保：{EXEMPTION_LABELS[exemption]}。",
            source=EXEMPTION_ARTICLES[exemption],
        )

    if disputed_object_value is not None:
        base, what = disputed_object_value, "争议标的的价值"
    else:
        base, what = amount, "请求保全数额"
    return Security(
        amount=_fen(base * IN_SUIT_SECURITY_SHARE),
        is_ceiling=True,
        explanation=(f"诉讼中财产保全，担保数额不超过{what}（{format_yuan(base)}）的百分之三十。"),
        source=SOURCE_SECURITY_IN_SUIT,
    )


def court_fee(amount: Decimal | None) -> Decimal:
    """The fee for a preservation application (诉讼费用交纳办法 art. 14(2)).

    ``None`` is a non-monetary application: ¥30 like an amount up to ¥1,000.
    """
    if amount is None or amount <= FEE_BASE_LIMIT:
        return _fen(FEE_BASE)

    first_band = min(amount, FEE_FIRST_BAND_LIMIT) - FEE_BASE_LIMIT
    upper_band = max(amount - FEE_FIRST_BAND_LIMIT, Decimal("0"))
    fee = FEE_BASE + first_band * FEE_FIRST_BAND_RATE + upper_band * FEE_UPPER_RATE
    return _fen(min(fee, FEE_CAP))


def premium(insured_amount: Decimal, rate: Decimal, minimum: Decimal) -> Decimal:
    """max(minimum premium, rate × insured amount), both terms from the insurer's contract."""
    return max(_fen(minimum), _fen(insured_amount * rate))


# --- The guarantee letter ------------------------------------------------------------------


def check_letter(
    letter: Letter,
    *,
    security_required: Decimal,
    applicant_id_number: str | None = None,
    respondent_id_number: str | None = None,
) -> list[LetterProblem]:
    """Every mandatory item the letter lacks (A4.5); an empty list means it may be accepted.

    The parties must be named with identity numbers that pass their checksum and match the
    application's, the guaranteed amount must cover the security, and the letter must say
    that it is irrevocable and that the insurer pays the respondent's losses from a wrongful
    preservation within that amount.
    """
    problems = []
    problems += _letter_party(letter.applicant, "applicant", "申请保全人", applicant_id_number)
    problems += _letter_party(letter.respondent, "respondent", "被保全人", respondent_id_number)

    if letter.guaranteed_amount is None or letter.guaranteed_amount <= 0:
        problems.append(LetterProblem("guaranteed_amount", "担保书缺少担保金额。"))
    elif letter.guaranteed_amount < security_required:
        problems.append(
            LetterProblem(
                "guaranteed_amount",
                f"担保金额（{format_yuan(letter.guaranteed_amount)}）低于应提供的担保数额"
                f"（{format_yuan(security_required)}）。",
            )
        )

    if not letter.irrevocable:
        problems.append(LetterProblem("irrevocable", "担保书缺少“不可撤销”的声明。"))
    if not letter.compensation_undertaking:
        problems.append(
            LetterProblem(
                "compensation_undertaking",
                "担保书缺少承诺：申请保全错误的，在担保金额范围内赔偿被保全人因保全所遭受的损失。",
            )
        )
    return problems


def _letter_party(
    party: LetterParty | None, field: str, label: str, expected_id: str | None
) -> list[LetterProblem]:
    if party is None or not party.name.strip():
        return [LetterProblem(f"{field}.name", f"担保书缺少{label}的名称或姓名。")]
    if not party.id_number.strip():
        message = f"担保书缺少{label}的身份证号码或统一社会信用代码。"
        return [LetterProblem(f"{field}.id_number", message)]
    try:
        number = validate_party_id(party.id_number, party.kind)
    except InvalidIdentity as error:
        return [LetterProblem(f"{field}.id_number", f"{label}的证件号码有误：{error.reason}")]
    if expected_id is not None and number != expected_id:
        return [LetterProblem(f"{field}.id_number", f"担保书所列{label}与保全申请不一致。")]
    return []


# --- Deadlines -----------------------------------------------------------------------------


def ruling_due(start: datetime, kind: PreservationKind, urgent: bool) -> Deadline:
    """When the court must rule: 48 hours before suit or when urgent, else 5 days.

    ``start`` is the moment, in court time, the application was accepted or, when security
    is required, the security was provided (PresRules art. 4).
    """
    if kind is PreservationKind.PRE_SUIT or urgent:
        return deadline(start, URGENT_RULING_HOURS, Unit.HOUR)
    return deadline(start.date(), RULING_DAYS, Unit.DAY)


def ruling_source(kind: PreservationKind, urgent: bool) -> str:
    """Where the ruling deadline of this kind of application comes from."""
    if kind is PreservationKind.PRE_SUIT or urgent:
        return SOURCE_URGENT
    return SOURCE_RULING


def suit_due(measure_taken_on: date) -> Deadline:
    """The last day a pre-suit applicant may sue or ask for arbitration (CPL art. 104(3))."""
    return deadline(measure_taken_on, SUIT_WINDOW_DAYS, Unit.DAY)


def measure_expires(start: date, property_kind: PropertyKind) -> Deadline:
    """The last day of one measure on this kind of property (CPL-Interp art. 485)."""
    return deadline(start, MEASURE_YEARS[property_kind], Unit.YEAR)


def renewal_alert_on(expires_on: date) -> date:
    """The day the renewal alert starts: 7 days before the measure expires (PresRules 18).

    The applicant must ask "at least 7 days before" the expiry; counting back is not a
    period under CPL art. 85, so no holiday roll-over applies.
    """
    return expires_on - timedelta(days=RENEWAL_NOTICE_DAYS)


def renewal_alert(expires_on: date | None, today: date) -> bool:
    """Whether the measure expires within 7 days and renewal must be asked for now."""
    if expires_on is None:
        return False
    return renewal_alert_on(expires_on) <= today <= expires_on


def liability_ends(tail_starts_on: date) -> Deadline:
    """The last day the insurer answers for a wrongful preservation (民法典 art. 188).

    The tail starts when the preservation ends (release, dismissal of the ruling or
    conversion into an enforcement seizure): the 3-year limitation period for the damages
    claim runs from then in the usual case (DOMAIN.md A9, [M]).
    """
    return deadline(tail_starts_on, LIABILITY_TAIL_YEARS, Unit.YEAR)


def _fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)
