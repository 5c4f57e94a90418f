"""The documents of a bounty: the notice (悬赏公告) and the bounty-result notice.

Contexts are built here as plain, display-ready values with identity numbers masked, so
templates never touch the database. No tipster's identity is ever printed.
"""

from __future__ import annotations

from flask import current_app

from relief.accounts.models import User
from relief.bounties import rules
from relief.bounties.models import Bounty, BountyPayout
from relief.cases.models import PartyKind
from relief.core import clock
from relief.core.identity import mask
from relief.core.money import format_yuan, in_capitals
from relief.documents.models import DocumentKind, IssuedDocument
from relief.documents.operations import issue

ID_LABELS = {PartyKind.PERSON: "公民身份号码", PartyKind.ORGANISATION: "统一社会信用代码"}


def conditions(bounty: Bounty) -> list[str]:
    """The conditions for claiming the bounty, as the notice states them (art. 22(1))."""
    if bounty.kind == rules.BountyKind.PROPERTY:
        found = "提供本院此前未掌握的被执行人可供执行的财产线索，并经本院核实"
        result = "通过该线索使申请执行人的债权全部或者部分实现"
    else:
        found = "提供本院此前未掌握的被执行人下落线索，并经本院核实"
        result = "本院根据该线索查找到被执行人"
    return [
        found + "；",
        result + "；",
        "同一线索由两人以上提供的，由最先登记的举报人领取；",
        "申请执行人的代理人、被执行人及其法定代表人、负有向人民法院提供财产线索义务的人"
        "不得领取悬赏金；",
        "举报人须如实提供姓名、身份证号码和联系电话，以便核实和发放悬赏金。",
    ]


def public_url(bounty: Bounty) -> str:
    """The public page of the notice, as printed on it."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    path = current_app.url_map.bind("").build(
        "public_bounties.notice", {"public_id": bounty.public_id}
    )
    return base + path


def issue_notice(bounty: Bounty, *, issued_by: User) -> IssuedDocument:
    """Issue the bounty notice when the bounty is granted."""
    case = bounty.case
    respondent = case.respondent
    context = {
        "court_name": case.court.name,
        "case_number": case.case_number,
        "cause": case.cause,
        "basis_document": case.basis_document,
        "applicant_name": bounty.party.name,
        "respondent": {
            "name": respondent.name,
            "id_label": ID_LABELS[respondent.kind],
            "id_number_masked": mask(respondent.id_number),
        },
        "published_details": bounty.published_details,
        "target_amount": format_yuan(case.target_amount),
        "unpaid_amount": format_yuan(case.unpaid_amount),
        "kind_label": rules.KIND_LABELS[bounty.kind],
        "terms_text": rules.describe(bounty.terms),
        "conditions": conditions(bounty),
        "channels": [rules.CHANNEL_LABELS[rules.Channel(value)] for value in bounty.channels],
        "expires_on": bounty.expires_on,
        "public_url": public_url(bounty),
        "issued_on": clock.today(),
    }
    return issue(
        DocumentKind.BOUNTY_NOTICE,
        number=bounty.notice_number,
        case=case,
        context=context,
        issued_by_id=issued_by.id,
    )


def issue_result(payout: BountyPayout, *, issued_by: User) -> IssuedDocument:
    """Issue the bounty-result notice to the insurer when a payout is approved."""
    bounty = payout.bounty
    case = bounty.case
    recovered = payout.computation.get("recovered", "0")
    context = {
        "court_name": case.court.name,
        "case_number": case.case_number,
        "notice_number": bounty.notice_number,
        "insurer_name": bounty.insurer.name,
        "policy_number": bounty.policy_number or "",
        "tip_sequence": payout.tip.sequence,
        "kind_label": rules.KIND_LABELS[bounty.kind],
        "terms_text": rules.describe(bounty.terms),
        "recovered": format_yuan(recovered) if bounty.kind == rules.BountyKind.PROPERTY else "",
        "amount": format_yuan(payout.amount),
        "amount_capitals": in_capitals(payout.amount),
        "reasons": list(payout.computation.get("reasons", [])),
        "proposed_by": payout.proposed_by.display_name,
        "approved_by": issued_by.display_name,
        "issued_on": clock.today(),
    }
    return issue(
        DocumentKind.BOUNTY_RESULT,
        number=f"{bounty.notice_number}之结果通知第{payout.id}号",
        case=case,
        context=context,
        issued_by_id=issued_by.id,
    )
