"""Demo cases at each stage of their life, for the demo data and the walk-through."""

from __future__ import annotations

from sqlalchemy import select

from relief.accounts.models import User
from relief.cases import operations
from relief.cases.models import EnforcementCase, MeasureKind, PropertyKind, Stage
from relief.core import clock
from relief.extensions import db


def load_stage_examples(judge: User) -> None:
    """Move a few of the judge's open cases along: inquiry, quick and ordinary tracks,
    disposal; and give the judge's 终本 cases their re-checks."""
    cases = list(
        db.session.execute(
            select(EnforcementCase)
            .where(
                EnforcementCase.stage == Stage.FILED,
                EnforcementCase.judge_name == judge.display_name,
            )
            .order_by(EnforcementCase.id)
            .limit(4)
        ).scalars()
    )
    answered = clock.today()
    for index, case in enumerate(cases):
        operations.start_inquiry(case, reason="立案后发起网络查控", user=judge)
        if index == 0:
            continue  # waits for its answers
        # the second case's deposits cover the debt (quick track), the others' find nothing
        deposits = case.unpaid_amount if index == 1 else None
        operations.record_inquiry_result(
            case, PropertyKind.DEPOSITS, deposits, answered, user=judge
        )
        for kind in list(PropertyKind)[1:]:
            if case.stage == Stage.INQUIRY:
                operations.record_inquiry_result(case, kind, None, answered, user=judge)
        operations.record_measure(case, MeasureKind.REPORT_ORDER, case.filed_on, user=judge)
        if index == 3:
            operations.start_disposal(case, reason="评估拍卖被执行人名下房产", user=judge)

    terminated = db.session.execute(
        select(EnforcementCase)
        .where(
            EnforcementCase.stage == Stage.TERMINATED_ROUND,
            EnforcementCase.judge_name == judge.display_name,
            EnforcementCase.closed_on.is_not(None),
        )
        .order_by(EnforcementCase.id)
        .limit(5)
    ).scalars()
    for case in terminated:
        operations.schedule_rechecks(case, case.closed_on, user=judge)
