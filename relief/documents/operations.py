"""Issuing a document: render it, keep it with its hash, and record the act."""

from __future__ import annotations

from flask import current_app

from relief.cases.models import EnforcementCase
from relief.core import audit
from relief.core.documents import render_pdf, sha256_hex
from relief.documents.models import DocumentKind, IssuedDocument, new_verification_token
from relief.extensions import db

TEMPLATES = {
    DocumentKind.RELIEF_DECISION: "relief_decision.html",
    DocumentKind.RELIEF_CLAIM: "relief_claim.html",
    DocumentKind.COLLECTION_NOTICE: "collection_notice.html",
    DocumentKind.TERMINATION_RULING: "termination_ruling.html",
    DocumentKind.BOUNTY_NOTICE: "bounty_notice.html",
    DocumentKind.BOUNTY_RESULT: "bounty_result.html",
    DocumentKind.GUARANTEE_LETTER: "guarantee_letter.html",
}


def verification_url(token: str) -> str:
    """The public address printed as a QR code on the document."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    # built from the URL map, not the request: documents are also issued from the API and CLI
    path = current_app.url_map.bind("").build("documents.verify", {"token": token})
    return base + path


def issue(
    kind: DocumentKind,
    *,
    number: str,
    case: EnforcementCase | None,
    context: dict,
    application_id: int | None = None,
    issued_by_id: int | None = None,
    subject: str | None = None,
) -> IssuedDocument:
    """Render a document from its template and store it with its SHA-256 hash.

    ``context`` holds plain values only (masked identities): it is stored beside the PDF as
    the record of what the document was made from. ``subject`` is the audit subject when
    the document belongs to no enforcement case.
    """
    token = new_verification_token()
    context = {**context, "document_number": number, "verify_url": verification_url(token)}
    content = render_pdf(TEMPLATES[kind], context)

    document = IssuedDocument(
        token=token,
        kind=kind,
        number=number,
        case_id=case.id if case else None,
        application_id=application_id,
        sha256=sha256_hex(content),
        size=len(content),
        content=content,
        data={key: _jsonable(value) for key, value in context.items()},
        issued_by_id=issued_by_id,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        "document.issued",
        subject or f"case:{case.public_id}",
        kind=kind.value,
        number=number,
        sha256=document.sha256,
    )
    return document


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
