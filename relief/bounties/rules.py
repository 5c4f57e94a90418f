"""Bounty rules as pure functions: terms, caps, premium, deadlines, payouts and the payee.

Every reason names its source, so the staff page, the PDFs and the API explain a result the
same way. Sources are in ../DOMAIN.md section B; the policy choices where the sources are
silent (insured bounties, several tips with one lead) are in DESIGN.md §3.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from relief.core.deadlines import Deadline, Unit, deadline
from relief.core.money import format_yuan

# --- Legal numbers and contract defaults ---------------------------------------------------

#: The court decides within 10 days of the written application (InvRules art. 21(2)); the
#: article says "日", so calendar days with the last-day holiday roll-over (DOMAIN.md E6).
DECISION_DAYS = 10

#: Property-lead bounty cap: ¥200,000 (LN-Guide-2018; Faku agreement; DOMAIN.md B2.4) [M].
#: A contract default, kept per insurer in BountyContract.
DEFAULT_PROPERTY_CAP = Decimal("200000.00")

#: Whereabouts-lead bounty cap: ¥10,000, a fixed sum (LN-Guide-2018; DOMAIN.md B2.4) [M].
DEFAULT_WHEREABOUTS_CAP = Decimal("10000.00")

#: Premium: 10% of the maximum bounty (Faku agreement; DOMAIN.md B2.3, B2.4) [M].
DEFAULT_PREMIUM_RATE = Decimal("0.10")

#: Policy period: one year (PICC Beijing practice; DOMAIN.md B2.2) [M].
DEFAULT_POLICY_MONTHS = 12

#: A percentage bounty is a share of what the lead recovers: more than 100% makes no sense.
MAX_RATE = Decimal("1")

FEN = Decimal("0.01")

SOURCE_APPLICATION = "《最高人民法院关于民事执行中财产调查若干问题的规定》第二十一条"
SOURCE_NOTICE = "《最高人民法院关于民事执行中财产调查若干问题的规定》第二十二条"
SOURCE_ORDER = "《最高人民法院关于民事执行中财产调查若干问题的规定》第二十三条"
SOURCE_PAYMENT = "《最高人民法院关于民事执行中财产调查若干问题的规定》第二十四条第一款"
SOURCE_EXCLUDED = "《最高人民法院关于民事执行中财产调查若干问题的规定》第二十四条第三款"
SOURCE_CONTRACT = "执行悬赏保险合同"
SOURCE_PAYEE = "本院悬赏政策：同一线索由最先登记的、法院此前未掌握该线索的举报人领取"


class BountyKind(enum.StrEnum):
    """What the bounty asks for (DOMAIN.md B2.1)."""

    PROPERTY = "property"  #: 财产线索
    WHEREABOUTS = "whereabouts"  #: 被执行人下落线索 (local practice, B3)


KIND_LABELS = {BountyKind.PROPERTY: "财产线索", BountyKind.WHEREABOUTS: "被执行人下落线索"}


class AmountMethod(enum.StrEnum):
    """How the bounty is computed (InvRules art. 21(1)(1): an amount or a method)."""

    FIXED = "fixed"  #: a fixed sum
    PERCENTAGE = "percentage"  #: a share of what the lead recovers, with a cap


class Channel(enum.StrEnum):
    """Where the notice is published (InvRules art. 22(2))."""

    NATIONAL_PLATFORM = "national_platform"
    COURT_SOCIAL_MEDIA = "court_social_media"
    NOTICE_BOARD = "notice_board"
    DEBTOR_RESIDENCE = "debtor_residence"
    INSURER = "insurer"
    OTHER_MEDIA = "other_media"


CHANNEL_LABELS = {
    Channel.NATIONAL_PLATFORM: "全国法院执行悬赏公告平台",
    Channel.COURT_SOCIAL_MEDIA: "本院官方微博、微信公众号",
    Channel.NOTICE_BOARD: "本院公告栏",
    Channel.DEBTOR_RESIDENCE: "被执行人住所地或经常居住地",
    Channel.INSURER: "承保保险公司的宣传渠道",
    Channel.OTHER_MEDIA: "申请执行人申请并承担费用的其他媒体",
}


class TipVerdict(enum.StrEnum):
    """The judge's finding on a tip."""

    PENDING = "pending"  #: registered, not yet examined
    ALREADY_KNOWN = "already_known"  #: the court already had the lead
    VERIFIED = "verified"  #: new to the court and verified
    NOT_VERIFIABLE = "not_verifiable"  #: could not be verified
    EXCLUDED = "excluded"  #: the tipster may not receive a bounty (B1.10)


VERDICT_LABELS = {
    TipVerdict.PENDING: "待审查",
    TipVerdict.ALREADY_KNOWN: "法院已掌握该线索",
    TipVerdict.VERIFIED: "新线索，经核实",
    TipVerdict.NOT_VERIFIABLE: "无法核实",
    TipVerdict.EXCLUDED: "举报人不得领取悬赏金",
}


class Exclusion(enum.StrEnum):
    """Who receives no bounty (InvRules art. 24(3); DOMAIN.md B1.10)."""

    APPLICANT_AGENT = "applicant_agent"  #: 申请执行人的代理人
    DEBTOR = "debtor"  #: 被执行人（及其法定代表人）
    DUTY_TO_REPORT = "duty_to_report"  #: 负有向法院报告财产义务的人（协助执行义务人等）
    OTHER = "other"  #: 其他不应发放悬赏金的情形


EXCLUSION_LABELS = {
    Exclusion.APPLICANT_AGENT: "申请执行人的代理人",
    Exclusion.DEBTOR: "被执行人或其法定代表人",
    Exclusion.DUTY_TO_REPORT: "负有向人民法院提供财产线索义务的人",
    Exclusion.OTHER: "其他不应发放悬赏金的情形",
}


# --- Values in and out ---------------------------------------------------------------------


@dataclass(frozen=True)
class Caps:
    """The bounty caps of an insurer's contract (DESIGN.md §3)."""

    property: Decimal = DEFAULT_PROPERTY_CAP
    whereabouts: Decimal = DEFAULT_WHEREABOUTS_CAP

    def for_kind(self, kind: BountyKind) -> Decimal:
        """The cap that binds a bounty of this kind."""
        return self.property if kind == BountyKind.PROPERTY else self.whereabouts


@dataclass(frozen=True)
class Terms:
    """What the bounty notice promises."""

    kind: BountyKind
    method: AmountMethod
    #: the fixed sum (FIXED)
    fixed_amount: Decimal | None = None
    #: the share of the recovery, 0.10 for 10% (PERCENTAGE)
    rate: Decimal | None = None
    #: the most the bounty pays (PERCENTAGE)
    cap: Decimal | None = None


@dataclass(frozen=True)
class Problem:
    """A term that cannot be accepted, and the form field it belongs to."""

    field: str
    message: str


@dataclass(frozen=True)
class Payout:
    """A computed payout and how it was reached."""

    amount: Decimal
    reasons: list[str]


@dataclass(frozen=True)
class TipFacts:
    """What the payee rule needs to know of one tip."""

    id: int
    #: registration order within the bounty (InvRules art. 23(1))
    sequence: int
    verdict: TipVerdict
    #: the earlier tip whose lead this one repeats, if the judge said so
    same_lead_as: int | None = None
    #: why the tipster may not be paid, when the verdict is EXCLUDED
    exclusion: Exclusion | None = None


@dataclass(frozen=True)
class TipOutcome:
    """Whether a tip's tipster is the payee of its lead, and why (told to the tipster)."""

    payable: bool
    reason: str


# --- The rules -----------------------------------------------------------------------------


def decision_due(received_on: date) -> Deadline:
    """The court decides within 10 calendar days of the application (InvRules art. 21(2))."""
    return deadline(received_on, DECISION_DAYS, Unit.DAY)


def add_months(start: date, months: int) -> date:
    """The corresponding day ``months`` later, or that month's last day (民法典 art. 202)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def check_terms(terms: Terms, caps: Caps) -> list[Problem]:
    """Why the terms cannot be published, or an empty list (InvRules art. 21; contract)."""
    cap = caps.for_kind(terms.kind)
    problems: list[Problem] = []

    # whereabouts bounties are fixed sums in Liaoning practice (DOMAIN.md B2.4)
    if terms.kind == BountyKind.WHEREABOUTS and terms.method != AmountMethod.FIXED:
        problems.append(Problem("method", "下落线索悬赏只能采用固定金额。"))
        return problems

    if terms.method == AmountMethod.FIXED:
        amount = terms.fixed_amount
        if amount is None or amount <= 0:
            problems.append(Problem("fixed_amount", "请填写大于零的悬赏金额。"))
        elif amount > cap:
            problems.append(
                Problem(
                    "fixed_amount",
                    f"{KIND_LABELS[terms.kind]}悬赏金额不得超过保险合同约定的上限"
                    f"{format_yuan(cap)}。",
                )
            )
        return problems

    rate = terms.rate
    if rate is None or not Decimal("0") < rate <= MAX_RATE:
        problems.append(Problem("rate", "悬赏比例应大于0%且不超过100%。"))
    if terms.cap is None or terms.cap <= 0:
        problems.append(Problem("cap", "按比例计算的悬赏须填写大于零的最高金额。"))
    elif terms.cap > cap:
        problems.append(
            Problem("cap", f"悬赏最高金额不得超过保险合同约定的上限{format_yuan(cap)}。")
        )
    return problems


def maximum_bounty(terms: Terms) -> Decimal:
    """The most the bounty can ever pay: the fixed sum, or the cap of a percentage."""
    if terms.method == AmountMethod.FIXED:
        return terms.fixed_amount or Decimal("0.00")
    return terms.cap or Decimal("0.00")


def premium(terms: Terms, rate: Decimal = DEFAULT_PREMIUM_RATE) -> Decimal:
    """The premium of bounty insurance: rate × the maximum bounty (DOMAIN.md B2.3), to the fen."""
    return _fen(maximum_bounty(terms) * rate)


def describe(terms: Terms) -> str:
    """The amount or method as the notice prints it (InvRules art. 22(1))."""
    if terms.method == AmountMethod.FIXED:
        return f"悬赏金额{format_yuan(terms.fixed_amount)}"
    percent = (terms.rate * 100).normalize()
    return f"按通过该线索实际执行到位金额的{percent:f}%计算，最高不超过{format_yuan(terms.cap)}"


def payout(terms: Terms, recovered_via_lead: Decimal, already_paid: Decimal) -> Payout:
    """What is due to the payee now, from the notice's terms (InvRules art. 24(1)).

    ``recovered_via_lead`` is everything recovered through the lead so far; what earlier
    payouts of the bounty already took is deducted, so the cap binds the bounty as a whole.
    A property lead pays only once money was recovered through it; a whereabouts lead pays
    its fixed sum once the judge verified that the debtor was found.
    """
    if terms.kind == BountyKind.PROPERTY and recovered_via_lead <= 0:
        return Payout(
            Decimal("0.00"), ["通过该线索尚无执行到位款，暂不发放悬赏金。" + SOURCE_PAYMENT]
        )

    if terms.method == AmountMethod.FIXED:
        owed = terms.fixed_amount
        reasons = [f"悬赏公告确定的固定金额{format_yuan(owed)}。"]
    else:
        share = _fen(terms.rate * recovered_via_lead)
        percent = (terms.rate * 100).normalize()
        reasons = [
            f"通过该线索执行到位{format_yuan(recovered_via_lead)}，按{percent:f}%计算为"
            f"{format_yuan(share)}。"
        ]
        owed = share
        if share > terms.cap:
            owed = terms.cap
            reasons.append(f"超过悬赏公告确定的最高金额，按最高金额{format_yuan(terms.cap)}发放。")

    if already_paid > 0:
        reasons.append(f"扣除本悬赏已发放或待发放的{format_yuan(already_paid)}。")
    amount = max(owed - already_paid, Decimal("0.00"))
    return Payout(_fen(amount), reasons)


def settle_leads(tips: Iterable[TipFacts]) -> dict[int, TipOutcome]:
    """Who is paid for each lead (InvRules arts. 23–24; DESIGN.md §3).

    Tips the judge linked with "same lead as" form one lead. Its payee is the earliest
    registered tip the judge found new and verified; the others are told why not.
    """
    tips = sorted(tips, key=lambda tip: tip.sequence)
    by_id = {tip.id: tip for tip in tips}

    def root(tip: TipFacts) -> int:
        seen = set()
        while tip.same_lead_as in by_id and tip.id not in seen:
            seen.add(tip.id)
            tip = by_id[tip.same_lead_as]
        return tip.id

    payee_of_lead: dict[int, TipFacts] = {}
    for tip in tips:
        if tip.verdict == TipVerdict.VERIFIED:
            payee_of_lead.setdefault(root(tip), tip)

    outcomes: dict[int, TipOutcome] = {}
    for tip in tips:
        payee = payee_of_lead.get(root(tip))
        outcomes[tip.id] = _outcome(tip, payee)
    return outcomes


def screen_tipster(
    id_number: str, debtor_ids: Iterable[str], applicant_ids: Iterable[str]
) -> Exclusion | None:
    """A ground to exclude the tipster that the case's own parties already show, if any.

    The debtor never earns a bounty on its own property (InvRules art. 24(3)); an applicant
    would pay the bounty to itself, which is the "otherwise inappropriate" case. Agents and
    others with a duty to report are not on file: the judge finds those.
    """
    if id_number in set(debtor_ids):
        return Exclusion.DEBTOR
    if id_number in set(applicant_ids):
        return Exclusion.OTHER
    return None


def _outcome(tip: TipFacts, payee: TipFacts | None) -> TipOutcome:
    if tip.verdict == TipVerdict.PENDING:
        return TipOutcome(False, "举报已登记，正在审查。")
    if tip.verdict == TipVerdict.ALREADY_KNOWN:
        return TipOutcome(False, "法院此前已掌握该线索，不发放悬赏金。" + SOURCE_PAYMENT)
    if tip.verdict == TipVerdict.NOT_VERIFIABLE:
        return TipOutcome(False, "该线索经核查无法核实，不发放悬赏金。" + SOURCE_PAYMENT)
    if tip.verdict == TipVerdict.EXCLUDED:
        who = EXCLUSION_LABELS[tip.exclusion or Exclusion.OTHER]
        return TipOutcome(False, f"举报人属于不得领取悬赏金的人员（{who}）。" + SOURCE_EXCLUDED)
    if payee is not None and payee.id != tip.id:
        return TipOutcome(
            False,
            f"同一线索已有更早登记的举报（第{payee.sequence}号），由其领取悬赏金。" + SOURCE_PAYEE,
        )
    return TipOutcome(True, "线索为法院此前未掌握的新线索，经核实属实。" + SOURCE_PAYMENT)


def _fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)
