"""Downloading issued documents, and the public page that verifies one by its QR code."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from relief.accounts.models import Role
from relief.assistance.models import ReliefApplication
from relief.documents.models import IssuedDocument
from relief.extensions import db, limiter
from relief.web import public, roles_required

blueprint = Blueprint("documents", __name__)


@blueprint.route("/verify/<token>", methods=["GET", "POST"])
@public
@limiter.limit("30 per minute")
def verify(token: str):
    """Public: confirm a document was issued by the court, and optionally check a file.

    Anyone holding the paper can scan the code; the page shows what the document is, never
    the personal data in it. Uploading a PDF compares its hash with the one on record.
    """
    document = _by_token(token)
    match = None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload:
            match = hashlib.sha256(upload.read()).hexdigest() == document.sha256
    return render_template("documents/verify.html", document=document, match=match)


@blueprint.get("/documents/<token>.pdf")
@roles_required(*Role)  # every role; an insurer only the documents of its own claims
def download(token: str):
    """The PDF itself, for court staff and for the insurer the claim went to."""
    document = _by_token(token)
    if current_user.role == Role.INSURER:
        application = db.session.get(ReliefApplication, document.application_id or 0)
        claim = application.claim if application else None
        if claim is None or claim.insurer_id != current_user.insurer_id:
            abort(404)
    return Response(
        document.content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{document.kind.value}.pdf"'},
    )


def _by_token(token: str) -> IssuedDocument:
    document = db.session.execute(
        select(IssuedDocument).where(IssuedDocument.token == token)
    ).scalar_one_or_none()
    if document is None:
        abort(404)
    return document
