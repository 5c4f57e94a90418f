"""The insurer's relief claims: list, read, download the documents, accept, reject, pay.

Every request is signed (signing.require_signature sets ``g.insurer``). An insurer sees only
its own claims; another insurer's claim answers 404, exactly like one that does not exist.
A claim's answers take an Idempotency-Key (idempotency.py) and the If-Match of the claim as
last read (concurrency.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from flask import Response, g
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, load_only, selectinload, undefer
from sqlalchemy.orm.exc import StaleDataError

from insurer_api import errors
from insurer_api.concurrency import PARAMETER as IF_MATCH
from insurer_api.concurrency import etag_for, require_if_match
from insurer_api.idempotency import idempotent
from insurer_api.pagination import paginate
from insurer_api.schemas import (
    CLAIM_DOCUMENT_KINDS,
    ClaimListQuery,
    ClaimPageSchema,
    ClaimSchema,
    PaymentIn,
    RejectIn,
)
from insurer_api.signing import require_signature
from relief.assistance import operations
from relief.assistance.models import ClaimStatus, ReliefApplication, ReliefClaim
from relief.cases.models import Court, EnforcementCase, Party
from relief.core.errors import OperationError
from relief.documents.models import DocumentKind, IssuedDocument
from relief.extensions import db
from relief.insurers.models import ReliefPolicy

log = logging.getLogger(__name__)

blp = Blueprint(
    "claims",
    __name__,
    description="Relief claims the court sent to the insurer, and the insurer's answers.",
)
blp.before_request(require_signature)
blp.register_error_handler(Exception, errors.answer)

CHANGED_MEANWHILE = "该理赔申请刚被其他请求修改，请重新读取后再试。"


@blp.after_request
def _no_store(response: Response) -> Response:
    # claims carry names and masked identity numbers: no cache on the way may keep them
    response.headers["Cache-Control"] = "no-store"
    return response


# --- Reading -------------------------------------------------------------------------------


@blp.route("/claims")
@blp.arguments(ClaimListQuery, location="query", as_kwargs=True)
@blp.response(200, ClaimPageSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
def list_claims(
    limit: int, status: ClaimStatus | None = None, cursor: str | None = None
) -> dict[str, Any]:
    """List the insurer's claims, oldest first, a page at a time.

    Pass the page's ``next_cursor`` as ``cursor`` to get the next page; it is null on the
    last one.
    """
    query = select(ReliefClaim).where(ReliefClaim.insurer_id == g.insurer.id).options(*_CLAIM_LOADS)
    if status is not None:
        query = query.where(ReliefClaim.status == status)
    return paginate(query, ReliefClaim.id, "claims", limit=limit, cursor=cursor)


@blp.route("/claims/<claim_id>")
@blp.response(200, ClaimSchema, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def get_claim(claim_id: str) -> tuple[ReliefClaim, dict[str, str]]:
    """Read one claim; its ETag header is the If-Match its answers must send."""
    claim = _own_claim(claim_id)
    return claim, {"ETag": etag_for(claim)}


@blp.route("/claims/<claim_id>/documents/<kind>")
@blp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type="application/pdf",
    description="The PDF as the court issued it; its SHA-256 is the claim's document sha256.",
)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
def download_document(claim_id: str, kind: str) -> Response:
    """Download the relief decision (``relief_decision``) or the claim letter (``relief_claim``)."""
    claim = _own_claim(claim_id)
    if kind not in {document_kind.value for document_kind in CLAIM_DOCUMENT_KINDS}:
        errors.fail(404)

    document = db.session.execute(
        select(IssuedDocument)
        .where(
            IssuedDocument.application_id == claim.application_id,
            IssuedDocument.kind == DocumentKind(kind),
        )
        .options(undefer(IssuedDocument.content))
        .order_by(IssuedDocument.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if document is None:
        errors.fail(404)

    response = Response(document.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{kind}-{claim.public_id}.pdf"'
    response.set_etag(document.sha256)
    return response


# --- Answering -----------------------------------------------------------------------------


@blp.route("/claims/<claim_id>/accept", methods=["POST"])
@idempotent
@blp.response(200, ClaimSchema, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.alt_response(422, response=HTTPStatus(422).name)
@blp.alt_response(428, response="PRECONDITION_REQUIRED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.doc(parameters=[IF_MATCH])
def accept(claim_id: str) -> tuple[ReliefClaim, dict[str, str]]:
    """Accept a submitted claim: the insurer will pay it."""
    claim = _own_claim(claim_id, for_update=True)
    return _apply(claim, lambda: operations.accept_claim(claim, insurer=g.insurer))


@blp.route("/claims/<claim_id>/reject", methods=["POST"])
@idempotent
@blp.arguments(RejectIn)
@blp.response(200, ClaimSchema, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.alt_response(422, response=HTTPStatus(422).name)
@blp.alt_response(428, response="PRECONDITION_REQUIRED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.doc(parameters=[IF_MATCH])
def reject(answer: dict[str, Any], claim_id: str) -> tuple[ReliefClaim, dict[str, str]]:
    """Refuse a submitted claim, with the reason the court will read."""
    claim = _own_claim(claim_id, for_update=True)
    return _apply(
        claim, lambda: operations.reject_claim(claim, answer["reason"], insurer=g.insurer)
    )


@blp.route("/claims/<claim_id>/payment", methods=["POST"])
@idempotent
@blp.arguments(PaymentIn)
@blp.response(200, ClaimSchema, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(412, response="PRECONDITION_FAILED")
@blp.alt_response(422, response=HTTPStatus(422).name)
@blp.alt_response(428, response="PRECONDITION_REQUIRED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@blp.doc(parameters=[IF_MATCH])
def pay(payment: dict[str, Any], claim_id: str) -> tuple[ReliefClaim, dict[str, str]]:
    """Report the payment of an accepted claim; the amount must equal the claim's."""
    claim = _own_claim(claim_id, for_update=True)
    return _apply(
        claim,
        lambda: operations.record_payment(
            claim,
            amount=payment["amount"],
            paid_on=payment["paid_on"],
            transaction_reference=payment["transaction_reference"],
            insurer=g.insurer,
        ),
    )


# --- Helpers -------------------------------------------------------------------------------

#: what a claim's representation reads, loaded with the claims instead of one by one: the
#: many-to-one rows joined into the claims' query, the documents in one more query, and of
#: each row only the columns the representation shows
_CLAIM_LOADS = (
    joinedload(ReliefClaim.policy, innerjoin=True).load_only(ReliefPolicy.policy_number),
    joinedload(ReliefClaim.application, innerjoin=True).options(
        load_only(ReliefApplication.case_id, ReliefApplication.party_id),
        joinedload(ReliefApplication.case, innerjoin=True)
        .load_only(EnforcementCase.case_number)
        .joinedload(EnforcementCase.court, innerjoin=True)
        .load_only(Court.name),
        joinedload(ReliefApplication.party, innerjoin=True).load_only(Party.name, Party.id_number),
        selectinload(ReliefApplication.documents).load_only(
            IssuedDocument.application_id,
            IssuedDocument.kind,
            IssuedDocument.number,
            IssuedDocument.sha256,
        ),
    ),
)


def _own_claim(claim_id: str, *, for_update: bool = False) -> ReliefClaim:
    """The insurer's claim with this public id, or 404 (also for another insurer's)."""
    query = select(ReliefClaim).where(
        ReliefClaim.public_id == claim_id, ReliefClaim.insurer_id == g.insurer.id
    )
    if for_update:
        # two answers to one claim at once wait for each other instead of both passing the
        # status check (PostgreSQL; SQLite writes one at a time anyway)
        query = query.with_for_update()
    claim = db.session.execute(query).scalar_one_or_none()
    if claim is None:
        errors.fail(404)
    return claim


def _apply(
    claim: ReliefClaim, change: Callable[[], ReliefClaim]
) -> tuple[ReliefClaim, dict[str, str]]:
    """Check If-Match, run an operation on the claim and commit it; refused, nothing is kept.

    Returns the claim with its new ETag header.
    """
    claim_id = claim.public_id
    require_if_match(claim)
    try:
        change()
        db.session.commit()
    except OperationError as error:
        errors.fail_operation(error)
    except (StaleDataError, IntegrityError):
        # another request changed the claim (or took the transaction reference) meanwhile
        db.session.rollback()
        log.warning("API change to claim %s collided with another", claim_id)
        errors.fail(409, CHANGED_MEANWHILE)

    log.info(
        "claim %s is now %s (insurer %s, key %s)",
        claim_id,
        claim.status.value,
        g.insurer.public_id,
        g.api_client.key_id,
    )
    return claim, {"ETag": etag_for(claim)}
