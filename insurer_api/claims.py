"""The insurer's relief claims: list, read, download the documents, accept, reject, pay.

Every request is signed (signing.require_signature sets ``g.insurer``). An insurer sees only
its own claims; another insurer's claim answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Response, g
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload, undefer
from sqlalchemy.orm.exc import StaleDataError

from insurer_api import errors
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
from relief.cases.models import EnforcementCase
from relief.core import vault
from relief.core.errors import OperationError
from relief.documents.models import DocumentKind, IssuedDocument
from relief.extensions import db

log = logging.getLogger(__name__)

blp = Blueprint(
    "claims",
    __name__,
    description="Relief claims the court sent to the insurer, and the insurer's answers.",
)
blp.before_request(require_signature)
blp.register_error_handler(Exception, errors.answer)

#: what an encrypted cursor starts with, so a token made for something else is refused
CURSOR_PREFIX = "claims:"

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
    query = (
        select(ReliefClaim)
        .where(ReliefClaim.insurer_id == g.insurer.id)
        .options(*_CLAIM_LOADS)
        .order_by(ReliefClaim.id)
        .limit(limit + 1)
    )
    if status is not None:
        query = query.where(ReliefClaim.status == status)
    if cursor is not None:
        query = query.where(ReliefClaim.id > _decode_cursor(cursor))
    claims = list(db.session.execute(query).scalars())

    # one row more than asked for tells whether another page follows
    next_cursor = _encode_cursor(claims[limit - 1].id) if len(claims) > limit else None
    return {"items": claims[:limit], "next_cursor": next_cursor}


@blp.route("/claims/<claim_id>")
@blp.response(200, ClaimSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
def get_claim(claim_id: str) -> ReliefClaim:
    """Read one claim."""
    return _own_claim(claim_id)


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
@blp.response(200, ClaimSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def accept(claim_id: str) -> ReliefClaim:
    """Accept a submitted claim: the insurer will pay it."""
    claim = _own_claim(claim_id, for_update=True)
    return _apply(claim, lambda: operations.accept_claim(claim, insurer=g.insurer))


@blp.route("/claims/<claim_id>/reject", methods=["POST"])
@blp.arguments(RejectIn)
@blp.response(200, ClaimSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def reject(answer: dict[str, Any], claim_id: str) -> ReliefClaim:
    """Refuse a submitted claim, with the reason the court will read."""
    claim = _own_claim(claim_id, for_update=True)
    return _apply(
        claim, lambda: operations.reject_claim(claim, answer["reason"], insurer=g.insurer)
    )


@blp.route("/claims/<claim_id>/payment", methods=["POST"])
@blp.arguments(PaymentIn)
@blp.response(200, ClaimSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def pay(payment: dict[str, Any], claim_id: str) -> ReliefClaim:
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

#: what a claim's representation reads, loaded with the claims instead of one by one
_CLAIM_LOADS = (
    selectinload(ReliefClaim.policy),
    selectinload(ReliefClaim.application)
    .selectinload(ReliefApplication.case)
    .selectinload(EnforcementCase.court),
    selectinload(ReliefClaim.application).selectinload(ReliefApplication.party),
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


def _apply(claim: ReliefClaim, change: Callable[[], ReliefClaim]) -> ReliefClaim:
    """Run an operation on the claim and commit it; refused or failed, nothing is kept."""
    claim_id = claim.public_id
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
    return claim


def _encode_cursor(last_id: int) -> str:
    # encrypted, not merely encoded: database ids never leave the application
    return vault.encrypt(f"{CURSOR_PREFIX}{last_id}".encode()).decode("ascii")


def _decode_cursor(cursor: str) -> int:
    try:
        text = vault.decrypt(cursor.encode()).decode()
    except (vault.VaultError, UnicodeError):
        text = ""
    value = text.removeprefix(CURSOR_PREFIX)
    if not text.startswith(CURSOR_PREFIX) or not value.isdigit():
        errors.fail(422, errors={"cursor": ["分页游标无效，请使用上一页返回的 next_cursor。"]})
    return int(value)
