"""The insurer's preservation guarantees: requests addressed to it, quote, issue, decline,
the letter's PDF, the claim for wrongful preservation and its payment, and its exposure.

Every request is signed (signing.require_signature sets ``g.insurer``). An insurer sees only
the guarantees asked of it; another insurer's answers 404, exactly like one that does not
exist.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_load, validate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer
from sqlalchemy.orm.exc import StaleDataError

from insurer_api import errors
from insurer_api.idempotency import idempotent
from insurer_api.schemas import REQUIRED, Amount, AmountString, InputSchema, PaymentIn
from insurer_api.signing import require_signature
from relief.cases.models import PartyKind
from relief.core import clock, identity
from relief.core.errors import OperationError
from relief.documents.models import IssuedDocument
from relief.extensions import db
from relief.guarantees import operations, rules
from relief.guarantees.models import Guarantee, GuaranteeStatus

log = logging.getLogger(__name__)

blp = Blueprint(
    "api_guarantees",
    __name__,
    description="Preservation guarantees the court asked of the insurer, and its answers.",
)
blp.before_request(require_signature)
blp.register_error_handler(Exception, errors.answer)

CHANGED_MEANWHILE = "该保全担保刚被其他请求修改，请重新读取后再试。"
TEXT = {**REQUIRED, "invalid": "必须是文本。"}


@blp.after_request
def _no_store(response: Response) -> Response:
    # guarantees carry names and masked identity numbers: no cache on the way may keep them
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Schemas -------------------------------------------------------------------------------


class GuaranteePartyOut(Schema):
    name = fields.String()
    kind = fields.String()
    id_number_masked = fields.String()


class WrongfulPreservationClaimOut(Schema):
    """The court's claim for wrongful preservation, once a judgment fixed the loss."""

    amount = Amount(attribute="claim_amount")
    judgment_number = fields.String(attribute="claim_judgment_number")
    claimed_on = fields.Date()
    paid_amount = Amount(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    transaction_reference = fields.String(allow_none=True)


class GuaranteeOut(Schema):
    """A preservation guarantee as the insurer sees it."""

    id = fields.String(attribute="public_id")
    status = fields.Enum(GuaranteeStatus, by_value=True)
    preservation_number = fields.String()
    court = fields.String(attribute="court.name")
    kind = fields.Enum(rules.PreservationKind, by_value=True)
    urgent = fields.Boolean()
    main_case_number = fields.String()
    amount = Amount(metadata={"description": "the amount to preserve, in yuan"})
    security_required = Amount(metadata={"description": "the least the letter must guarantee"})
    property_kind = fields.Enum(rules.PropertyKind, by_value=True)
    property_description = fields.String()
    applicant = fields.Method("_applicant")
    respondent = fields.Method("_respondent")
    filed_on = fields.Date()
    insured_amount = Amount(allow_none=True)
    premium = Amount(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    policy_number = fields.String(allow_none=True)
    letter_number = fields.String(allow_none=True)
    guaranteed_amount = Amount(allow_none=True)
    issued_on = fields.Date(allow_none=True)
    letter_sha256 = fields.Method("_letter_sha256")
    released_on = fields.Date(allow_none=True)
    converted_on = fields.Date(allow_none=True)
    liability_ends_on = fields.Date(allow_none=True)
    claim = fields.Method("_claim")

    def _applicant(self, guarantee: Guarantee) -> dict:
        return _party(
            guarantee.applicant_kind, guarantee.applicant_name, guarantee.applicant_id_number
        )

    def _respondent(self, guarantee: Guarantee) -> dict:
        return _party(
            guarantee.respondent_kind, guarantee.respondent_name, guarantee.respondent_id_number
        )

    def _letter_sha256(self, guarantee: Guarantee) -> str | None:
        document = guarantee.letter_document
        return document.sha256 if document else None

    def _claim(self, guarantee: Guarantee) -> dict | None:
        if guarantee.claim_amount is None:
            return None
        return WrongfulPreservationClaimOut().dump(guarantee)


def _party(kind: PartyKind, name: str, id_number: str) -> dict:
    return {
        "name": name,
        "kind": PartyKind(kind).value,
        "id_number_masked": identity.mask(id_number),
    }


class GuaranteeListOut(Schema):
    items = fields.List(fields.Nested(GuaranteeOut))


class GuaranteeListQuery(InputSchema):
    status = fields.Enum(
        GuaranteeStatus, by_value=True, error_messages={"unknown": "状态须为 {choices} 之一。"}
    )
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(1, 100, error="每页条数须在 {min} 至 {max} 之间。"),
        error_messages={"invalid": "必须是整数。"},
    )


class GuaranteeQuoteIn(InputSchema):
    """The insurer quotes; the premium follows from its contract with the court."""

    insured_amount = AmountString(
        metadata={"description": "yuan, as a string; defaults to the amount to preserve"}
    )


class GuaranteeDeclineIn(InputSchema):
    reason = fields.String(
        required=True,
        validate=validate.Length(2, 500, error="理由须为 {min} 至 {max} 个字符。"),
        error_messages=TEXT,
    )


class GuaranteeLetterPartyIn(InputSchema):
    name = fields.String(load_default="", error_messages=TEXT)
    id_number = fields.String(load_default="", error_messages=TEXT)


class GuaranteeIssueIn(InputSchema):
    """The policy and the guarantee letter (担保书) the insurer issues to the court.

    Each mandatory item of the letter may be left out; the court then refuses the letter and
    names the missing item in ``errors``.
    """

    policy_number = fields.String(
        required=True, validate=validate.Length(1, 64, error="保险单号须为 {min} 至 {max} 个字符。")
    )
    letter_number = fields.String(
        required=True, validate=validate.Length(1, 64, error="保函编号须为 {min} 至 {max} 个字符。")
    )
    applicant = fields.Nested(GuaranteeLetterPartyIn, load_default=None)
    respondent = fields.Nested(GuaranteeLetterPartyIn, load_default=None)
    guaranteed_amount = AmountString(load_default=None)
    irrevocable = fields.Boolean(
        load_default=False, metadata={"description": "the letter says it is irrevocable"}
    )
    compensation_undertaking = fields.Boolean(
        load_default=False,
        metadata={
            "description": "the insurer undertakes to pay, within the guaranteed amount, the "
            "respondent's losses from a wrongful preservation"
        },
    )

    @pre_load
    def _strip(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict):
            data = {
                key: value.strip() if isinstance(value, str) else value
                for key, value in data.items()
            }
        return data


class GuaranteeExposureQuery(InputSchema):
    on = fields.Date(error_messages={"invalid": "日期格式应为 YYYY-MM-DD。"})


class GuaranteeExposureOut(Schema):
    on = fields.Date()
    exposure = Amount(metadata={"description": "outstanding guaranteed amount on that day"})
    limit = Amount(allow_none=True)


# --- Reading -------------------------------------------------------------------------------


@blp.route("/guarantees")
@blp.arguments(GuaranteeListQuery, location="query", as_kwargs=True)
@blp.response(200, GuaranteeListOut)
@blp.alt_response(401, response="UNAUTHORIZED")
def list_guarantees(limit: int, status: GuaranteeStatus | None = None) -> dict[str, Any]:
    """List the guarantees asked of the insurer, oldest first.

    TODO: no cursor yet; an insurer with more than ``limit`` guarantees in one status sees
    the oldest only and must narrow by status.
    """
    query = (
        select(Guarantee)
        .where(Guarantee.insurer_id == g.insurer.id)
        .order_by(Guarantee.id)
        .limit(limit)
    )
    if status is not None:
        query = query.where(Guarantee.status == status)
    return {"items": list(db.session.execute(query).scalars())}


@blp.route("/guarantees/exposure")
@blp.arguments(GuaranteeExposureQuery, location="query", as_kwargs=True)
@blp.response(200, GuaranteeExposureOut)
@blp.alt_response(401, response="UNAUTHORIZED")
def get_exposure(on: date | None = None) -> dict[str, Any]:
    """The insurer's outstanding guaranteed amount on a day (today by default).

    Released guarantees count until their liability period ends.
    """
    day = on or clock.today()
    contract = operations.contract_of(g.insurer)
    return {
        "on": day,
        "exposure": operations.exposure(g.insurer.id, day),
        "limit": contract.exposure_limit if contract else None,
    }


@blp.route("/guarantees/<guarantee_id>")
@blp.response(200, GuaranteeOut)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
def get_guarantee(guarantee_id: str) -> Guarantee:
    """Read one guarantee."""
    return _own(guarantee_id)


@blp.route("/guarantees/<guarantee_id>/letter")
@blp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type="application/pdf",
    description="The letter as the court rendered it, with its verification code.",
)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
def download_letter(guarantee_id: str) -> Response:
    """Download the guarantee letter's PDF."""
    guarantee = _own(guarantee_id)
    if guarantee.letter_document_id is None:
        errors.fail(404)
    document = db.session.execute(
        select(IssuedDocument)
        .where(IssuedDocument.id == guarantee.letter_document_id)
        .options(undefer(IssuedDocument.content))
    ).scalar_one()

    response = Response(document.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="guarantee_letter-{guarantee.public_id}.pdf"'
    )
    response.set_etag(document.sha256)
    return response


# --- Answering -----------------------------------------------------------------------------


@blp.route("/guarantees/<guarantee_id>/quote", methods=["POST"])
@idempotent
@blp.arguments(GuaranteeQuoteIn)
@blp.response(200, GuaranteeOut)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def quote(body: dict[str, Any], guarantee_id: str) -> Guarantee:
    """Quote: premium = max(minimum premium, rate × insured amount) from the contract."""
    guarantee = _own(guarantee_id, for_update=True)
    return _apply(
        guarantee,
        lambda: operations.quote(
            guarantee, insurer=g.insurer, insured_amount=body.get("insured_amount")
        ),
    )


@blp.route("/guarantees/<guarantee_id>/decline", methods=["POST"])
@idempotent
@blp.arguments(GuaranteeDeclineIn)
@blp.response(200, GuaranteeOut)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def decline(body: dict[str, Any], guarantee_id: str) -> Guarantee:
    """Decline to guarantee the application, with the reason the court will read."""
    guarantee = _own(guarantee_id, for_update=True)
    return _apply(
        guarantee, lambda: operations.decline(guarantee, body["reason"], insurer=g.insurer)
    )


@blp.route("/guarantees/<guarantee_id>/issue", methods=["POST"])
@idempotent
@blp.arguments(GuaranteeIssueIn)
@blp.response(200, GuaranteeOut)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def issue(body: dict[str, Any], guarantee_id: str) -> Guarantee:
    """Issue the policy and the letter; a letter lacking a mandatory item is refused (422)."""
    guarantee = _own(guarantee_id, for_update=True)
    letter = rules.Letter(
        applicant=_letter_party(body["applicant"], guarantee.applicant_kind),
        respondent=_letter_party(body["respondent"], guarantee.respondent_kind),
        guaranteed_amount=body["guaranteed_amount"],
        irrevocable=body["irrevocable"],
        compensation_undertaking=body["compensation_undertaking"],
    )
    issued = operations.IssuedLetter(
        policy_number=body["policy_number"], letter_number=body["letter_number"], letter=letter
    )
    return _apply(guarantee, lambda: operations.issue_letter(guarantee, issued, insurer=g.insurer))


def _letter_party(data: dict | None, kind: PartyKind) -> rules.LetterParty | None:
    if data is None:
        return None
    return rules.LetterParty(name=data["name"], id_number=data["id_number"], kind=kind)


@blp.route("/guarantees/<guarantee_id>/claim/payment", methods=["POST"])
@idempotent
@blp.arguments(PaymentIn)
@blp.response(200, GuaranteeOut)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def pay_claim(payment: dict[str, Any], guarantee_id: str) -> Guarantee:
    """Report the payment of the claim for wrongful preservation; the amount must match."""
    guarantee = _own(guarantee_id, for_update=True)
    return _apply(
        guarantee,
        lambda: operations.record_claim_payment(
            guarantee,
            amount=payment["amount"],
            paid_on=payment["paid_on"],
            transaction_reference=payment["transaction_reference"],
            insurer=g.insurer,
        ),
    )


# --- Helpers -------------------------------------------------------------------------------


def _own(guarantee_id: str, *, for_update: bool = False) -> Guarantee:
    """The insurer's guarantee with this public id, or 404 (also for another insurer's)."""
    query = select(Guarantee).where(
        Guarantee.public_id == guarantee_id, Guarantee.insurer_id == g.insurer.id
    )
    if for_update:
        query = query.with_for_update()
    guarantee = db.session.execute(query).scalar_one_or_none()
    if guarantee is None:
        errors.fail(404)
    return guarantee


def _apply(guarantee: Guarantee, change: Callable[[], Guarantee]) -> Guarantee:
    """Run an operation and commit it; refused or failed, nothing is kept."""
    guarantee_id = guarantee.public_id
    try:
        change()
        db.session.commit()
    except operations.LetterRefused as error:
        db.session.rollback()
        problems: dict[str, list[str]] = {}
        for problem in error.problems:
            problems.setdefault(problem.field, []).append(problem.message)
        errors.fail(422, error.message, errors=problems, code="letter_incomplete")
    except OperationError as error:
        errors.fail_operation(error)
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        log.warning("API change to guarantee %s collided with another", guarantee_id)
        errors.fail(409, CHANGED_MEANWHILE)

    log.info(
        "guarantee %s is now %s (insurer %s)",
        guarantee_id,
        guarantee.status.value,
        g.insurer.public_id,
    )
    return guarantee
