"""Request signing: how an insurer's system proves who sent a request, and when.

The sender builds a canonical string from the request::

    METHOD \\n PATH \\n CANONICAL-QUERY \\n TIMESTAMP \\n NONCE \\n SHA256-HEX(BODY)

signs it with HMAC-SHA256 and its client secret, and sends four headers: the key id, the
timestamp (unix seconds), the nonce (16 to 64 URL-safe characters, new for every request)
and the signature (standard base64). The server refuses a missing header, an unknown or
revoked key, a timestamp more than five minutes off, a signature that does not match and a
nonce the key already used: a captured request can be neither altered nor replayed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import NoReturn
from urllib.parse import parse_qsl, quote

from flask import g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from insurer_api.errors import fail
from insurer_api.models import UsedNonce
from relief.core import vault
from relief.core.models import utcnow
from relief.extensions import db
from relief.insurers.models import ApiClient

log = logging.getLogger(__name__)

KEY_HEADER = "X-Relief-Key"
TIMESTAMP_HEADER = "X-Relief-Timestamp"
NONCE_HEADER = "X-Relief-Nonce"
SIGNATURE_HEADER = "X-Relief-Signature"
HEADERS = (KEY_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)

#: how far, in seconds, a request's timestamp may be from the server's clock either way
WINDOW_SECONDS = 300

#: the scheme named in WWW-Authenticate when a request is refused
SCHEME = "Relief-HMAC-SHA256"

_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")

Query = Mapping[str, str | Iterable[str]] | Iterable[tuple[str, str]] | str | None


def canonical_query(query: Query) -> str:
    """Percent-encode the query's pairs and sort them, so both sides agree on one form."""
    if query is None:
        pairs: list[tuple[str, str]] = []
    elif isinstance(query, str):
        pairs = parse_qsl(query, keep_blank_values=True)
    elif isinstance(query, Mapping):
        pairs = []
        for name, value in query.items():
            values = [value] if isinstance(value, str) else list(value)
            pairs.extend((name, str(item)) for item in values)
    else:
        pairs = [(name, str(value)) for name, value in query]

    encoded = sorted((_encode(name), _encode(value)) for name, value in pairs)
    return "&".join(f"{name}={value}" for name, value in encoded)


def canonical_string(
    method: str, path: str, query: Query, timestamp: str, nonce: str, body: bytes
) -> str:
    """The text that is signed; ``path`` is unencoded, as Flask's ``request.path`` gives it."""
    return "\n".join(
        [
            method.upper(),
            _encode(path, safe="/"),
            canonical_query(query),
            timestamp,
            nonce,
            hashlib.sha256(body).hexdigest(),
        ]
    )


def sign_request(
    method: str,
    path: str,
    query: Query,
    body: bytes,
    key_id: str,
    secret: str,
    timestamp: int | str | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Return the four signature headers for a request; a new nonce and now by default."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_urlsafe(16)

    text = canonical_string(method, path, query, timestamp, nonce, body)
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
    return {
        KEY_HEADER: key_id,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: base64.b64encode(digest).decode("ascii"),
    }


def require_signature() -> None:
    """Check the current request's signature and set ``g.api_client`` and ``g.insurer``.

    Registered as ``before_request`` on every API blueprint, so it runs before the body is
    parsed. Any failure answers 401 with the error body.
    """
    g.api_client = g.insurer = None
    missing = [name for name in HEADERS if not request.headers.get(name)]
    if missing:
        _refuse("missing_headers", None, "缺少签名请求头：" + "、".join(missing) + "。")

    key_id = request.headers[KEY_HEADER]
    timestamp = request.headers[TIMESTAMP_HEADER]
    nonce = request.headers[NONCE_HEADER]
    client = db.session.execute(
        select(ApiClient).where(ApiClient.key_id == key_id)
    ).scalar_one_or_none()
    if client is None or client.revoked_at is not None:
        # unknown and revoked read alike: the answer must not confirm that a key exists
        _refuse("unknown_key", None, "密钥不存在或已停用。")

    if not _TIMESTAMP.fullmatch(timestamp):
        _refuse("bad_timestamp", key_id, f"{TIMESTAMP_HEADER} 必须是 Unix 时间戳（秒）。")
    if abs(time.time() - int(timestamp)) > WINDOW_SECONDS:
        _refuse(
            "stale_timestamp",
            key_id,
            f"请求时间戳与服务器时间相差超过 {WINDOW_SECONDS} 秒，请校准时钟后重新签名。",
        )
    if not _NONCE.fullmatch(nonce):
        _refuse("bad_nonce", key_id, f"{NONCE_HEADER} 必须是 16 至 64 位字母、数字、- 或 _。")

    expected = sign_request(
        request.method,
        request.script_root + request.path,
        request.args.items(multi=True),
        request.get_data(cache=True),
        key_id,
        vault.decrypt(client.secret_encrypted).decode(),
        timestamp=timestamp,
        nonce=nonce,
    )[SIGNATURE_HEADER]
    if not hmac.compare_digest(expected, request.headers[SIGNATURE_HEADER]):
        _refuse("bad_signature", key_id, "签名不匹配。")

    # only a correctly signed request may spend a nonce, or anyone could fill the table
    if not remember_nonce(key_id, nonce):
        _refuse("replayed", key_id, "该请求已处理过（随机数重复使用），请用新的随机数重新签名。")

    g.api_client = client
    g.insurer = client.insurer


def remember_nonce(key_id: str, nonce: str) -> bool:
    """Record a nonce for a key; return False if the key already used it.

    Commits at once, so the nonce stays spent even if the request itself fails later. A
    nonce seen more than twice the window ago can only come with a stale timestamp, so such
    rows are deleted here.
    """
    now = utcnow()
    db.session.execute(
        delete(UsedNonce).where(
            UsedNonce.key_id == key_id,
            UsedNonce.seen_at < now - timedelta(seconds=2 * WINDOW_SECONDS),
        )
    )
    db.session.add(UsedNonce(key_id=key_id, nonce=nonce, seen_at=now))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _refuse(reason: str, key_id: str | None, message: str) -> NoReturn:
    log.info("API request refused (%s) for key %s on %s", reason, key_id, request.path)
    fail(401, message, headers={"WWW-Authenticate": SCHEME})


def _encode(text: str, safe: str = "") -> str:
    return quote(text, safe="-_.~" + safe)
