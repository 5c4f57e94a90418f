"""Every change of state of an enforcement case goes through a function here.

Each move checks that the case may make it, writes the rows, appends an audit entry with the
actor, the move and the reason, and flushes. The caller commits, or rolls back on error.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from blinker import Namespace
from sqlalchemy import select

from relief.accounts.models import Role, User
from relief.cases import rules
from relief.cases.models import (
    EnforcementCase,
    InquiryResult,
    Measure,
    MeasureKind,
    Outcome,
    Party,
    PropertyKind,
    Recheck,
    RecheckResult,
    Recovery,
    Stage,
    Termination,
)
from relief.core import audit, clock, concurrency
from relief.core.case_numbers import parse_case_number
from relief.core.errors import Conflict, Forbidden, OperationError
from relief.core.money import format_yuan
from relief.extensions import db
from relief.holidays.operations import court_calendar

log = logging.getLogger(__name__)

signals = Namespace()

#: sent inside the transaction after a recovery is recorded; receivers add their own rows
#: (the relief clawback listens here). Arguments: sender=the case, recovery=the Recovery.
recovery_recorded = signals.signal("recovery-recorded")


class RecoveryError(ValueError):
    """A recovery that cannot be recorded; the message is for the user."""


def record_recovery(
    case: EnforcementCase,
    amount: Decimal,
    received_on: date,
    note: str = "",
    recorded_by_id: int | None = None,
) -> Recovery:
    """Record money recovered from the debtor and let dependent ledgers react.

    Raises RecoveryError when the amount is not positive or would exceed the target.
    """
    if amount <= 0:
        raise RecoveryError("到位金额必须大于零。")
    # two recoveries at once must not both fit in what is left: the second waits and re-reads
    concurrency.lock_row(case)
    if case.recovered_amount + amount > case.target_amount:
        raise RecoveryError(
            "到位金额合计不能超过申请执行标的金额"
            f"（尚余 {format_yuan(case.unpaid_amount)} 未到位）。"
        )

    recovery = Recovery(
        case=case,
        amount=amount,
        received_on=received_on,
        note=note,
        recorded_by_id=recorded_by_id,
    )
    case.recovered_amount += amount
    db.session.add(recovery)
    db.session.flush()

    audit.record(
        "case.recovery_recorded",
        f"case:{case.public_id}",
        amount=str(amount),
        received_on=received_on.isoformat(),
    )
    recovery_recorded.send(case, recovery=recovery)
    return recovery


# --- Labels used in refusals ---------------------------------------------------------------

STAGE_NAMES = {
    Stage.FILED: "立案",
    Stage.INQUIRY: "网络查控",
    Stage.QUICK: "快执",
    Stage.ORDINARY: "普执",
    Stage.DISPOSAL: "评估拍卖/强制处置",
    Stage.TERMINATED_ROUND: "终结本次执行程序",
    Stage.CLOSED: "已结案",
}

#: grounds of 终结执行 (CPL 2023 art. 268, items 1-6)
TERMINATION_GROUNDS = {
    "withdrawn": "申请人撤销申请",
    "title_revoked": "据以执行的法律文书被撤销",
    "debtor_died": "作为被执行人的公民死亡，无遗产可供执行，又无义务承担人",
    "maintenance_creditor_died": "追索赡养费、扶养费、抚养费案件的权利人死亡",
    "debtor_destitute": "作为被执行人的公民因生活困难无力偿还借款，无收入来源，又丧失劳动能力",
    "other": "人民法院认为应当终结执行的其他情形",
}
SOURCE_TERMINATED = "民事诉讼法第二百六十八条"

JUDGES = (Role.JUDGE, Role.ADMIN)
CASE_STAFF = (Role.CLERK, Role.JUDGE, Role.ADMIN)


# --- Moves ---------------------------------------------------------------------------------


def start_inquiry(case: EnforcementCase, *, reason: str, user: User) -> None:
    """Send the online property inquiry (网络查控): the case moves from filing to inquiry."""
    _require_role(user, *CASE_STAFF)
    _move(case, Stage.INQUIRY, reason=reason, user=user)


def record_inquiry_result(
    case: EnforcementCase,
    kind: PropertyKind,
    amount_found: Decimal | None,
    received_on: date,
    *,
    note: str = "",
    user: User,
) -> Stage:
    """Record what the inquiry found of one kind; route the case once the results allow it.

    ``amount_found`` None means nothing was found. Returns the stage the case is in after.
    """
    _require_role(user, *CASE_STAFF)
    if case.stage == Stage.FILED:
        raise Conflict("请先发起网络查控，再登记查询结果。")
    if not rules.is_open(case.stage):
        raise Conflict(f"案件处于“{STAGE_NAMES[case.stage]}”阶段，不能再登记查控结果。")
    if amount_found is not None and amount_found < 0:
        raise OperationError("查到的金额不能为负数。", field="amount_found")
    if received_on > clock.today():
        raise OperationError("反馈日期不能晚于今天。", field="received_on")
    if received_on < case.filed_on:
        raise OperationError("反馈日期不能早于立案日期。", field="received_on")

    result = InquiryResult(
        case_id=case.id,
        kind=kind,
        found=amount_found is not None,
        amount_found=amount_found or Decimal("0.00"),
        received_on=received_on,
        note=note,
        recorded_by_id=user.id,
    )
    db.session.add(result)
    db.session.flush()
    audit.record(
        "case.inquiry_recorded",
        _subject(case),
        actor=_actor(user),
        kind=kind.value,
        found=result.found,
        amount=str(result.amount_found) if result.found else None,
    )

    # Only a case still waiting for its results is routed: a later result on a case already
    # on a track is information for the judge, not a move.
    if case.stage == Stage.INQUIRY:
        track = rules.route_track(latest_inquiry(case), case.unpaid_amount)
        if track != Stage.INQUIRY:
            reason = "网络查控结果：" + _routing_reason(track)
            _set_stage(case, track, reason=reason, user=user)
    return case.stage


def latest_inquiry(case: EnforcementCase) -> dict[PropertyKind, Decimal | None]:
    """The latest answer of each kind answered so far: the amount found, or None."""
    rows = db.session.execute(
        select(InquiryResult)
        .where(InquiryResult.case_id == case.id)
        .order_by(InquiryResult.received_on, InquiryResult.id)
    ).scalars()
    return {row.kind: (row.amount_found if row.found else None) for row in rows}


def _routing_reason(track: Stage) -> str:
    if track == Stage.QUICK:
        return "查到的存款足以清偿未到位金额，转入快执"
    return "存款不足以清偿未到位金额，转入普执"


def start_disposal(case: EnforcementCase, *, reason: str, user: User) -> None:
    """Move a case on a track to valuation, auction or forced disposal of what was found."""
    _require_role(user, *JUDGES)
    _move(case, Stage.DISPOSAL, reason=reason, user=user)


def close_case(
    case: EnforcementCase,
    outcome: Outcome,
    closed_on: date,
    *,
    reason: str,
    user: User,
    ground: str | None = None,
) -> None:
    """Close a case as 执行完毕 (all paid) or 终结执行 (a ground of CPL art. 268)."""
    _require_role(user, *JUDGES)
    if outcome not in (Outcome.COMPLETED, Outcome.TERMINATED):
        raise OperationError("结案方式只能是执行完毕或终结执行。", field="outcome")
    if outcome == Outcome.COMPLETED and case.unpaid_amount > 0:
        raise Conflict(
            f"尚有 {format_yuan(case.unpaid_amount)} 未执行到位，不能以执行完毕结案。",
            field="outcome",
        )
    if outcome == Outcome.TERMINATED and ground not in TERMINATION_GROUNDS:
        raise OperationError("终结执行须选择民事诉讼法第二百六十八条规定的情形。", field="ground")
    _check_day(case, closed_on, "closed_on")

    _move(
        case,
        Stage.CLOSED,
        reason=reason,
        user=user,
        outcome=outcome,
        closed_on=closed_on,
        ground=ground if outcome == Outcome.TERMINATED else None,
    )


def _move(
    case: EnforcementCase, target: Stage, *, reason: str, user: User | None, **details
) -> None:
    if not reason.strip():
        raise OperationError("请填写理由。", field="reason")
    if not rules.can_move(case.stage, target):
        raise Conflict(
            f"案件处于“{STAGE_NAMES[case.stage]}”阶段，不能转为“{STAGE_NAMES[target]}”。"
        )

    _set_stage(case, target, reason=reason, user=user, **details)


def _set_stage(
    case: EnforcementCase, target: Stage, *, reason: str, user: User | None, **details
) -> None:
    previous = case.stage
    outcome = details.get("outcome")
    case.stage = target
    if outcome is not None:
        case.outcome = outcome
        case.closed_on = details["closed_on"]
    db.session.flush()

    audit.record(
        "case.moved",
        _subject(case),
        actor=_actor(user),
        **{"from": previous.value, "to": target.value, "reason": reason},
        **{key: _plain(value) for key, value in details.items() if value is not None},
    )
    log.info("case %s moved from %s to %s", case.public_id, previous.value, target.value)


# --- Measures ------------------------------------------------------------------------------


def record_measure(
    case: EnforcementCase,
    kind: MeasureKind,
    taken_on: date,
    *,
    note: str = "",
    reference: str | None = None,
    user: User | None = None,
) -> Measure:
    """Record an enforcement measure taken on the case; it counts on the 终本 checklist.

    Other features record theirs with a ``reference`` to their own record (a bounty
    published: ``reference="bounty:<public id>"``); they pass no user when the system acts.
    """
    if user is not None:
        _require_role(user, *CASE_STAFF)
    if case.stage == Stage.CLOSED:
        raise Conflict("案件已结案，不能再登记执行措施。")
    _check_day(case, taken_on, "taken_on")

    measure = Measure(
        case_id=case.id,
        kind=kind,
        taken_on=taken_on,
        note=note,
        reference=reference,
        recorded_by_id=user.id if user else None,
    )
    db.session.add(measure)
    db.session.flush()
    audit.record(
        "case.measure_recorded",
        _subject(case),
        actor=_actor(user),
        kind=kind.value,
        taken_on=taken_on.isoformat(),
        reference=reference,
    )
    return measure


def measures_of(case: EnforcementCase) -> list[Measure]:
    """The measures recorded on a case, in the order they were taken."""
    return list(
        db.session.execute(
            select(Measure).where(Measure.case_id == case.id).order_by(Measure.taken_on, Measure.id)
        ).scalars()
    )


# --- 终本 ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TerminationEntry:
    """What the judge states when asking for 终本."""

    ruled_on: date
    investigation_exhausted: bool
    investigation_summary: str
    applicant_informed_on: date | None
    applicant_view: str
    applicant_agrees: bool
    panel_approved: bool


def termination_facts(case: EnforcementCase, entry: TerminationEntry) -> rules.TerminationFacts:
    """The checklist's facts: the case's records and the judge's statements."""
    return rules.TerminationFacts(
        filed_on=case.filed_on,
        ruled_on=entry.ruled_on,
        measures=frozenset(measure.kind for measure in measures_of(case)),
        inquiry_complete=all(kind in latest_inquiry(case) for kind in rules.INQUIRY_KINDS),
        investigation_exhausted=entry.investigation_exhausted,
        applicant_informed_on=entry.applicant_informed_on,
        applicant_view=entry.applicant_view,
        applicant_agrees=entry.applicant_agrees,
        panel_approved=entry.panel_approved,
    )


def check_termination(case: EnforcementCase, entry: TerminationEntry) -> rules.Checklist:
    """The 终本 checklist for this case and these statements, on the court's calendar."""
    return rules.termination_checklist(termination_facts(case, entry), court_calendar())


def terminate_round(case: EnforcementCase, entry: TerminationEntry, *, judge: User) -> Termination:
    """Rule 终本 when every condition holds: issue the ruling and schedule the re-checks.

    Raises Conflict naming the unmet conditions otherwise.
    """
    _require_role(judge, *JUDGES)
    if not rules.can_move(case.stage, Stage.TERMINATED_ROUND):
        raise Conflict(
            f"案件处于“{STAGE_NAMES[case.stage]}”阶段，不能终结本次执行程序"
            "（须在普执或评估拍卖/强制处置阶段）。"
        )
    _check_day(case, entry.ruled_on, "ruled_on")
    if not entry.investigation_summary.strip():
        raise OperationError("请说明已采取的财产调查措施及结果。", field="investigation_summary")
    checklist = check_termination(case, entry)
    if not checklist.passed:
        raise Conflict(
            "不符合终结本次执行程序的条件：" + "；".join(item.text for item in checklist.unmet)
        )

    termination = Termination(
        case_id=case.id,
        ruled_on=entry.ruled_on,
        applicant_informed_on=entry.applicant_informed_on,
        applicant_view=entry.applicant_view.strip(),
        applicant_agrees=entry.applicant_agrees,
        panel_approved=entry.panel_approved,
        investigation_summary=entry.investigation_summary.strip(),
        decided_by_id=judge.id,
    )
    db.session.add(termination)
    _set_stage(
        case,
        Stage.TERMINATED_ROUND,
        reason="终结本次执行程序",
        user=judge,
        outcome=Outcome.TERMINATED_ROUND,
        closed_on=entry.ruled_on,
    )

    # imported here: the documents feature imports this package's models
    from relief.cases.paperwork import issue_termination_ruling

    document = issue_termination_ruling(case, termination, checklist, judge=judge)
    termination.document_id = document.id
    schedule_rechecks(case, entry.ruled_on, user=judge)
    db.session.flush()
    return termination


def schedule_rechecks(
    case: EnforcementCase, terminated_on: date, *, user: User | None = None
) -> list[Recheck]:
    """Create the ten re-checks of a 终本 case; a case that has them keeps them."""
    if case.stage != Stage.TERMINATED_ROUND:
        raise Conflict("只有终结本次执行程序的案件需要定期复查。")
    existing = db.session.execute(select(Recheck.id).where(Recheck.case_id == case.id)).first()
    if existing:
        raise Conflict("本案已有复查计划。")

    rechecks = [
        Recheck(case_id=case.id, sequence=k, due_on=due.due)
        for k, due in enumerate(rules.recheck_schedule(terminated_on, court_calendar()), start=1)
    ]
    db.session.add_all(rechecks)
    db.session.flush()
    audit.record(
        "case.rechecks_scheduled",
        _subject(case),
        actor=_actor(user),
        terminated_on=terminated_on.isoformat(),
        first_due=rechecks[0].due_on.isoformat(),
        count=len(rechecks),
    )
    return rechecks


def rechecks_of(case: EnforcementCase) -> list[Recheck]:
    """The case's re-checks in order."""
    return list(
        db.session.execute(
            select(Recheck).where(Recheck.case_id == case.id).order_by(Recheck.sequence)
        ).scalars()
    )


def record_recheck(
    recheck: Recheck,
    *,
    found: bool,
    done_on: date,
    applicant_notified_on: date | None,
    note: str,
    user: User,
) -> Recheck:
    """Record a re-check's result and the applicant's notification; a hit proposes resumption."""
    _require_role(user, *CASE_STAFF)
    if recheck.result != RecheckResult.PENDING:
        raise Conflict("该次复查已登记结果。")
    case = recheck.case
    if case.stage != Stage.TERMINATED_ROUND:
        raise Conflict("案件已不在终本状态，无需复查。")
    _check_day(case, done_on, "done_on")
    if applicant_notified_on is not None and applicant_notified_on < done_on:
        raise OperationError(
            "告知申请执行人的日期不能早于复查日期。", field="applicant_notified_on"
        )
    if applicant_notified_on is not None and applicant_notified_on > clock.today():
        raise OperationError("日期不能晚于今天。", field="applicant_notified_on")
    if found and not note.strip():
        raise OperationError("查到财产的，请写明财产情况。", field="note")

    recheck.result = RecheckResult.FOUND if found else RecheckResult.NOTHING
    recheck.done_on = done_on
    recheck.applicant_notified_on = applicant_notified_on
    recheck.note = note.strip()
    recheck.recorded_by_id = user.id
    db.session.flush()
    audit.record(
        "case.recheck_recorded",
        _subject(case),
        actor=_actor(user),
        sequence=recheck.sequence,
        result=recheck.result.value,
        applicant_notified_on=applicant_notified_on.isoformat() if applicant_notified_on else None,
    )
    return recheck


def notify_recheck(recheck: Recheck, notified_on: date, *, user: User) -> None:
    """Record that the applicant was told the result of a re-check done earlier."""
    _require_role(user, *CASE_STAFF)
    if recheck.result not in (RecheckResult.NOTHING, RecheckResult.FOUND):
        raise Conflict("该次复查尚未登记结果。")
    if recheck.applicant_notified_on is not None:
        raise Conflict("已登记告知申请执行人。")
    if notified_on < recheck.done_on or notified_on > clock.today():
        raise OperationError("告知日期应在复查日期和今天之间。", field="applicant_notified_on")

    recheck.applicant_notified_on = notified_on
    db.session.flush()
    audit.record(
        "case.recheck_notified",
        _subject(recheck.case),
        actor=_actor(user),
        sequence=recheck.sequence,
        notified_on=notified_on.isoformat(),
    )


def resumption_proposed(case: EnforcementCase) -> bool:
    """Whether a re-check found property and the case has not been resumed yet."""
    if case.stage != Stage.TERMINATED_ROUND or case.resumptions:
        return False
    return any(recheck.result == RecheckResult.FOUND for recheck in rechecks_of(case))


def resume(case: EnforcementCase, *, filed_on: date, reason: str, judge: User) -> EnforcementCase:
    """Resume a 终本 case: file the linked 执恢 case under a new number (TermRules art. 9).

    The applicant's application or a re-check hit is the ground; the reason says which. The
    remaining re-checks of the old case are cancelled: the new case now does the looking.
    """
    _require_role(judge, *JUDGES)
    if case.stage != Stage.TERMINATED_ROUND:
        raise Conflict("只有终结本次执行程序的案件可以恢复执行。")
    if case.resumptions:
        raise Conflict(f"本案已恢复执行，案号{case.resumptions[0].case_number}。")
    if not reason.strip():
        raise OperationError("请填写恢复执行的理由。", field="reason")
    _check_day(case, filed_on, "filed_on")
    if case.closed_on and filed_on < case.closed_on:
        raise OperationError("恢复执行立案日期不能早于终本裁定日期。", field="filed_on")

    # TODO: relief paid on the old case is clawed back from recoveries on the same case only;
    # money recorded on this 执恢 case does not reach that clawback until the two are linked.
    resumed = EnforcementCase(
        case_number=next_case_number(case, "执恢", filed_on.year),
        court_id=case.court_id,
        filed_on=filed_on,
        cause=case.cause,
        basis_document=case.basis_document,
        # the new case pursues what the old one left unpaid
        target_amount=case.unpaid_amount,
        recovered_amount=Decimal("0.00"),
        outcome=Outcome.OPEN,
        stage=Stage.FILED,
        closed_on=None,
        judge_name=case.judge_name,
        resumed_from=case,
        parties=[
            Party(role=party.role, kind=party.kind, name=party.name, id_number=party.id_number)
            for party in case.parties
        ],
    )
    db.session.add(resumed)
    for recheck in rechecks_of(case):
        if recheck.result == RecheckResult.PENDING:
            recheck.result = RecheckResult.CANCELLED
    db.session.flush()

    audit.record(
        "case.resumed",
        _subject(case),
        actor=_actor(judge),
        reason=reason,
        new_case=resumed.public_id,
        number=resumed.case_number,
    )
    audit.record(
        "case.filed_as_resumption",
        _subject(resumed),
        actor=_actor(judge),
        reason=reason,
        resumes=case.public_id,
    )
    return resumed


_SEQUENCE = re.compile(r"(\d+)号$")


def next_case_number(case: EnforcementCase, type_code: str, year: int) -> str:
    """The next number of a type for the case's court and a year: （2026）辽1103执恢4号."""
    court_code = parse_case_number(case.case_number).court_code
    prefix = f"（{year}）{court_code}{type_code}"
    taken = db.session.execute(
        select(EnforcementCase.case_number).where(EnforcementCase.case_number.like(f"{prefix}%"))
    ).scalars()
    # like() also matches a longer type code with this prefix; only exact ones count
    sequences = [
        int(match.group(1))
        for number in taken
        if (match := _SEQUENCE.search(number))
        and number[len(prefix) :].removesuffix("号").isdigit()
    ]
    return f"{prefix}{max(sequences, default=0) + 1}号"


# --- Helpers -------------------------------------------------------------------------------


def _require_role(user: User, *roles: Role) -> None:
    if not user.has_role(*roles):
        raise Forbidden("您的角色不能进行此操作。")


def _check_day(case: EnforcementCase, day: date, field: str) -> None:
    if day > clock.today():
        raise OperationError("日期不能晚于今天。", field=field)
    if day < case.filed_on:
        raise OperationError("日期不能早于立案日期。", field=field)


def _actor(user: User | None) -> str | None:
    # explicit, so the trail names the official in the CLI and in tests as in a request
    return f"user:{user.id}" if user is not None else None


def _subject(case: EnforcementCase) -> str:
    return f"case:{case.public_id}"


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)
