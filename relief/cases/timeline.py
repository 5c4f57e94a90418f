"""One timeline of everything on a case, built from the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import select

from relief.accounts.models import User
from relief.assistance.models import ReliefApplication, ReliefClaim
from relief.cases.labels import MEASURE_LABELS, PROPERTY_LABELS, RECHECK_LABELS, STAGE_LABELS
from relief.cases.models import EnforcementCase, MeasureKind, PropertyKind, RecheckResult, Stage
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
    "case.moved": lazy_gettext("案件阶段变更"),
    "case.inquiry_recorded": lazy_gettext("登记网络查控结果"),
    "case.measure_recorded": lazy_gettext("登记执行措施"),
    "case.rechecks_scheduled": lazy_gettext("生成终本后财产复查计划"),
    "case.recheck_recorded": lazy_gettext("登记终本后财产复查结果"),
    "case.recheck_notified": lazy_gettext("告知申请执行人复查结果"),
    "case.resumed": lazy_gettext("恢复执行"),
    "case.filed_as_resumption": lazy_gettext("恢复执行立案"),
}

DOCUMENT_LABELS = {
    "relief_decision": lazy_gettext("国家司法救助决定书"),
    "relief_claim": lazy_gettext("执行救助保险理赔申请书"),
    "collection_notice": lazy_gettext("领取救助金通知书"),
    "termination_ruling": lazy_gettext("终结本次执行程序裁定书"),
    "bounty_notice": lazy_gettext("悬赏公告"),
    "bounty_result": lazy_gettext("悬赏结果通知书"),
}


#: Functions that name the audit subjects another feature keeps for a case, e.g. its
#: bounties' "bounty:<public id>". A feature appends its own at import time, and its labels
#: to ACTION_LABELS and DOCUMENT_LABELS.
SUBJECT_SOURCES: list[Callable[[EnforcementCase], list[str]]] = []


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
    for source in SUBJECT_SOURCES:
        subjects += source(case)

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
    case_detail = _case_detail(entry.action, details)
    if case_detail is not None:
        return case_detail
    if entry.action == "document.issued":
        return f"{DOCUMENT_LABELS.get(details.get('kind'), '')} {details.get('number', '')}"
    if "amount" in details:
        return f"金额 {details['amount']} 元"
    if "amount_requested" in details:
        return f"申请金额 {details['amount_requested']} 元"
    return ""


def _case_detail(action: str, details: dict) -> str | None:
    """The detail of the case's own workflow events, or None for other events."""
    if action == "case.moved":
        stages = f"{_label(STAGE_LABELS, Stage, details.get('from'))} → "
        stages += _label(STAGE_LABELS, Stage, details.get("to"))
        return f"{stages}：{details.get('reason', '')}"
    if action == "case.inquiry_recorded":
        kind = _label(PROPERTY_LABELS, PropertyKind, details.get("kind"))
        if details.get("found"):
            return _("%(kind)s：查到 %(amount)s 元", kind=kind, amount=details.get("amount"))
        return _("%(kind)s：未查到", kind=kind)
    if action == "case.measure_recorded":
        return _label(MEASURE_LABELS, MeasureKind, details.get("kind"))
    if action == "case.recheck_recorded":
        result = _label(RECHECK_LABELS, RecheckResult, details.get("result"))
        return _("第%(sequence)s次：%(result)s", sequence=details.get("sequence"), result=result)
    if action == "case.resumed":
        return str(details.get("number", ""))
    return None


def _label(labels: dict, kind: type, value: str | None) -> str:
    try:
        return str(labels[kind(value)])
    except ValueError:
        return str(value or "")
