"""The insurer's webhooks: register endpoints, read the delivery log, replay a delivery.

How events are signed, delivered and retried is described in ``insurer_api.events``. An
insurer sees only its own endpoints and deliveries; another insurer's answer 404.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from insurer_api import errors, operations
from insurer_api.events import EVENT_TYPES
from insurer_api.idempotency import idempotent
from insurer_api.models import DeliveryStatus, OutboxEvent, WebhookDelivery, WebhookEndpoint
from insurer_api.pagination import PageQuery, paginate
from insurer_api.schemas import REQUIRED, InputSchema, UtcDateTime
from insurer_api.signing import require_signature
from relief.core.errors import OperationError
from relief.extensions import db

log = logging.getLogger(__name__)

blp = Blueprint(
    "webhooks",
    __name__,
    description="Where the court sends the insurer's events, and how each delivery went. "
    "Event types: " + ", ".join(EVENT_TYPES) + ".",
)
blp.before_request(require_signature)
blp.register_error_handler(Exception, errors.answer)


# --- Schemas -------------------------------------------------------------------------------


class EndpointIn(InputSchema):
    """A URL of the insurer's system that will receive its events."""

    url = fields.String(
        required=True,
        validate=validate.Length(1, 500, error="地址须为 {min} 至 {max} 个字符。"),
        error_messages={**REQUIRED, "invalid": "必须是文本。"},
        metadata={"description": "https URL; deliveries are POSTed to it"},
    )
    description = fields.String(
        load_default="",
        validate=validate.Length(0, 200, error="说明最多 {max} 个字符。"),
        error_messages={"invalid": "必须是文本。"},
    )


class EndpointSchema(Schema):
    """A registered endpoint; its secret is shown only when it is registered."""

    id = fields.String(attribute="public_id")
    url = fields.String()
    description = fields.String()
    created_at = UtcDateTime()


class NewEndpointSchema(EndpointSchema):
    """A newly registered endpoint, with the secret that signs its deliveries (once)."""

    secret = fields.String(metadata={"description": "verify X-Relief-Signature with it"})


class EndpointListSchema(Schema):
    """The insurer's active endpoints."""

    items = fields.List(fields.Nested(EndpointSchema))


class DeliverySchema(Schema):
    """One event on its way to one endpoint."""

    id = fields.String(attribute="public_id")
    event_id = fields.String(attribute="event.public_id")
    event_type = fields.String(attribute="event.event_type")
    endpoint_id = fields.String(attribute="endpoint.public_id")
    status = fields.Enum(DeliveryStatus, by_value=True)
    attempts = fields.Integer()
    created_at = UtcDateTime()
    last_attempt_at = UtcDateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    next_attempt_at = UtcDateTime(allow_none=True)
    delivered_at = UtcDateTime(allow_none=True)


class DeliveryPageSchema(Schema):
    """One page of the delivery log, newest first."""

    items = fields.List(fields.Nested(DeliverySchema))
    next_cursor = fields.String(allow_none=True)


class DeliveryListQuery(PageQuery):
    """Which deliveries to list."""

    status = fields.Enum(
        DeliveryStatus, by_value=True, error_messages={"unknown": "状态须为 {choices} 之一。"}
    )
    event_id = fields.String(validate=validate.Length(1, 32))


# --- Endpoints -----------------------------------------------------------------------------


@blp.route("/webhooks/endpoints", methods=["POST"])
@idempotent
@blp.arguments(EndpointIn)
@blp.response(201, NewEndpointSchema)
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def register_endpoint(new: dict[str, Any]) -> WebhookEndpoint:
    """Register an endpoint; the answer carries its signing secret, which is shown only once."""
    try:
        endpoint, secret = operations.register_endpoint(g.insurer, new["url"], new["description"])
        db.session.commit()
    except OperationError as error:
        errors.fail_operation(error)

    log.info("webhook endpoint %s registered (insurer %s)", endpoint.public_id, g.insurer.public_id)
    # never stored in clear: this answer is the only place the secret appears
    endpoint.secret = secret
    return endpoint


@blp.route("/webhooks/endpoints")
@blp.response(200, EndpointListSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def list_endpoints() -> dict[str, Any]:
    """List the insurer's active endpoints."""
    endpoints = db.session.execute(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.insurer_id == g.insurer.id, WebhookEndpoint.active.is_(True))
        .order_by(WebhookEndpoint.id)
    ).scalars()
    return {"items": list(endpoints)}


@blp.route("/webhooks/endpoints/<endpoint_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def remove_endpoint(endpoint_id: str) -> None:
    """Remove an endpoint; events not yet delivered to it are cancelled."""
    endpoint = db.session.execute(
        select(WebhookEndpoint).where(
            WebhookEndpoint.public_id == endpoint_id,
            WebhookEndpoint.insurer_id == g.insurer.id,
            WebhookEndpoint.active.is_(True),
        )
    ).scalar_one_or_none()
    if endpoint is None:
        errors.fail(404)

    try:
        operations.remove_endpoint(endpoint, insurer=g.insurer)
        db.session.commit()
    except OperationError as error:
        errors.fail_operation(error)
    log.info("webhook endpoint %s removed (insurer %s)", endpoint_id, g.insurer.public_id)


# --- The delivery log ----------------------------------------------------------------------


@blp.route("/webhooks/deliveries")
@blp.arguments(DeliveryListQuery, location="query", as_kwargs=True)
@blp.response(200, DeliveryPageSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def list_deliveries(
    limit: int,
    cursor: str | None = None,
    status: DeliveryStatus | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """The delivery log, newest first, a page at a time."""
    query = select(WebhookDelivery).where(WebhookDelivery.insurer_id == g.insurer.id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if event_id is not None:
        query = query.join(OutboxEvent).where(OutboxEvent.public_id == event_id)
    return paginate(
        query, WebhookDelivery.id, "deliveries", limit=limit, cursor=cursor, newest_first=True
    )


@blp.route("/webhooks/deliveries/<delivery_id>/replay", methods=["POST"])
@idempotent
@blp.response(201, DeliverySchema)
@blp.alt_response(400, response="BAD_REQUEST")
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response=HTTPStatus(422).name)
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def replay_delivery(delivery_id: str) -> WebhookDelivery:
    """Send a delivery's event again (same event id) as a new delivery, due now."""
    delivery = db.session.execute(
        select(WebhookDelivery).where(
            WebhookDelivery.public_id == delivery_id,
            WebhookDelivery.insurer_id == g.insurer.id,
        )
    ).scalar_one_or_none()
    if delivery is None:
        errors.fail(404)

    try:
        replay = operations.replay_delivery(delivery, insurer=g.insurer)
        db.session.commit()
    except OperationError as error:
        errors.fail_operation(error)
    log.info("delivery %s replayed as %s", delivery_id, replay.public_id)
    return replay
