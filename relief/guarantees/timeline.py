"""The guarantee's events on the case timeline: its subjects and their labels."""

from __future__ import annotations

from flask_babel import lazy_gettext
from sqlalchemy import select

from relief.cases import timeline
from relief.cases.models import EnforcementCase
from relief.extensions import db
from relief.guarantees.models import Guarantee

ACTION_LABELS = {
    "guarantee.filed": lazy_gettext("提交财产保全申请"),
    "guarantee.quoted": lazy_gettext("保险公司报价"),
    "guarantee.declined": lazy_gettext("保险公司不予承保"),
    "guarantee.issued": lazy_gettext("保险公司出具保单保函"),
    "guarantee.acceptance_proposed": lazy_gettext("承办法官拟接受超出余额上限的担保"),
    "guarantee.accepted": lazy_gettext("法院接受担保"),
    "guarantee.rejected": lazy_gettext("法院不予接受担保"),
    "guarantee.ruled": lazy_gettext("裁定财产保全"),
    "guarantee.dismissed": lazy_gettext("裁定驳回保全申请"),
    "guarantee.executed": lazy_gettext("执行保全措施"),
    "guarantee.renewed": lazy_gettext("续行保全"),
    "guarantee.released": lazy_gettext("解除保全"),
    "guarantee.converted": lazy_gettext("保全转为执行措施"),
    "guarantee.claimed": lazy_gettext("向保险公司提出保全错误赔偿请求"),
    "guarantee.claim_paid": lazy_gettext("保险公司支付保全错误赔偿"),
    "guarantee.closed": lazy_gettext("保险责任期间届满，保全担保结案"),
}


def guarantee_subjects(case: EnforcementCase) -> list[str]:
    """The audit subjects of the guarantees linked to the case."""
    public_ids = db.session.execute(
        select(Guarantee.public_id).where(Guarantee.case_id == case.id)
    ).scalars()
    return [f"guarantee:{public_id}" for public_id in public_ids]


def register() -> None:
    """Add the guarantee's subjects and labels to the case timeline (once)."""
    if guarantee_subjects in timeline.SUBJECT_SOURCES:
        return
    timeline.SUBJECT_SOURCES.append(guarantee_subjects)
    timeline.ACTION_LABELS.update(ACTION_LABELS)
    timeline.DOCUMENT_LABELS["guarantee_letter"] = lazy_gettext("诉讼财产保全担保书")
