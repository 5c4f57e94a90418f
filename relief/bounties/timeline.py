"""The bounty's events on the case timeline: its subjects and their labels.

Tips appear as counts on the bounty's page only; their own entries (registration, views of
the tipster) stay off the case timeline.
"""

from __future__ import annotations

from flask_babel import lazy_gettext
from sqlalchemy import select

from relief.bounties.models import Bounty, BountyPayout
from relief.cases import timeline
from relief.cases.models import EnforcementCase
from relief.extensions import db

ACTION_LABELS = {
    "bounty.filed": lazy_gettext("提交执行悬赏申请"),
    "bounty.granted": lazy_gettext("准许悬赏并发布悬赏公告"),
    "bounty.rejected": lazy_gettext("不予悬赏"),
    "bounty.ended": lazy_gettext("悬赏结束"),
    "bounty.quoted": lazy_gettext("保险公司报价悬赏保险"),
    "bounty.insured": lazy_gettext("保险公司出具悬赏保险保单"),
    "bounty.insurance_declined": lazy_gettext("保险公司拒保悬赏保险"),
    "payout.proposed": lazy_gettext("承办法官提出悬赏金"),
    "payout.approved": lazy_gettext("审批人批准悬赏金"),
    "payout.payee_disclosed": lazy_gettext("向保险公司披露领取人信息"),
    "payout.paid": lazy_gettext("保险公司支付悬赏金"),
}


def bounty_subjects(case: EnforcementCase) -> list[str]:
    """The audit subjects of the case's bounties and their payouts."""
    bounties = db.session.execute(
        select(Bounty.public_id).where(Bounty.case_id == case.id)
    ).scalars()
    payouts = db.session.execute(
        select(BountyPayout.public_id).join(Bounty).where(Bounty.case_id == case.id)
    ).scalars()
    return [f"bounty:{public_id}" for public_id in bounties] + [
        f"bounty_payout:{public_id}" for public_id in payouts
    ]


def register() -> None:
    """Add the bounty's subjects and labels to the case timeline (once)."""
    if bounty_subjects in timeline.SUBJECT_SOURCES:
        return
    timeline.SUBJECT_SOURCES.append(bounty_subjects)
    timeline.ACTION_LABELS.update(ACTION_LABELS)
