"""The enforcement case's life through its operations: each move, each refusal, 终本, re-checks,
resumption; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from relief.accounts.models import Role
from relief.cases import operations as ops
from relief.cases.importer import import_cases
from relief.cases.models import (
    EnforcementCase,
    MeasureKind,
    Outcome,
    PropertyKind,
    Recheck,
    RecheckResult,
    Stage,
)
from relief.core.audit import AuditEntry
from relief.core.errors import Conflict, Forbidden, OperationError
from relief.documents.models import DocumentKind, IssuedDocument
from relief.extensions import db
from relief.holidays.operations import set_override
from tests.conftest import SAMPLE_EXPORT
from tests.factories import make_case, make_user

FILED = date(2025, 3, 4)
ANSWERED = date(2025, 3, 20)


@pytest.fixture
def judge(app):
    return make_user("judge", Role.JUDGE)


def open_case(unpaid: str = "50000.00") -> EnforcementCase:
    case = make_case(unpaid=unpaid, outcome=Outcome.OPEN)
    case.filed_on = FILED
    db.session.flush()
    return case


def in_inquiry(judge, unpaid: str = "50000.00") -> EnforcementCase:
    case = open_case(unpaid)
    ops.start_inquiry(case, reason="立案后发起网络查控", user=judge)
    return case


def on_ordinary_track(judge) -> EnforcementCase:
    case = in_inquiry(judge)
    for kind in PropertyKind:
        ops.record_inquiry_result(case, kind, None, ANSWERED, user=judge)
    return case


def ready_for_termination(judge) -> EnforcementCase:
    case = on_ordinary_track(judge)
    ops.record_measure(case, MeasureKind.REPORT_ORDER, FILED, user=judge)
    ops.record_measure(case, MeasureKind.CONSUMPTION_RESTRICTION, FILED, user=judge)
    return case


def entry(**changes) -> ops.TerminationEntry:
    values = {
        "ruled_on": date(2025, 8, 31),
        "investigation_exhausted": True,
        "investigation_summary": "经网络查控及实地调查，未发现可供执行的财产。",
        "applicant_informed_on": date(2025, 8, 25),
        "applicant_view": "同意终结本次执行程序",
        "applicant_agrees": True,
        "panel_approved": False,
    }
    return ops.TerminationEntry(**(values | changes))


def trail(case: EnforcementCase, action: str) -> list[AuditEntry]:
    return list(
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.subject == f"case:{case.public_id}", AuditEntry.action == action)
            .order_by(AuditEntry.id)
        ).scalars()
    )


# --- Filing to track -------------------------------------------------------------------------


def test_a_move_is_audited_with_actor_and_reason(judge):
    case = in_inquiry(judge)

    assert case.stage == Stage.INQUIRY
    [moved] = trail(case, "case.moved")
    assert moved.actor == f"user:{judge.id}"
    assert moved.details == {"from": "filed", "to": "inquiry", "reason": "立案后发起网络查控"}


def test_deposits_covering_the_debt_put_the_case_on_the_quick_track(judge):
    case = in_inquiry(judge)

    stage = ops.record_inquiry_result(
        case, PropertyKind.DEPOSITS, Decimal("50000.00"), ANSWERED, user=judge
    )

    assert stage == case.stage == Stage.QUICK
    assert trail(case, "case.moved")[-1].details["to"] == "quick"


def test_the_case_waits_for_every_kind_before_the_ordinary_track(judge):
    case = in_inquiry(judge)
    ops.record_inquiry_result(case, PropertyKind.DEPOSITS, Decimal("100.00"), ANSWERED, user=judge)
    for kind in [PropertyKind.VEHICLES, PropertyKind.REAL_ESTATE, PropertyKind.SECURITIES]:
        assert ops.record_inquiry_result(case, kind, None, ANSWERED, user=judge) == Stage.INQUIRY

    assert ops.record_inquiry_result(case, PropertyKind.OTHER, None, ANSWERED, user=judge) == (
        Stage.ORDINARY
    )


def test_results_before_the_inquiry_is_sent_are_refused(judge):
    case = open_case()
    with pytest.raises(Conflict, match="请先发起网络查控"):
        ops.record_inquiry_result(case, PropertyKind.DEPOSITS, None, ANSWERED, user=judge)


def test_a_result_dated_before_filing_is_refused(judge):
    case = in_inquiry(judge)
    with pytest.raises(OperationError) as refused:
        ops.record_inquiry_result(case, PropertyKind.DEPOSITS, None, date(2025, 3, 1), user=judge)
    assert refused.value.field == "received_on"


@pytest.mark.parametrize(
    ("prepare", "move"),
    [
        (open_case, lambda case, judge: ops.start_disposal(case, reason="拍卖", user=judge)),
        (
            lambda: make_case(outcome=Outcome.COMPLETED),
            lambda case, judge: ops.start_inquiry(case, reason="再查", user=judge),
        ),
    ],
)
def test_illegal_moves_are_refused_in_chinese_and_change_nothing(judge, prepare, move):
    case = prepare()
    before = case.stage

    with pytest.raises(Conflict, match="阶段，不能转为"):
        move(case, judge)

    assert case.stage == before
    assert trail(case, "case.moved") == []


def test_a_clerk_may_not_send_the_case_to_disposal(judge):
    case = on_ordinary_track(judge)
    clerk = make_user("clerk", Role.CLERK)
    with pytest.raises(Forbidden):
        ops.start_disposal(case, reason="拍卖房产", user=clerk)


def test_disposal_then_completion_when_everything_is_paid(judge):
    case = in_inquiry(judge)
    ops.record_inquiry_result(
        case, PropertyKind.DEPOSITS, Decimal("60000.00"), ANSWERED, user=judge
    )
    ops.start_disposal(case, reason="扣划存款", user=judge)
    assert case.stage == Stage.DISPOSAL

    with pytest.raises(Conflict, match="未执行到位"):
        ops.close_case(case, Outcome.COMPLETED, date(2025, 4, 1), reason="执行完毕", user=judge)

    ops.record_recovery(case, Decimal("50000.00"), date(2025, 4, 1))
    ops.close_case(case, Outcome.COMPLETED, date(2025, 4, 1), reason="款项已扣划", user=judge)
    assert (case.stage, case.outcome, case.closed_on) == (
        Stage.CLOSED,
        Outcome.COMPLETED,
        date(2025, 4, 1),
    )


def test_termination_of_enforcement_needs_a_ground_of_article_268(judge):
    case = on_ordinary_track(judge)
    with pytest.raises(OperationError) as refused:
        ops.close_case(case, Outcome.TERMINATED, date(2025, 5, 1), reason="撤回", user=judge)
    assert refused.value.field == "ground"

    ops.close_case(
        case, Outcome.TERMINATED, date(2025, 5, 1), reason="撤回", ground="withdrawn", user=judge
    )
    assert case.outcome == Outcome.TERMINATED
    assert trail(case, "case.moved")[-1].details["ground"] == "withdrawn"


def test_a_bounty_counts_as_a_measure_with_its_reference(judge):
    case = on_ordinary_track(judge)
    ops.record_measure(case, MeasureKind.BOUNTY, date(2025, 5, 2), reference="bounty:bty_x")

    [measure] = ops.measures_of(case)
    assert (measure.kind, measure.reference, measure.recorded_by_id) == (
        MeasureKind.BOUNTY,
        "bounty:bty_x",
        None,
    )


# --- 终本 -----------------------------------------------------------------------------------


def test_termination_issues_the_ruling_and_schedules_ten_rechecks(judge):
    case = ready_for_termination(judge)

    termination = ops.terminate_round(case, entry(), judge=judge)

    assert (case.stage, case.outcome, case.closed_on) == (
        Stage.TERMINATED_ROUND,
        Outcome.TERMINATED_ROUND,
        date(2025, 8, 31),
    )
    ruling = db.session.get(IssuedDocument, termination.document_id)
    assert ruling.kind == DocumentKind.TERMINATION_RULING
    assert ruling.number == case.case_number
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(ruling.content)).pages)
    assert "终结本次执行程序" in text.replace("\n", "")
    assert "211103196907273165" not in text  # identity numbers are masked on the ruling

    due = [recheck.due_on for recheck in ops.rechecks_of(case)]
    assert due[:3] == [date(2026, 2, 28), date(2026, 8, 31), date(2027, 3, 1)]
    assert len(due) == 10


def test_termination_refused_names_every_unmet_condition(judge):
    case = on_ordinary_track(judge)  # no report order, no consumption restriction

    with pytest.raises(Conflict) as refused:
        ops.terminate_round(case, entry(ruled_on=date(2025, 6, 4)), judge=judge)

    message = refused.value.message
    assert "报告财产令" in message and "限制消费令" in message and "未满三个月" in message
    assert case.stage == Stage.ORDINARY
    assert db.session.execute(select(Recheck)).first() is None


def test_termination_only_from_the_ordinary_track_or_disposal(judge):
    case = in_inquiry(judge)
    with pytest.raises(Conflict, match="不能终结本次执行程序"):
        ops.terminate_round(case, entry(), judge=judge)


def test_an_admin_holiday_moves_a_recheck(judge):
    set_override(date(2027, 3, 1), False, "国务院办公厅通知")
    case = ready_for_termination(judge)

    ops.terminate_round(case, entry(), judge=judge)

    assert ops.rechecks_of(case)[2].due_on == date(2027, 3, 2)


# --- After 终本 ------------------------------------------------------------------------------


def test_a_recheck_hit_proposes_resumption_and_resuming_files_the_new_case(judge):
    case = ready_for_termination(judge)
    ops.terminate_round(case, entry(), judge=judge)
    first = ops.rechecks_of(case)[0]

    ops.record_recheck(
        first,
        found=True,
        done_on=date(2026, 2, 28),
        applicant_notified_on=date(2026, 3, 2),
        note="查到被执行人名下新登记车辆一辆",
        user=judge,
    )
    assert ops.resumption_proposed(case)

    resumed = ops.resume(case, filed_on=date(2026, 3, 5), reason="复查发现车辆", judge=judge)

    assert resumed.case_number == "（2026）辽1103执恢1号"
    assert resumed.resumed_from_id == case.id
    assert resumed.stage == Stage.FILED
    assert resumed.target_amount == case.unpaid_amount
    assert [p.name for p in resumed.parties] == [p.name for p in case.parties]
    results = {recheck.result for recheck in ops.rechecks_of(case)[1:]}
    assert results == {RecheckResult.CANCELLED}
    assert not ops.resumption_proposed(case)

    with pytest.raises(Conflict, match="已恢复执行"):
        ops.resume(case, filed_on=date(2026, 3, 6), reason="再次", judge=judge)


def test_the_next_resumption_number_follows_the_court_and_year(judge):
    make_case()  # （2024）辽1103执N号: a different type code, not counted
    other = make_case()
    other.case_number = "（2026）辽1103执恢7号"
    db.session.flush()

    case = make_case()
    assert ops.next_case_number(case, "执恢", 2026) == "（2026）辽1103执恢8号"
    assert ops.next_case_number(case, "执恢", 2027) == "（2027）辽1103执恢1号"


def test_a_recheck_is_recorded_once_and_needs_a_note_when_property_is_found(judge):
    case = ready_for_termination(judge)
    ops.terminate_round(case, entry(), judge=judge)
    first = ops.rechecks_of(case)[0]

    with pytest.raises(OperationError) as refused:
        ops.record_recheck(
            first,
            found=True,
            done_on=date(2026, 3, 2),
            applicant_notified_on=None,
            note="",
            user=judge,
        )
    assert refused.value.field == "note"

    ops.record_recheck(
        first,
        found=False,
        done_on=date(2026, 3, 2),
        applicant_notified_on=None,
        note="",
        user=judge,
    )
    ops.notify_recheck(first, date(2026, 3, 3), user=judge)
    assert first.applicant_notified_on == date(2026, 3, 3)
    with pytest.raises(Conflict):
        ops.record_recheck(
            first,
            found=False,
            done_on=date(2026, 3, 2),
            applicant_notified_on=None,
            note="",
            user=judge,
        )


# --- Imported cases ------------------------------------------------------------------------


def test_imported_outcomes_map_onto_stages(app):
    import_cases(SAMPLE_EXPORT, actor="system")
    db.session.flush()

    pairs = set(db.session.execute(select(EnforcementCase.outcome, EnforcementCase.stage)))
    assert pairs == {
        (Outcome.OPEN, Stage.FILED),
        (Outcome.COMPLETED, Stage.CLOSED),
        (Outcome.TERMINATED, Stage.CLOSED),
        (Outcome.TERMINATED_ROUND, Stage.TERMINATED_ROUND),
    }


def test_an_imported_terminated_case_gets_its_rechecks_from_its_closing_date(app):
    case = make_case(outcome=Outcome.TERMINATED_ROUND)  # closed on 1 September 2024

    rechecks = ops.schedule_rechecks(case, case.closed_on)

    assert rechecks[0].due_on == date(2025, 3, 3)  # 1 March 2025 is a Saturday
    with pytest.raises(Conflict, match="已有复查计划"):
        ops.schedule_rechecks(case, case.closed_on)
