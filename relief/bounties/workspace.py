"""What bounties put on the staff workspace: decisions due, tips to verify, payouts to sign."""

from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from relief.accounts.models import Role, User
from relief.bounties import rules
from relief.bounties.models import Bounty, BountyPayout, BountyStatus, PayoutStatus, Tip
from relief.cases import workspace
from relief.cases.models import EnforcementCase
from relief.extensions import db
from relief.web import localtime

#: Verify a lead within 7 days (InvRules art. 2 sets it for the applicant's leads; the court
#: applies the same period to tips as its target, DOMAIN.md B1.11).
VERIFICATION_DAYS = 7


def bounties_to_decide(user: User, today: date) -> list[workspace.QueueItem]:
    """Bounty applications waiting for the judge's decision (10 days, art. 21(2))."""
    if user.role not in (Role.JUDGE, Role.ADMIN):
        return []
    query = (
        select(Bounty)
        .join(EnforcementCase, Bounty.case_id == EnforcementCase.id)
        .where(Bounty.status == BountyStatus.FILED)
        .options(selectinload(Bounty.case))
    )
    return [
        workspace.QueueItem(
            queue=str(lazy_gettext("待决定的悬赏申请")),
            title=bounty.notice_number,
            case_number=bounty.case.case_number,
            url=url_for("bounties.show", public_id=bounty.public_id),
            due_on=bounty.decision_due_on,
            waiting_since=bounty.filed_on,
        )
        for bounty in db.session.execute(workspace.own_cases(query, user)).scalars()
    ]


def tips_to_verify(user: User, today: date) -> list[workspace.QueueItem]:
    """Tips on the judge's own bounties not yet examined."""
    if user.role != Role.JUDGE:
        return []
    tips = db.session.execute(
        select(Tip)
        .join(Bounty, Tip.bounty_id == Bounty.id)
        .where(Bounty.decided_by_id == user.id, Tip.verdict == rules.TipVerdict.PENDING)
        .options(selectinload(Tip.bounty).selectinload(Bounty.case))
    ).scalars()
    items = []
    for tip in tips:
        registered_on = _court_day(tip.registered_at)
        items.append(
            workspace.QueueItem(
                queue=str(lazy_gettext("待核实的悬赏举报")),
                title=tip.bounty.notice_number,
                case_number=tip.bounty.case.case_number,
                url=url_for("bounties.tip", tip_id=tip.public_id),
                due_on=registered_on + timedelta(days=VERIFICATION_DAYS),
                waiting_since=registered_on,
            )
        )
    return items


def payouts_to_approve(user: User, today: date) -> list[workspace.QueueItem]:
    """Bounty payouts waiting for a second signature; never the viewer's own."""
    if user.role != Role.APPROVER:
        return []
    payouts = db.session.execute(
        select(BountyPayout)
        .where(
            BountyPayout.status == PayoutStatus.PROPOSED,
            BountyPayout.proposed_by_id != user.id,
        )
        .options(selectinload(BountyPayout.bounty).selectinload(Bounty.case))
    ).scalars()
    return [
        workspace.QueueItem(
            queue=str(lazy_gettext("待审批的悬赏金")),
            title=payout.bounty.notice_number,
            case_number=payout.bounty.case.case_number,
            url=url_for("bounties.show", public_id=payout.bounty.public_id),
            # no legal period: the approver signs as soon as possible
            due_on=_court_day(payout.proposed_at),
            waiting_since=_court_day(payout.proposed_at),
        )
        for payout in payouts
    ]


def _court_day(moment) -> date:
    """The day in China on which a stored UTC moment fell."""
    return date.fromisoformat(localtime(moment)[:10])


def register() -> None:
    """Add the bounty queues to the workspace (once)."""
    for function in (bounties_to_decide, tips_to_verify, payouts_to_approve):
        if function not in workspace.QUEUES:
            workspace.queue(function)
