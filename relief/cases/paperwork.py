"""The 终本 ruling (终结本次执行程序裁定书), built from the case as plain values."""

from __future__ import annotations

from sqlalchemy import select

from relief.accounts.models import User
from relief.cases import rules
from relief.cases.models import (
    EnforcementCase,
    InquiryResult,
    MeasureKind,
    PartyKind,
    PartyRole,
    PropertyKind,
    Termination,
)
from relief.cases.operations import measures_of
from relief.core.identity import mask
from relief.core.money import format_yuan
from relief.documents.models import DocumentKind, IssuedDocument
from relief.documents.operations import issue
from relief.extensions import db

ID_LABELS = {PartyKind.PERSON: "公民身份号码", PartyKind.ORGANISATION: "统一社会信用代码"}

# Documents are in Chinese whatever the clerk's interface language: they go to the parties.
PROPERTY_NAMES = {
    PropertyKind.DEPOSITS: "存款",
    PropertyKind.VEHICLES: "车辆",
    PropertyKind.REAL_ESTATE: "不动产",
    PropertyKind.SECURITIES: "证券",
    PropertyKind.OTHER: "其他财产",
}
MEASURE_NAMES = {
    MeasureKind.REPORT_ORDER: "向被执行人送达执行通知书、报告财产令",
    MeasureKind.CONSUMPTION_RESTRICTION: "对被执行人发出限制消费令",
    MeasureKind.DISHONEST_LIST: "将被执行人纳入失信被执行人名单",
    MeasureKind.ONLINE_INQUIRY: "通过网络执行查控系统查询被执行人财产",
    MeasureKind.ONSITE_INQUIRY: "实地调查被执行人财产情况",
    MeasureKind.LEADS_CHECKED: "核查申请执行人提供的财产线索",
    MeasureKind.SEARCH: "对被执行人住所及财产隐匿地进行搜查",
    MeasureKind.AUDIT: "委托审计机构对被执行人进行审计",
    MeasureKind.BOUNTY: "发布悬赏公告查找被执行人财产",
    MeasureKind.SANCTION: "对被执行人采取罚款、拘留等强制措施",
}

LEGAL_BASIS = [
    "《中华人民共和国民事诉讼法》第二百六十八条第（六）项",
    "《最高人民法院关于适用〈中华人民共和国民事诉讼法〉的解释》第五百一十七条",
    "《最高人民法院关于严格规范终结本次执行程序的规定（试行）》第一条",
]


def _party(party) -> dict:
    return {
        "name": party.name,
        "id_label": ID_LABELS[party.kind],
        "id_number_masked": mask(party.id_number),
    }


def termination_context(
    case: EnforcementCase, termination: Termination, checklist: rules.Checklist, judge: User
) -> dict:
    """Everything the ruling prints, as display-ready plain values."""
    results = db.session.execute(
        select(InquiryResult)
        .where(InquiryResult.case_id == case.id)
        .order_by(InquiryResult.received_on, InquiryResult.id)
    ).scalars()
    latest = {result.kind: result for result in results}
    inquiry = [
        {
            "kind": PROPERTY_NAMES[kind],
            "found": latest[kind].found,
            "amount": format_yuan(latest[kind].amount_found) if latest[kind].found else "",
        }
        for kind in PropertyKind
        if kind in latest
    ]
    return {
        "court_name": case.court.name,
        "case_number": case.case_number,
        "applicants": [_party(party) for party in case.parties_in(PartyRole.APPLICANT)],
        "respondents": [_party(party) for party in case.parties_in(PartyRole.RESPONDENT)],
        "filed_on": case.filed_on,
        "cause": case.cause,
        "basis_document": case.basis_document,
        "target_amount": format_yuan(case.target_amount),
        "recovered_amount": format_yuan(case.recovered_amount),
        "unpaid_amount": format_yuan(case.unpaid_amount),
        "measures": [
            {"taken_on": measure.taken_on, "name": MEASURE_NAMES[measure.kind]}
            for measure in measures_of(case)
        ],
        "inquiry": inquiry,
        "investigation_summary": termination.investigation_summary,
        "applicant_informed_on": termination.applicant_informed_on,
        "applicant_view": termination.applicant_view,
        "applicant_agrees": termination.applicant_agrees,
        "findings": [item.text for item in checklist.items],
        "legal_basis": LEGAL_BASIS,
        "judge": judge.display_name,
        "issued_on": termination.ruled_on,
    }


def issue_termination_ruling(
    case: EnforcementCase, termination: Termination, checklist: rules.Checklist, *, judge: User
) -> IssuedDocument:
    """Issue the 终本 ruling under the case's own number."""
    return issue(
        DocumentKind.TERMINATION_RULING,
        number=case.case_number,
        case=case,
        issued_by_id=judge.id,
        context=termination_context(case, termination, checklist, judge),
    )
