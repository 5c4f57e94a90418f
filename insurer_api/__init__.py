"""The partner API: what insurers' systems call, under /api/v1, with signed requests.

It parses, authorises and calls relief's operations; it never changes rows itself.

Building blocks for every endpoint module (a blueprint listed in ``BLUEPRINTS``):

- **Signature**: ``blp.before_request(signing.require_signature)`` sets ``g.api_client``
  and ``g.insurer``; ``blp.register_error_handler(Exception, errors.answer)`` gives every
  failure the one error body. Filter every query by ``g.insurer.id``; another insurer's
  record answers ``errors.fail(404)``, like a missing one.
- **Idempotency-Key** (``idempotency.idempotent``): put ``@idempotent`` right under
  ``@blp.route(..., methods=["POST"])`` on every POST. A repeat gets the first 2xx answer;
  the same key with another body answers 422; failures are not stored.
- **ETag / If-Match** (``concurrency``): return ``obj, {"ETag": etag_for(obj)}`` from GET and
  POST views of a versioned record (one with ``public_id`` and a ``version_id_col``); call
  ``require_if_match(obj)`` after loading it ``with_for_update()`` and before the
  operation; add ``@blp.doc(parameters=[concurrency.PARAMETER])`` and the 412/428 answers.
- **Pagination** (``pagination``): a query schema subclassing ``PageQuery`` and
  ``return paginate(query, Model.id, "list-name", limit=limit, cursor=cursor)`` with a page
  schema ``{items, next_cursor}``.
- **Rate limits** (``ratelimit``): nothing to do; every view of a listed blueprint shares
  the caller's per-key quota, checked after the signature.
- **Events** (``events.emit(event_type, insurer, payload)``): call it from the operation that
  makes the change, after the audit entry; add the type to ``events.EVENT_TYPES``. It
  writes to the outbox in the operation's transaction; ``flask webhooks deliver`` sends.
"""

from __future__ import annotations

from typing import Any

import flask_smorest
from flask import Flask, current_app
from werkzeug.exceptions import HTTPException, default_exceptions

from insurer_api import errors, ratelimit, signing
from insurer_api.bounties import blp as bounties_blueprint
from insurer_api.claims import blp as claims_blueprint
from insurer_api.guarantees import blp as guarantees_blueprint
from insurer_api.schemas import Amount
from insurer_api.webhooks import blp as webhooks_blueprint
from relief.extensions import csrf

URL_PREFIX = "/api/v1"

BLUEPRINTS = (claims_blueprint, guarantees_blueprint, webhooks_blueprint, bounties_blueprint)

#: the four headers of a signed request, as OpenAPI security schemes; all four are required
SECURITY_SCHEMES = {
    "ReliefKey": (signing.KEY_HEADER, "The API key id given with the client secret."),
    "ReliefTimestamp": (
        signing.TIMESTAMP_HEADER,
        f"Unix time in seconds; refused if more than {signing.WINDOW_SECONDS} s off.",
    ),
    "ReliefNonce": (
        signing.NONCE_HEADER,
        "16 to 64 characters from A-Z a-z 0-9 - _, never reused by the same key.",
    ),
    "ReliefSignature": (
        signing.SIGNATURE_HEADER,
        "Base64 of HMAC-SHA256(client secret, canonical string); see the API description.",
    ),
}

DESCRIPTION = """\
Relief claims for insurers. Every request is signed with the client secret:

    canonical = METHOD + "\\n" + PATH + "\\n" + QUERY + "\\n" + TIMESTAMP + "\\n" + NONCE
                + "\\n" + hex(SHA-256(body))
    X-Relief-Signature = base64(HMAC-SHA256(secret, canonical))

PATH is the request path, percent-encoded except for `/` and `-_.~`; QUERY is the query's
name=value pairs, each side percent-encoded the same way, sorted and joined with `&` (empty
if none); the body hash covers the exact bytes sent (the hash of nothing when there is no
body). Amounts are decimal strings ("12000.00"); times are ISO 8601 in UTC.

Every POST carries an `Idempotency-Key` (a new UUID per request, the same when retrying): a
repeat gets the first successful answer again, with `Idempotent-Replayed: true`; the same key
with another request answers 422; a failed request may be retried with its key. Answers are
kept 24 hours per API key.

A claim's `ETag` (header of its GET, and its `etag` field) must come back as `If-Match` on
its accept, reject and payment: without it 428, with an outdated one 412 (read it again).

Lists take `limit` and `cursor` and answer `next_cursor` (null on the last page). Each API
key has its own rate limit; over it the answer is 429 with `Retry-After` in seconds.

Events (claim.submitted, claim.paid, claim.clawback_due) are POSTed to the endpoints
registered under /webhooks/endpoints, signed with the endpoint's secret:
`X-Relief-Signature = base64(HMAC-SHA256(secret, TIMESTAMP + "\\n" + EVENT_ID + "\\n" + BODY))`
with `X-Relief-Timestamp` and `X-Relief-Event-Id`; failures are retried with backoff, and
/webhooks/deliveries lists and replays them. Delivery is at least once: dedupe by event id.

Every failure answers `{"code": ..., "message": ..., "errors": {field: [messages]}}`.
"""


class Api(flask_smorest.Api):
    """flask-smorest's Api with the partner API's one error body under /api/."""

    ERROR_SCHEMA = errors.ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Any:
        """Answer an HTTP error with the API's error body."""
        return errors.body_for(error)

    def _register_error_handlers(self) -> None:
        # Handlers keyed by status code come before handlers keyed by class, whichever was
        # registered last, so the staff site's HTTPException handler cannot take /api/ over.
        # Requests outside /api/ are passed on to that handler.
        for code in default_exceptions:
            self._app.register_error_handler(code, self._route_http_exception)

    def _route_http_exception(self, error: HTTPException) -> Any:
        if errors.is_api_request():
            return self.handle_http_exception(error)
        site_handler = _class_handler(error)
        return site_handler(error) if site_handler else error


def init_app(app: Flask) -> Api:
    """Create the partner API on the app, with its blueprints under /api/v1."""
    api = Api(
        spec_kwargs={
            "info": {"description": DESCRIPTION},
            "security": [{name: [] for name in SECURITY_SCHEMES}],
        }
    )
    api.init_app(app)
    api.register_field(Amount, "string", "decimal")
    for name, (header, description) in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(
            name, {"type": "apiKey", "in": "header", "name": header, "description": description}
        )

    for blueprint in BLUEPRINTS:
        # signed requests are the API's defence against forgery, not the session's token
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=URL_PREFIX)
    ratelimit.limit_views(app, (blueprint.name for blueprint in BLUEPRINTS))
    return api


def _class_handler(error: HTTPException) -> Any:
    """The application's own handler for this kind of error, registered by class."""
    by_class = current_app.error_handler_spec[None][None]
    for cls in type(error).__mro__:
        if cls in by_class:
            return by_class[cls]
    return None
