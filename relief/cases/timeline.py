"""One timeline of everything on a case, built from the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext
from sqlalchemy import select

from relief.accounts.models import User
from relief.assistance.models import ReliefApplication, ReliefClaim
from relief.cases.models import EnforcementCase
from relief.core.audit import AuditEntry
from relief.extensions import db
from relief.insurers.models import Insurer

ACTION_LABELS = {
    "cases.imported": lazy_gettext("案件信息导入"),
    "case.recovery_recorded": lazy_gettext("登记执行到位款"),
    "relief.filed": lazy_gettext("提交司法救助申请"),
    "relief.proposed": lazy_gettext("承办法官提出救助意见"),
    "relief.declined": lazy_gettext("承办法官决定不予救助"),
    "relief.returned": lazy_gettext("审批人退回救助意见"),
    "relief.approved": lazy_gettext("审批人批准救助"),
    "document.issued": lazy_gettext("出具文书"),
    "claim.accepted": lazy_gettext("保险公司受理理赔"),
    "claim.rejected": lazy_gettext("保险公司拒绝理赔"),
    "claim.paid": lazy_gettext("保险公司支付救助金"),
    "claim.clawed_back": lazy_gettext("从执行到位款中扣回已付救助金"),
}

DOCUMENT_LABELS = {
    "relief_decision": lazy_gettext("国家司法救助决定书"),
    "relief_claim": lazy_gettext("执行救助保险理赔申请书"),
    "collection_notice": lazy_gettext("领取救助金通知书"),
}


@dataclass(frozen=True)
class Event:
    at: datetime
    label: str
    actor: str
    detail: str


def case_timeline(case: EnforcementCase) -> list[Event]:
    """Events of the case and of its relief applications and claims, oldest first."""
    applications = db.session.execute(
        select(ReliefApplication.public_id).where(ReliefApplication.case_id == case.id)
    ).scalars()
    claims = db.session.execute(
        select(ReliefClaim.public_id)
        .join(ReliefApplication)
        .where(ReliefApplication.case_id == case.id)
    ).scalars()
    subjects = [f"case:{case.public_id}"]
    subjects += [f"relief_application:{public_id}" for public_id in applications]
    subjects += [f"relief_claim:{public_id}" for public_id in claims]

    entries = db.session.execute(
        select(AuditEntry).where(AuditEntry.subject.in_(subjects)).order_by(AuditEntry.id)
    ).scalars()
    actors = _actor_names()
    return [
        Event(
            at=entry.at,
            label=ACTION_LABELS.get(entry.action, entry.action),
            actor=actors.get(entry.actor, "系统"),
            detail=_detail(entry),
        )
        for entry in entries
    ]


def _actor_names() -> dict[str, str]:
    names = {
        f"user:{user_id}": name
        for user_id, name in db.session.execute(select(User.id, User.display_name))
    }
    for public_id, name in db.session.execute(select(Insurer.public_id, Insurer.short_name)):
        names[f"insurer:{public_id}"] = name
    return names


def _detail(entry: AuditEntry) -> str:
    details = entry.details or {}
    if entry.action == "document.issued":
        return f"{DOCUMENT_LABELS.get(details.get('kind'), '')} {details.get('number', '')}"
    if "amount" in details:
        return f"金额 {details['amount']} 元"
    if "amount_requested" in details:
        return f"申请金额 {details['amount_requested']} 元"
    return ""
