"""The guarantee letter as a PDF: its context built from the row, identities masked.

The insurer issues the letter through the partner API; the court's platform renders it with
the verification code, so the judge, the parties and the insurer hold the same document.
"""

from __future__ import annotations

from relief.cases.models import PartyKind
from relief.core.identity import mask
from relief.core.money import format_yuan, in_capitals
from relief.documents.models import DocumentKind, IssuedDocument
from relief.documents.operations import issue
from relief.guarantees.models import Guarantee
from relief.guarantees.rules import PRESERVATION_KIND_LABELS, PreservationKind

ID_LABELS = {PartyKind.PERSON: "公民身份号码", PartyKind.ORGANISATION: "统一社会信用代码"}

LIABILITY_PERIOD = (
    "自本担保书出具之日起，至申请保全错误损害赔偿请求权的诉讼时效期间届满之日止"
    "（民法典第一百八十八条）。"
)


def letter_context(guarantee: Guarantee) -> dict:
    """Plain, display-ready values of the letter; nothing in it reads the database."""
    return {
        "court_name": guarantee.insurer.name,
        "addressee": guarantee.court.name,
        "preservation_number": guarantee.preservation_number,
        "kind_label": PRESERVATION_KIND_LABELS[PreservationKind(guarantee.kind)],
        "main_case_number": guarantee.main_case_number,
        "applicant": _party(
            guarantee.applicant_kind, guarantee.applicant_name, guarantee.applicant_id_number
        ),
        "respondent": _party(
            guarantee.respondent_kind, guarantee.respondent_name, guarantee.respondent_id_number
        ),
        "amount": format_yuan(guarantee.amount),
        "guaranteed_amount": format_yuan(guarantee.guaranteed_amount),
        "guaranteed_capitals": in_capitals(guarantee.guaranteed_amount),
        "policy_number": guarantee.policy_number,
        "property_description": guarantee.property_description,
        "liability_period": LIABILITY_PERIOD,
        "issued_on": guarantee.issued_on,
    }


def issue_letter(guarantee: Guarantee) -> IssuedDocument:
    """Render and store the letter with its QR verification code."""
    return issue(
        DocumentKind.GUARANTEE_LETTER,
        number=guarantee.letter_number,
        case=guarantee.case,
        context=letter_context(guarantee),
        subject=f"guarantee:{guarantee.public_id}",
    )


def _party(kind: PartyKind, name: str, id_number: str) -> dict:
    return {
        "name": name,
        "id_label": ID_LABELS[PartyKind(kind)],
        "id_number_masked": mask(id_number),
    }
