"""Every change of state of an enforcement case goes through a function here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from blinker import Namespace

from relief.cases.models import EnforcementCase, Recovery
from relief.core import audit
from relief.core.money import format_yuan
from relief.extensions import db

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
