"""What the partner API reads and writes: claims out, the insurer's answers in.

Amounts travel as decimal strings ("12000.00"), never as JSON numbers: a float cannot hold
every amount in fen exactly. Times are ISO 8601 in UTC with an explicit ``+00:00``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app, url_for
from marshmallow import Schema, ValidationError, fields, pre_load, validate

from insurer_api.concurrency import etag_for
from relief.assistance.models import ClaimStatus, ReliefClaim
from relief.core import clock, identity
from relief.documents.models import DocumentKind

#: the documents an insurer may download for a claim
CLAIM_DOCUMENT_KINDS = (DocumentKind.RELIEF_DECISION, DocumentKind.RELIEF_CLAIM)

#: NUMERIC(14, 2): twelve digits before the point
MAX_AMOUNT = Decimal("999999999999.99")

REQUIRED = {"required": "必须填写。", "null": "不能为空。"}


# --- Fields ----------------------------------------------------------------------------------


class UtcDateTime(fields.DateTime):
    """A stored UTC time written with its offset; naive values are UTC by convention."""

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()


class Amount(fields.Decimal):
    """An amount in yuan, written as a decimal string with two decimals."""

    def __init__(self, **kwargs: Any):
        super().__init__(as_string=True, places=2, **kwargs)


class AmountString(Amount):
    """An amount in yuan read from a decimal string: positive, at most two decimals.

    JSON numbers are refused rather than converted: they arrive as floats.
    """

    default_error_messages = {  # noqa: RUF012  (marshmallow merges this class attribute)
        **REQUIRED,
        "invalid": '金额必须是数字，如 "12000.00"。',
        "not_string": '金额必须以字符串表示，如 "12000.00"，不能用 JSON 数字。',
        "special": "金额必须是有限的数字。",
        "places": "金额最多保留两位小数。",
        "range": "金额必须大于零且不超过 999999999999.99 元。",
    }

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str):
            raise self.make_error("not_string")
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise self.make_error("invalid") from None
        if not amount.is_finite():
            raise self.make_error("special")
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise self.make_error("places")
        if not Decimal("0") < amount <= MAX_AMOUNT:
            raise self.make_error("range")
        return amount


def _not_in_future(day: date) -> None:
    # "today" is the court's date in China, not the server's UTC date
    if day > clock.today():
        raise ValidationError("支付日期不能晚于今天。")


# --- Claims out ------------------------------------------------------------------------------


class BeneficiarySchema(Schema):
    """The applicant the relief is paid to; the identity number only masked."""

    name = fields.String()
    id_number_masked = fields.Function(
        lambda party: identity.mask(party.id_number), metadata={"type": "string"}
    )


class PaymentSchema(Schema):
    """The insurer's payment of a claim, as it reported it."""

    amount = Amount(attribute="paid_amount")
    paid_on = fields.Date()
    transaction_reference = fields.String()


class DocumentSchema(Schema):
    """A court document behind a claim, and where to download its PDF."""

    kind = fields.Enum(DocumentKind, by_value=True)
    number = fields.String()
    sha256 = fields.String(metadata={"description": "SHA-256 of the PDF, hex"})
    url = fields.String(metadata={"description": "the API address of the PDF"})


class ClaimSchema(Schema):
    """A relief claim as the insurer sees it."""

    id = fields.String(attribute="public_id")
    status = fields.Enum(ClaimStatus, by_value=True)
    amount = Amount(metadata={"description": "the relief granted, in yuan"})
    policy_number = fields.String(attribute="policy.policy_number")
    case_number = fields.String(attribute="application.case.case_number")
    beneficiary = fields.Nested(BeneficiarySchema, attribute="application.party")
    court = fields.String(attribute="application.case.court.name")
    submitted_at = UtcDateTime()
    answered_at = UtcDateTime(allow_none=True)
    rejection_reason = fields.String(allow_none=True)
    payment = fields.Nested(PaymentSchema, allow_none=True)
    documents = fields.List(fields.Nested(DocumentSchema))
    clawback_outstanding = Amount(
        attribute="outstanding_clawback",
        metadata={"description": "relief paid that later recoveries have not yet returned"},
    )
    etag = fields.Function(
        etag_for,
        metadata={
            "type": "string",
            "description": "the claim's ETag, as in the ETag header: send it as If-Match",
        },
    )

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Resolve the two values that are not plain attributes of the claim."""
        if attr == "payment":
            return obj if obj.status == ClaimStatus.PAID else None
        if attr == "documents":
            return claim_documents(obj)
        return super().get_attribute(obj, attr, default)


class ClaimPageSchema(Schema):
    """One page of claims; pass ``next_cursor`` back to get the next, null on the last."""

    items = fields.List(fields.Nested(ClaimSchema))
    next_cursor = fields.String(allow_none=True)


def claim_documents(claim: ReliefClaim) -> list[dict[str, Any]]:
    """The latest relief decision and claim letter issued for the claim's application.

    Reads the application's documents, which a list loads for all its claims in one query.
    """
    rows = [row for row in claim.application.documents if row.kind in CLAIM_DOCUMENT_KINDS]
    latest = {row.kind: row for row in rows}  # a reissued document replaces the earlier one

    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return [
        {
            "kind": kind,
            "number": row.number,
            "sha256": row.sha256,
            "url": base
            + url_for("claims.download_document", claim_id=claim.public_id, kind=kind.value),
        }
        for kind, row in sorted(latest.items(), key=lambda item: item[1].id)
    ]


# --- The insurer's answers in --------------------------------------------------------------


class InputSchema(Schema):
    """Base of request bodies and query strings: Chinese messages for the whole input."""

    error_messages = {  # noqa: RUF012  (marshmallow's own class attribute)
        "unknown": "未知字段。",
        "type": "请求体必须是 JSON 对象。",
    }


class RejectIn(InputSchema):
    """The insurer refuses a claim."""

    reason = fields.String(
        required=True,
        validate=validate.Length(2, 500, error="拒赔理由须为 {min} 至 {max} 个字符。"),
        error_messages={**REQUIRED, "invalid": "必须是文本。"},
        metadata={"description": "why the claim is refused; the court reads it"},
    )

    @pre_load
    def _strip(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("reason"), str):
            data = {**data, "reason": data["reason"].strip()}
        return data


class PaymentIn(InputSchema):
    """The insurer reports that it paid an accepted claim."""

    amount = AmountString(
        required=True, metadata={"description": "yuan, as a string; must equal the claim"}
    )
    paid_on = fields.Date(
        required=True,
        validate=_not_in_future,
        error_messages={**REQUIRED, "invalid": "日期格式应为 YYYY-MM-DD。"},
    )
    transaction_reference = fields.String(
        required=True,
        validate=validate.Length(1, 64, error="交易流水号须为 {min} 至 {max} 个字符。"),
        error_messages={**REQUIRED, "invalid": "必须是文本。"},
        metadata={"description": "the bank's reference of the transfer"},
    )

    @pre_load
    def _strip(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("transaction_reference"), str):
            data = {**data, "transaction_reference": data["transaction_reference"].strip()}
        return data


class PageQuery(InputSchema):
    """The query of a paginated list (see pagination.py); subclass it to add filters."""

    cursor = fields.String(metadata={"description": "next_cursor of the previous page"})
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(1, 100, error="每页条数须在 {min} 至 {max} 之间。"),
        error_messages={"invalid": "必须是整数。"},
    )


class ClaimListQuery(PageQuery):
    """Which of the insurer's claims to list, and which page."""

    status = fields.Enum(
        ClaimStatus,
        by_value=True,
        error_messages={"unknown": "状态须为 {choices} 之一。"},
    )
