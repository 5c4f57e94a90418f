"""The enforcement case's workflow as pure functions: moves, track, 终本 checklist, re-checks.

Sources are in ../DOMAIN.md sections D and E6. Every reason names its rule and source, so
the page and the 终本 ruling explain a result the same way.
"""

from __future__ import annotations

import calendar as gregorian
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from relief.cases.models import OPEN_STAGES, MeasureKind, PropertyKind, Stage
from relief.core.deadlines import Deadline, Unit, WorkCalendar, deadline

# --- Legal numbers -------------------------------------------------------------------------

#: 终本 needs more than 3 months since filing (TermRules art. 1(4)).
TERMINATION_WAIT_MONTHS = 3

#: After 终本 the court re-checks the debtor's property every 6 months for 5 years, i.e. ten
#: times (TermRules art. 9(2); DOMAIN.md D3.1 and the scheduler requirement under D3).
RECHECK_INTERVAL_MONTHS = 6
RECHECK_COUNT = 10

#: Enforcement should close within 6 months of filing (执行工作若干问题的规定（试行）第63条;
#: DOMAIN.md D1.4). Suspension periods are not deducted here: the app records none yet.
CLOSE_WITHIN_MONTHS = 6

SOURCE_TERM_RULES = "《最高人民法院关于严格规范终结本次执行程序的规定（试行）》"
SOURCE_REPORT = f"{SOURCE_TERM_RULES}第一条第（一）项、第二条；民事诉讼法第二百五十一条"
SOURCE_RESTRICTION = f"{SOURCE_TERM_RULES}第一条第（二）项"
SOURCE_EXHAUSTED = f"{SOURCE_TERM_RULES}第一条第（三）项、第三条"
SOURCE_WAIT = f"{SOURCE_TERM_RULES}第一条第（四）项"
SOURCE_APPLICANT = (
    f"{SOURCE_TERM_RULES}第五条；最高人民法院关于适用《民事诉讼法》的解释第五百一十七条"
)
SOURCE_RECHECK = f"{SOURCE_TERM_RULES}第九条"

#: the kinds the online inquiry must have answered before the track can be ordinary
INQUIRY_KINDS = tuple(PropertyKind)

# --- Moves ---------------------------------------------------------------------------------

#: the stages each stage may move to by a person's act; QUICK and ORDINARY are reached
#: only by the routing rule, TERMINATED_ROUND only through the checklist
MOVES: Mapping[Stage, frozenset[Stage]] = {
    Stage.FILED: frozenset({Stage.INQUIRY, Stage.CLOSED}),
    Stage.INQUIRY: frozenset({Stage.CLOSED}),
    Stage.QUICK: frozenset({Stage.DISPOSAL, Stage.CLOSED}),
    Stage.ORDINARY: frozenset({Stage.DISPOSAL, Stage.TERMINATED_ROUND, Stage.CLOSED}),
    Stage.DISPOSAL: frozenset({Stage.TERMINATED_ROUND, Stage.CLOSED}),
    Stage.TERMINATED_ROUND: frozenset(),
    Stage.CLOSED: frozenset(),
}


def can_move(current: Stage, target: Stage) -> bool:
    """Whether a person may move a case from one stage to the other."""
    return target in MOVES[current]


def route_track(results: Mapping[PropertyKind, Decimal | None], unpaid: Decimal) -> Stage:
    """The track after the online inquiry: quick when the deposits found cover what is owed.

    ``results`` maps each kind answered so far to the amount found (None: nothing found).
    The case stays in INQUIRY until the deposits cover the debt or every kind has answered.
    """
    deposits = results.get(PropertyKind.DEPOSITS) or Decimal("0")
    if unpaid > 0 and deposits >= unpaid:
        return Stage.QUICK
    if all(kind in results for kind in INQUIRY_KINDS):
        return Stage.ORDINARY
    return Stage.INQUIRY


def is_open(stage: Stage) -> bool:
    """Whether the case is still being enforced."""
    return stage in OPEN_STAGES


# --- Periods -------------------------------------------------------------------------------


def termination_wait(filed_on: date, calendar: WorkCalendar | None = None) -> Deadline:
    """The last day of the 3 months after filing; 终本 may be ruled from the day after."""
    return deadline(filed_on, TERMINATION_WAIT_MONTHS, Unit.MONTH, calendar)


def close_due(filed_on: date, calendar: WorkCalendar | None = None) -> Deadline:
    """The day by which enforcement should be closed (6 months from filing)."""
    return deadline(filed_on, CLOSE_WITHIN_MONTHS, Unit.MONTH, calendar)


def months_before(day: date, months: int) -> date:
    """The corresponding day some months earlier, or that month's last day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last_day = gregorian.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def recheck_schedule(terminated_on: date, calendar: WorkCalendar | None = None) -> list[Deadline]:
    """The due days of the ten re-checks: termination date + 6k months, k = 1..10.

    Each is counted from the termination date itself, not from the previous re-check, so a
    month end that moved one due day (31 August to 28 February) does not drag the rest.
    """
    return [
        deadline(terminated_on, RECHECK_INTERVAL_MONTHS * k, Unit.MONTH, calendar)
        for k in range(1, RECHECK_COUNT + 1)
    ]


# --- The 终本 checklist -------------------------------------------------------------------


@dataclass(frozen=True)
class TerminationFacts:
    """What the checklist looks at, as plain values."""

    filed_on: date
    ruled_on: date
    #: kinds of measures recorded on the case
    measures: frozenset[MeasureKind]
    #: every kind of the online inquiry has an answer
    inquiry_complete: bool
    #: the judge states the investigation is exhausted (or the property cannot be disposed of)
    investigation_exhausted: bool
    applicant_informed_on: date | None
    applicant_view: str
    applicant_agrees: bool
    panel_approved: bool


@dataclass(frozen=True)
class Item:
    """One condition of the checklist: met or not, why, and its source."""

    code: str
    met: bool
    text: str
    source: str
    #: how a period was counted, when the item depends on one
    detail: str = ""


@dataclass(frozen=True)
class Checklist:
    items: tuple[Item, ...]

    @property
    def passed(self) -> bool:
        """Whether every condition holds."""
        return all(item.met for item in self.items)

    @property
    def unmet(self) -> list[Item]:
        """The conditions that fail."""
        return [item for item in self.items if not item.met]


def termination_checklist(
    facts: TerminationFacts, calendar: WorkCalendar | None = None
) -> Checklist:
    """Check every condition of 终本 (TermRules arts. 1, 3 and 5; DOMAIN.md D2)."""
    return Checklist(
        (
            _report_order(facts),
            _restriction(facts),
            _exhausted(facts),
            _waited(facts, calendar),
            _applicant(facts),
        )
    )


def _report_order(facts: TerminationFacts) -> Item:
    met = MeasureKind.REPORT_ORDER in facts.measures
    text = "已向被执行人发出执行通知并责令报告财产" if met else "尚未登记执行通知及报告财产令的送达"
    return Item("report_order", met, text, SOURCE_REPORT)


def _restriction(facts: TerminationFacts) -> Item:
    met = MeasureKind.CONSUMPTION_RESTRICTION in facts.measures
    text = "已发出限制消费令" if met else "尚未登记限制消费令"
    return Item("consumption_restriction", met, text, SOURCE_RESTRICTION)


def _exhausted(facts: TerminationFacts) -> Item:
    if not facts.inquiry_complete:
        return Item(
            "investigation_exhausted",
            False,
            "网络查控尚未取得存款、车辆、不动产、证券及其他财产的全部查询结果",
            SOURCE_EXHAUSTED,
        )
    if not facts.investigation_exhausted:
        return Item(
            "investigation_exhausted",
            False,
            "承办法官尚未确认已穷尽财产调查措施",
            SOURCE_EXHAUSTED,
        )
    return Item(
        "investigation_exhausted",
        True,
        "已完成网络查控，承办法官确认已穷尽财产调查措施",
        SOURCE_EXHAUSTED,
    )


def _waited(facts: TerminationFacts, calendar: WorkCalendar | None) -> Item:
    wait = termination_wait(facts.filed_on, calendar)
    met = facts.ruled_on > wait.due
    if met:
        text = f"自立案之日起已超过三个月（三个月期间于{wait.due.isoformat()}届满）"
    else:
        earliest = wait.due + timedelta(days=1)
        text = f"自立案之日起未满三个月，最早可于{earliest.isoformat()}裁定终结本次执行程序"
    return Item("waited", met, text, SOURCE_WAIT, detail=wait.rule)


def _applicant(facts: TerminationFacts) -> Item:
    if facts.applicant_informed_on is None or not facts.applicant_view.strip():
        return Item(
            "applicant_informed",
            False,
            "尚未告知申请执行人并记录其意见",
            SOURCE_APPLICANT,
        )
    if facts.applicant_informed_on > facts.ruled_on:
        return Item(
            "applicant_informed",
            False,
            "告知申请执行人的日期晚于裁定日期",
            SOURCE_APPLICANT,
        )
    if not facts.applicant_agrees and not facts.panel_approved:
        return Item(
            "applicant_informed",
            False,
            "申请执行人未书面同意的，须经合议庭合议并报院长批准",
            SOURCE_APPLICANT,
        )
    how = "申请执行人书面同意" if facts.applicant_agrees else "经合议庭合议并报院长批准"
    return Item(
        "applicant_informed",
        True,
        f"已于{facts.applicant_informed_on.isoformat()}告知申请执行人并记录其意见，{how}",
        SOURCE_APPLICANT,
    )
