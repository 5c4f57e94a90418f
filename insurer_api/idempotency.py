"""Idempotency-Key on POST: a retried request gets the first answer, not a second change.

Decorate a POST view with :func:`idempotent`, right under ``@blp.route``::

    @blp.route("/claims/<claim_id>/accept", methods=["POST"])
    @idempotent
    @blp.arguments(...)
    @blp.response(200, ClaimSchema)
    def accept(...): ...

The rules, as callers see them:

- The header is required on every POST (400 ``idempotency_key_missing`` without it); a key is
  1 to 255 visible ASCII characters, a UUID for instance, and belongs to the API client
  (key id) that sent it: two clients never share keys.
- The first successful (2xx) answer is stored with the change, in one transaction, for 24
  hours. A repeat with the same key and the same request (method, path, query and body; JSON
  bodies compared after parsing) gets that answer again, with ``Idempotent-Replayed: true``,
  and changes nothing.
- The same key with another request is refused: 422 ``idempotency_key_reused``.
- Failures are not stored: a request answered 4xx or 5xx left no change, so the same key
  may be sent again, corrected or not.
- While the first request with a key is still running, a second one waits for it
  (PostgreSQL's unique index) and then gets its answer; in the rare case that the change
  committed but its answer was not stored, the key answers 409 ``idempotency_key_in_use``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Response, g, make_response, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from insurer_api.errors import fail
from insurer_api.models import IdempotencyRecord
from insurer_api.signing import canonical_query
from relief.core.models import utcnow
from relief.extensions import db

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"

#: how long a stored answer is replayed
TTL = timedelta(hours=24)

IN_USE = "使用该 Idempotency-Key 的请求尚未完成，请稍后重试。"

PATTERN = r"^[\x21-\x7e]{1,255}$"
_KEY = re.compile(PATTERN)

#: the header as an OpenAPI parameter, added to each decorated operation
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": True,
    "description": (
        "A new key for every distinct request (a UUID, say), the same key when retrying it. "
        "Answers are kept for 24 hours per API key; the same key with another request is "
        "refused."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": PATTERN},
}


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Make a POST view answer a repeated Idempotency-Key with its first answer."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        key = _key_from_request()
        client_key = g.api_client.key_id
        fingerprint = _fingerprint()

        stored = _stored(client_key, key)
        if stored is not None:
            return _replay(stored, fingerprint)

        # reserve the key in the request's transaction: it commits with the change or not
        # at all, and a concurrent request with the same key waits on the unique index
        record = IdempotencyRecord(
            key_id=client_key,
            idempotency_key=key,
            fingerprint=fingerprint,
            expires_at=utcnow() + TTL,
        )
        db.session.add(record)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            stored = _stored(client_key, key)
            if stored is None:
                fail(409, IN_USE, code="idempotency_key_in_use")
            return _replay(stored, fingerprint)

        # an exception goes on to the blueprint's handler, which rolls the reservation back
        response = make_response(view(*args, **kwargs))

        if not 200 <= response.status_code < 300:
            db.session.rollback()
            _forget(client_key, key)
            return response

        record.status_code = response.status_code
        record.content_type = response.content_type
        record.etag = response.headers.get("ETag")
        record.body = response.get_data()
        db.session.commit()
        return response

    # document the header; flask-smorest merges this into the operation it generates
    apidoc = deepcopy(getattr(view, "_apidoc", {}))
    manual = apidoc.setdefault("manual_doc", {})
    manual["parameters"] = [*manual.get("parameters", []), PARAMETER]
    wrapper._apidoc = apidoc  # type: ignore[attr-defined]
    return wrapper


def purge_expired(now: datetime | None = None) -> int:
    """Delete the answers kept longer than their 24 hours; return how many."""
    result = db.session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < (now or utcnow()))
    )
    return result.rowcount or 0


def _key_from_request() -> str:
    key = request.headers.get(HEADER, "")
    if not key:
        fail(
            400,
            f"每个 POST 请求都须带 {HEADER} 请求头。",
            code="idempotency_key_missing",
            errors={HEADER: ["必须填写。"]},
        )
    if not _KEY.fullmatch(key):
        fail(
            400,
            f"{HEADER} 须为 1 至 255 个可见 ASCII 字符。",
            code="idempotency_key_invalid",
            errors={HEADER: ["格式无效。"]},
        )
    return key


def _fingerprint() -> str:
    """A digest of what the request asks for, so a key cannot be reused for something else."""
    body = request.get_data(cache=True)
    # the same JSON sent with other spacing or key order is the same request
    with contextlib.suppress(ValueError):
        body = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    text = "\n".join(
        [request.method, request.path, canonical_query(request.args.items(multi=True))]
    )
    return hashlib.sha256(text.encode() + b"\n" + body).hexdigest()


def _stored(client_key: str, key: str) -> IdempotencyRecord | None:
    """The unexpired record of this client's key, if any."""
    record = db.session.execute(
        select(IdempotencyRecord).where(
            IdempotencyRecord.key_id == client_key, IdempotencyRecord.idempotency_key == key
        )
    ).scalar_one_or_none()
    if record is None:
        return None

    expires_at = record.expires_at
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    if expires_at < utcnow():
        # an expired key is free again: its old answer must not block a new request
        db.session.delete(record)
        db.session.flush()
        return None
    return record


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        log.info("idempotency key reused for another request (key %s)", record.key_id)
        fail(
            422,
            f"该 {HEADER} 已用于另一个请求；新的请求请使用新的 {HEADER}。",
            code="idempotency_key_reused",
            errors={HEADER: ["已用于另一个请求。"]},
        )
    if record.status_code is None:
        # TODO: a change that committed while its answer was lost (the process died in
        # between) keeps answering 409 until the key expires; answering with the record's
        # current state would need each view to say how to render it.
        fail(409, IN_USE, code="idempotency_key_in_use")

    response = Response(record.body, status=record.status_code, content_type=record.content_type)
    if record.etag:
        response.headers["ETag"] = record.etag
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _forget(client_key: str, key: str) -> None:
    """Free a key whose request failed, in case the view committed before failing."""
    db.session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.key_id == client_key, IdempotencyRecord.idempotency_key == key
        )
    )
    db.session.commit()
