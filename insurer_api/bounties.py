"""Bounty insurance for insurers: granted bounties, quote, policy or decline, and payouts.

Every request is signed (signing.require_signature sets ``g.insurer``). An insurer sees only
the bounties whose insurance was asked of it and the payouts it owes; another insurer's
answers 404, exactly like one that does not exist. A payout shows no tipster: the payee's
identity and contact come only from ``POST /bounty-payouts/{id}/payee``, once the payout is
approved, and every such disclosure is recorded in the audit trail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Response, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer
from sqlalchemy.orm.exc import StaleDataError

from insurer_api import errors
from insurer_api.concurrency import PARAMETER as IF_MATCH
from insurer_api.concurrency import etag_for, require_if_match
from insurer_api.idempotency import idempotent
from insurer_api.schemas import REQUIRED, Amount, AmountString, InputSchema, PaymentIn
from insurer_api.signing import require_signature
from relief.bounties import operations, rules
from relief.bounties.models import (
    Bounty,
    BountyPayout,
    BountyStatus,
    InsuranceStatus,
    PayoutStatus,
)
from relief.core import identity
from relief.core.errors import OperationError
from relief.documents.models import IssuedDocument
from relief.extensions import db

log = logging.getLogger(__name__)

blp = Blueprint(
    "bounty_insurance",
    __name__,
    description="Bounties the court granted with the insurer's bounty insurance, and payouts.",
)
blp.before_request(require_signature)
blp.register_error_handler(Exception, errors.answer)

CHANGED_MEANWHILE = "该记录刚被其他请求修改，请重新读取后再试。"
TEXT = {**REQUIRED, "invalid": "必须是文本。"}


@blp.after_request
def _no_store(response: Response) -> Response:
    # payees' identities pass through here: no cache on the way may keep them
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Schemas -------------------------------------------------------------------------------


class BountyOut(Schema):
    """A granted bounty as the insurer sees it: terms, debtor as published, insurance."""

    id = fields.String(attribute="public_id")
    notice_number = fields.String()
    status = fields.Enum(BountyStatus, by_value=True)
    case_number = fields.String(attribute="case.case_number")
    court = fields.String(attribute="case.court.name")
    debtor = fields.Method("_debtor")
    kind = fields.Enum(rules.BountyKind, by_value=True)
    method = fields.Enum(rules.AmountMethod, by_value=True)
    fixed_amount = Amount(allow_none=True)
    rate = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "0.1000"})
    cap = Amount(allow_none=True)
    maximum_bounty = fields.Method("_maximum", metadata={"type": "string"})
    terms = fields.Method("_terms", metadata={"type": "string"})
    expires_on = fields.Date(allow_none=True)
    insurance_status = fields.Enum(InsuranceStatus, by_value=True)
    premium = Amount(allow_none=True)
    policy_number = fields.String(allow_none=True)
    policy_starts_on = fields.Date(allow_none=True)
    policy_ends_on = fields.Date(allow_none=True)
    etag = fields.Function(etag_for, metadata={"type": "string"})

    def _debtor(self, bounty: Bounty) -> dict:
        respondent = bounty.case.respondent
        return {"name": respondent.name, "id_number_masked": identity.mask(respondent.id_number)}

    def _maximum(self, bounty: Bounty) -> str:
        return f"{rules.maximum_bounty(bounty.terms):.2f}"

    def _terms(self, bounty: Bounty) -> str:
        return rules.describe(bounty.terms)


class BountyListOut(Schema):
    items = fields.List(fields.Nested(BountyOut))


class PayoutOut(Schema):
    """A payout the court approved; no tipster's identity (see the payee endpoint)."""

    id = fields.String(attribute="public_id")
    bounty_id = fields.String(attribute="bounty.public_id")
    policy_number = fields.String(attribute="bounty.policy_number")
    status = fields.Enum(PayoutStatus, by_value=True)
    amount = Amount()
    tip_sequence = fields.Integer(attribute="tip.sequence")
    approved_at = fields.DateTime(allow_none=True)
    result_notice_sha256 = fields.Method("_sha256", metadata={"type": "string"})
    payee_disclosed_at = fields.DateTime(allow_none=True)
    paid_amount = Amount(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    transaction_reference = fields.String(allow_none=True)
    etag = fields.Function(etag_for, metadata={"type": "string"})

    def _sha256(self, payout: BountyPayout) -> str | None:
        return payout.result_document.sha256 if payout.result_document else None


class PayoutListOut(Schema):
    items = fields.List(fields.Nested(PayoutOut))


class PayeeOut(Schema):
    """Who receives the bounty, disclosed for payment only (InvRules art. 23(2))."""

    name = fields.String()
    id_number = fields.String()
    phone = fields.String()


class QuoteIn(InputSchema):
    premium = AmountString(
        metadata={
            "description": "yuan, as a string; defaults to the contract rate (10%) "
            "of the maximum bounty"
        }
    )


class PolicyIn(InputSchema):
    policy_number = fields.String(
        required=True,
        validate=validate.Length(1, 64, error="保险单号须为 {min} 至 {max} 个字符。"),
        error_messages=TEXT,
    )
    starts_on = fields.Date(error_messages={"invalid": "日期格式应为 YYYY-MM-DD。"})
    ends_on = fields.Date(
        error_messages={"invalid": "日期格式应为 YYYY-MM-DD。"},
        metadata={"description": "last day of cover; defaults to one year after starts_on"},
    )


class DeclineIn(InputSchema):
    reason = fields.String(
        required=True,
        validate=validate.Length(2, 500, error="理由须为 {min} 至 {max} 个字符。"),
        error_messages=TEXT,
    )


class ListQuery(InputSchema):
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(1, 100, error="每页条数须在 {min} 至 {max} 之间。"),
        error_messages={"invalid": "必须是整数。"},
    )


# --- Bounties ------------------------------------------------------------------------------


@blp.route("/bounties")
@blp.arguments(ListQuery, location="query", as_kwargs=True)
@blp.response(200, BountyListOut)
@blp.alt_response(401, response="UNAUTHORIZED")
def list_bounties(limit: int) -> dict[str, Any]:
    """The granted bounties whose insurance was asked of the insurer, oldest first.

    TODO: no cursor yet; the oldest ``limit`` bounties only.
    """
    query = (
        select(Bounty)
        .where(
            Bounty.insurer_id == g.insurer.id,
            Bounty.status.in_((BountyStatus.GRANTED, BountyStatus.ENDED)),
        )
        .order_by(Bounty.id)
        .limit(limit)
    )
    return {"items": list(db.session.execute(query).scalars())}


@blp.route("/bounties/<bounty_id>")
@blp.response(200, BountyOut)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
def get_bounty(bounty_id: str) -> Any:
    """Read one bounty; its ETag comes back as If-Match on the answers."""
    bounty = _own_bounty(bounty_id)
    return bounty, {"ETag": etag_for(bounty)}


@blp.route("/bounties/<bounty_id>/notice")
@blp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type="application/pdf",
    description="The bounty notice (悬赏公告) as the court issued it.",
)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
def download_notice(bounty_id: str) -> Response:
    """Download the bounty notice's PDF."""
    bounty = _own_bounty(bounty_id)
    return _pdf(bounty.notice_document_id, f"bounty_notice-{bounty.public_id}.pdf")


@blp.route("/bounties/<bounty_id>/quote", methods=["POST"])
@idempotent
@blp.arguments(QuoteIn)
@blp.response(200, BountyOut)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def quote(body: dict[str, Any], bounty_id: str) -> Any:
    """Quote the premium: by default the contract rate (10%) of the maximum bounty."""
    bounty = _own_bounty(bounty_id, for_update=True)
    return _apply(
        bounty,
        lambda: operations.quote(bounty, insurer=g.insurer, premium=body.get("premium")),
    )


@blp.route("/bounties/<bounty_id>/policy", methods=["POST"])
@idempotent
@blp.arguments(PolicyIn)
@blp.response(200, BountyOut)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def issue_policy(body: dict[str, Any], bounty_id: str) -> Any:
    """Issue the policy (one year by default); the notice stays open until it ends."""
    bounty = _own_bounty(bounty_id, for_update=True)
    return _apply(
        bounty,
        lambda: operations.issue_policy(
            bounty,
            insurer=g.insurer,
            policy_number=body["policy_number"],
            starts_on=body.get("starts_on"),
            ends_on=body.get("ends_on"),
        ),
    )


@blp.route("/bounties/<bounty_id>/decline", methods=["POST"])
@idempotent
@blp.arguments(DeclineIn)
@blp.response(200, BountyOut)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def decline(body: dict[str, Any], bounty_id: str) -> Any:
    """Decline to insure the bounty, with the reason the court will read."""
    bounty = _own_bounty(bounty_id, for_update=True)
    return _apply(
        bounty,
        lambda: operations.decline_insurance(bounty, insurer=g.insurer, reason=body["reason"]),
    )


# --- Payouts -------------------------------------------------------------------------------


@blp.route("/bounty-payouts")
@blp.arguments(ListQuery, location="query", as_kwargs=True)
@blp.response(200, PayoutListOut)
@blp.alt_response(401, response="UNAUTHORIZED")
def list_payouts(limit: int) -> dict[str, Any]:
    """The approved and paid payouts the insurer owes, oldest first.

    TODO: no cursor yet; the oldest ``limit`` payouts only.
    """
    query = (
        select(BountyPayout)
        .where(
            BountyPayout.insurer_id == g.insurer.id,
            BountyPayout.status.in_((PayoutStatus.APPROVED, PayoutStatus.PAID)),
        )
        .order_by(BountyPayout.id)
        .limit(limit)
    )
    return {"items": list(db.session.execute(query).scalars())}


@blp.route("/bounty-payouts/<payout_id>")
@blp.response(200, PayoutOut)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
def get_payout(payout_id: str) -> Any:
    """Read one payout."""
    payout = _own_payout(payout_id)
    return payout, {"ETag": etag_for(payout)}


@blp.route("/bounty-payouts/<payout_id>/result-notice")
@blp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type="application/pdf",
    description="The bounty-result notice (悬赏结果通知书) as the court issued it.",
)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
def download_result_notice(payout_id: str) -> Response:
    """Download the bounty-result notice's PDF."""
    payout = _own_payout(payout_id)
    return _pdf(payout.result_document_id, f"bounty_result-{payout.public_id}.pdf")


@blp.route("/bounty-payouts/<payout_id>/payee", methods=["POST"])
@blp.response(200, PayeeOut)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def disclose_payee(payout_id: str) -> dict[str, str]:
    """The payee's name, identity number and phone, for paying; each call is recorded.

    A POST, not a GET: it is a recorded act, and no cache may keep its answer.
    """
    payout = _own_payout(payout_id, for_update=True)
    try:
        payee = operations.disclose_payee(payout, insurer=g.insurer)
        db.session.commit()
    except OperationError as error:
        errors.fail_operation(error)
    # ids only: the payee's identity never goes to a log
    log.info("payee of payout %s disclosed to insurer %s", payout_id, g.insurer.public_id)
    return payee


@blp.route("/bounty-payouts/<payout_id>/payment", methods=["POST"])
@idempotent
@blp.arguments(PaymentIn)
@blp.response(200, PayoutOut)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def pay(payment: dict[str, Any], payout_id: str) -> Any:
    """Report the payment of an approved payout; the amount must equal the payout's."""
    payout = _own_payout(payout_id, for_update=True)
    return _apply(
        payout,
        lambda: operations.record_payout_payment(
            payout,
            insurer=g.insurer,
            amount=payment["amount"],
            paid_on=payment["paid_on"],
            transaction_reference=payment["transaction_reference"],
        ),
    )


# --- Helpers -------------------------------------------------------------------------------


def _own_bounty(bounty_id: str, *, for_update: bool = False) -> Bounty:
    """The insurer's granted bounty with this public id, or 404 (also for another's)."""
    query = select(Bounty).where(
        Bounty.public_id == bounty_id,
        Bounty.insurer_id == g.insurer.id,
        Bounty.status.in_((BountyStatus.GRANTED, BountyStatus.ENDED)),
    )
    if for_update:
        query = query.with_for_update()
    bounty = db.session.execute(query).scalar_one_or_none()
    if bounty is None:
        errors.fail(404)
    return bounty


def _own_payout(payout_id: str, *, for_update: bool = False) -> BountyPayout:
    """The insurer's approved or paid payout, or 404 (a proposal is the court's business)."""
    query = select(BountyPayout).where(
        BountyPayout.public_id == payout_id,
        BountyPayout.insurer_id == g.insurer.id,
        BountyPayout.status.in_((PayoutStatus.APPROVED, PayoutStatus.PAID)),
    )
    if for_update:
        query = query.with_for_update()
    payout = db.session.execute(query).scalar_one_or_none()
    if payout is None:
        errors.fail(404)
    return payout


def _pdf(document_id: int | None, filename: str) -> Response:
    if document_id is None:
        errors.fail(404)
    document = db.session.execute(
        select(IssuedDocument)
        .where(IssuedDocument.id == document_id)
        .options(undefer(IssuedDocument.content))
    ).scalar_one()
    response = Response(document.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.set_etag(document.sha256)
    return response


def _apply(row: Bounty | BountyPayout, change: Callable[[], Any]) -> Any:
    """Check If-Match, run the operation and commit; refused or failed, nothing is kept."""
    require_if_match(row)
    row_id = row.public_id
    try:
        change()
        db.session.commit()
    except OperationError as error:
        errors.fail_operation(error)
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        log.warning("API change to %s collided with another", row_id)
        errors.fail(409, CHANGED_MEANWHILE)

    log.info("%s changed by insurer %s", row_id, g.insurer.public_id)
    return row, {"ETag": etag_for(row)}
