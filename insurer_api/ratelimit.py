"""Per-client rate limits on the partner API, with Flask-Limiter.

Every view of an API blueprint shares one quota per API key (``API_RATE_LIMIT``, 300 per
minute by default). The limit is checked when the view is called, that is after
``require_signature`` has verified the request: the quota spent is the verified key's, so
nobody can spend another client's quota by sending its key id unsigned. Over the limit the
answer is 429 ``rate_limited`` with ``Retry-After`` in seconds.

Nothing to adopt: :func:`limit_views` wraps the views of every blueprint in
``insurer_api.BLUEPRINTS`` when the API is created.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable

from flask import Flask, current_app, g
from flask_limiter.util import get_remote_address

from relief.extensions import limiter

DEFAULT_LIMIT = "300 per minute"


def _limit_value() -> str:
    return current_app.config.get("API_RATE_LIMIT") or DEFAULT_LIMIT


def _client_key() -> str:
    client = getattr(g, "api_client", None)
    # the signature check runs first, so a request without a client is refused before this
    return f"key:{client.key_id}" if client is not None else f"ip:{get_remote_address()}"


#: one limit object for every view, so building several apps does not stack up limits
API_LIMIT = limiter.shared_limit(_limit_value, scope="insurer-api", key_func=_client_key)


def limit_views(app: Flask, blueprint_names: Iterable[str]) -> None:
    """Put the shared per-client limit on every view of the named blueprints."""
    names = set(blueprint_names)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.split(".", 1)[0] in names:
            app.view_functions[endpoint] = API_LIMIT(view)


def retry_after() -> str:
    """Seconds until the breached limit lets the client in again, at least one."""
    current = limiter.current_limit
    if current is None:
        return "60"
    return str(max(1, math.ceil(current.reset_at - time.time())))
