"""The one error body of the partner API, for every failure under /api/.

``{"code": "...", "message": "...", "errors": {field: [messages]}}``: ``code`` is stable for
programs, ``message`` is for people (Chinese, like the court's own messages), ``errors``
names the fields at fault and is empty when no field is.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NoReturn

from flask import request
from flask_smorest import abort, current_api
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from insurer_api import ratelimit
from relief.core import concurrency
from relief.core.errors import Conflict, Forbidden, OperationError
from relief.extensions import db

log = logging.getLogger(__name__)

#: every path that answers with the API's error body
API_PREFIX = "/api/"

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
}

MESSAGES = {
    400: "请求格式有误。",
    401: "请求未通过签名验证。",
    403: "无权执行此操作。",
    404: "未找到该资源。",
    405: "该资源不支持此请求方法。",
    409: "该理赔申请当前的状态不允许此操作。",
    412: "该记录已被修改，请重新读取后再试。",
    413: "请求内容过大。",
    415: "不支持的内容类型。",
    422: "请求内容有误，请按字段说明更正。",
    428: "缺少 If-Match 请求头，请先读取该记录并带上其 ETag。",
    429: "请求过于频繁，请稍后再试。",
    500: "系统出现内部错误，操作未生效。",
}


class ErrorSchema(Schema):
    """The error body; documents it in the OpenAPI document, never used to dump."""

    code = fields.String(metadata={"description": "stable error code, e.g. `conflict`"})
    message = fields.String(metadata={"description": "what went wrong, for people"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "messages by input field; empty when no field is at fault"},
    )


def is_api_request() -> bool:
    """Whether the current request is one the API's error body answers."""
    return request.path.startswith(API_PREFIX)


def fail(
    status: int,
    message: str | None = None,
    *,
    errors: Mapping[str, list[str]] | None = None,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> NoReturn:
    """Stop the request with the API's error body."""
    data: dict[str, Any] = {"errors": dict(errors or {})}
    if message is not None:
        data["message"] = message
    if code is not None:
        data["code"] = code
    if headers:
        data["headers"] = dict(headers)
    abort(status, **data)


def fail_operation(error: OperationError) -> NoReturn:
    """Undo the request's changes and answer for a refused operation.

    Forbidden answers 404: another insurer's claim must look like no claim at all.
    """
    db.session.rollback()

    if isinstance(error, Forbidden):
        fail(404)
    status = 409 if isinstance(error, Conflict) else 422
    errors = {error.field: [error.message]} if error.field else {}
    fail(status, error.message, errors=errors, code=error.code)


def body_for(error: HTTPException) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Build the error body, status and headers for an HTTP error."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}

    errors = data.get("errors")
    if errors is None and "messages" in data:
        # webargs reports validation errors by location: {"json": {"amount": [...]}}
        errors = _flatten_locations(data["messages"])
    body = {
        "code": data.get("code") or CODES.get(status, _snake(error.name)),
        "message": data.get("message") or MESSAGES.get(status, error.name),
        "errors": errors or {},
    }

    headers = dict(data.get("headers") or {})
    if status == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if status == 429:
        headers.setdefault("Retry-After", ratelimit.retry_after())
    return body, status, headers


def answer(error: Exception) -> tuple[dict[str, Any], int] | tuple[dict[str, Any], int, dict]:
    """Answer any exception raised in an API blueprint; the request's changes are undone.

    Registered on each API blueprint, where it comes before the site's own handlers.
    """
    db.session.rollback()

    if isinstance(error, HTTPException):
        return current_api.handle_http_exception(error)
    if concurrency.is_conflict(error):
        # another request won a race for the same rows (or SQLite's write lock): retryable
        log.warning("API %s %s lost a race: %s", request.method, request.path, type(error).__name__)
        message = str(concurrency.CONFLICT_MESSAGE)
        headers = {"Retry-After": str(concurrency.RETRY_AFTER_SECONDS)}
        return {"code": CODES[409], "message": message, "errors": {}}, 409, headers
    log.exception("unhandled error on API %s %s", request.method, request.path)
    return {"code": CODES[500], "message": MESSAGES[500], "errors": {}}, 500


def _flatten_locations(messages: Any) -> dict[str, list[str]]:
    if not isinstance(messages, Mapping):
        return {"_request": [str(message) for message in messages]}

    flat: dict[str, list[str]] = {}
    for location, by_field in messages.items():
        if isinstance(by_field, Mapping):
            _flatten_fields(by_field, "", flat)
        else:
            # a message about the location as a whole, e.g. a body that is not JSON
            flat[f"_{location}"] = [str(message) for message in by_field]
    return flat


def _flatten_fields(messages: Mapping, prefix: str, flat: dict[str, list[str]]) -> None:
    """Name nested fields with dots ("applicant.name"): the body promises flat lists."""
    for name, value in messages.items():
        field = f"{prefix}{name}"
        if isinstance(value, Mapping):
            _flatten_fields(value, f"{field}.", flat)
        elif isinstance(value, list | tuple):
            flat.setdefault(field, []).extend(str(message) for message in value)
        else:
            flat.setdefault(field, []).append(str(value))


def _snake(name: str) -> str:
    return name.lower().replace(" ", "_").replace("-", "_").replace("'", "")
