"""The documents of a relief claim: decision, claim to the insurer, notice to collect.

Contexts are built here from the rows as plain, display-ready values, with identity
numbers masked, so templates never touch the database.
"""

from __future__ import annotations

from relief.accounts.models import User
from relief.assistance.models import ReliefApplication, ReliefClaim
from relief.assistance.rules import CATEGORY_LABELS, SOURCE_CAP, SOURCE_CATEGORIES, Category
from relief.cases.models import Outcome, PartyKind
from relief.core import clock
from relief.core.identity import mask
from relief.core.money import format_yuan, in_capitals
from relief.documents.models import DocumentKind, IssuedDocument
from relief.documents.operations import issue

ID_LABELS = {PartyKind.PERSON: "公民身份号码", PartyKind.ORGANISATION: "统一社会信用代码"}

LEGAL_BASIS = [
    SOURCE_CATEGORIES,
    SOURCE_CAP,
    "《人民法院国家司法救助案件办理程序规定（试行）》",
    "《关于建立完善国家司法救助制度的意见（试行）》",
]


def _base_context(application: ReliefApplication) -> dict:
    case = application.case
    applicant = application.party
    respondent = case.respondent
    claim = application.claim
    return {
        "court_name": case.court.name,
        "case_number": case.case_number,
        "decision_number": application.relief_number,
        "applicant": {
            "name": applicant.name,
            "id_number_masked": mask(applicant.id_number),
            "category_label": CATEGORY_LABELS[Category(application.category)],
        },
        "respondent": {
            "name": respondent.name,
            "id_label": ID_LABELS[respondent.kind],
            "id_number_masked": mask(respondent.id_number),
        },
        "cause": case.cause,
        "basis_document": case.basis_document,
        "target_amount": format_yuan(case.target_amount),
        "unpaid_amount": format_yuan(case.unpaid_amount),
        "terminated_round": case.outcome == Outcome.TERMINATED_ROUND,
        "amount": format_yuan(application.proposed_amount),
        "amount_capitals": in_capitals(application.proposed_amount),
        "insurer_name": application.policy.insurer.name,
        "policy_number": application.policy.policy_number,
        "claim_id": claim.public_id if claim else "",
        "issued_on": clock.today(),
    }


def issue_decision_and_claim(
    application: ReliefApplication, claim: ReliefClaim, *, issued_by: User
) -> tuple[IssuedDocument, IssuedDocument]:
    """Issue the relief decision and the claim letter when relief is approved."""
    context = _base_context(application)
    # the findings are the judge's; the approver's note stays in the file, not the decision
    reasons = [application.proposal_reason]
    if application.termination_override_reason:
        reasons.append("未终结本次执行程序的例外理由：" + application.termination_override_reason)

    decision = issue(
        DocumentKind.RELIEF_DECISION,
        number=application.relief_number,
        case=application.case,
        application_id=application.id,
        issued_by_id=issued_by.id,
        context={
            **context,
            "reasons": [reason for reason in reasons if reason],
            "legal_basis": LEGAL_BASIS,
            "proposed_by": application.proposed_by.display_name,
            "approved_by": issued_by.display_name,
        },
    )
    letter = issue(
        DocumentKind.RELIEF_CLAIM,
        number=application.relief_number + "之一",
        case=application.case,
        application_id=application.id,
        issued_by_id=issued_by.id,
        context=context,
    )
    return decision, letter


def issue_collection_notice(application: ReliefApplication, claim: ReliefClaim) -> IssuedDocument:
    """Issue the notice telling the applicant to collect the relief the insurer paid."""
    context = _base_context(application)
    return issue(
        DocumentKind.COLLECTION_NOTICE,
        number=application.relief_number + "之二",
        case=application.case,
        application_id=application.id,
        context={
            **context,
            "amount": format_yuan(claim.paid_amount),
            "amount_capitals": in_capitals(claim.paid_amount),
            "paid_on": claim.paid_on,
            "transaction_reference": claim.transaction_reference,
        },
    )
