"""A small client for the partner API, for insurers' systems and for our own tests.

Standard library only. Requests are signed with :func:`insurer_api.signing.sign_request`;
amounts go out and come back as decimal strings, never as floats::

    client = InsurerClient("https://relief.example.cn", key_id, secret)
    for claim in client.list_claims(status="submitted"):
        client.accept(claim["id"])
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from insurer_api.signing import sign_request

API_PREFIX = "/api/v1"

#: sends one request: (method, path, query pairs, headers, body) -> (status, headers, body)
Transport = Callable[
    [str, str, list[tuple[str, str]], dict[str, str], bytes],
    tuple[int, Mapping[str, str], bytes],
]


class ApiError(Exception):
    """The API refused a request; ``body`` is its error body (or the raw text if not JSON)."""

    def __init__(self, status: int, body: Any):
        self.status = status
        self.body = body
        super().__init__(f"{status} {self.code}: {self.message}")

    @property
    def code(self) -> str:
        """The error body's stable code, e.g. ``conflict``."""
        return self.body.get("code", "") if isinstance(self.body, dict) else ""

    @property
    def message(self) -> str:
        """The error body's message for people."""
        return self.body.get("message", "") if isinstance(self.body, dict) else str(self.body)

    @property
    def errors(self) -> dict[str, list[str]]:
        """Messages by input field."""
        return self.body.get("errors", {}) if isinstance(self.body, dict) else {}


class InsurerClient:
    """Signed calls to the partner API as one insurer.

    ``session`` is a ``urllib.request.OpenerDirector`` for real HTTP (proxies, TLS
    settings); ``transport`` replaces HTTP altogether (see :meth:`for_flask_test_client`).
    """

    def __init__(
        self,
        base_url: str,
        key_id: str,
        secret: str,
        session: urllib.request.OpenerDirector | None = None,
        *,
        transport: Transport | None = None,
        timeout: float = 30.0,
    ):
        parts = urlsplit(base_url)
        if transport is None and parts.scheme not in ("http", "https"):
            raise ValueError(f"base_url must be an http or https URL, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.key_id = key_id
        self.secret = secret
        self.timeout = timeout
        self._opener = session or urllib.request.build_opener()
        self._transport = transport or self._over_http
        # the server signs the path it sees, which includes a prefix the API is mounted under
        self._path_prefix = parts.path.rstrip("/")

    @classmethod
    def for_flask_test_client(cls, client: Any, key_id: str, secret: str) -> InsurerClient:
        """A client that sends its requests through a Flask test client."""

        def transport(
            method: str,
            path: str,
            query: list[tuple[str, str]],
            headers: dict[str, str],
            body: bytes,
        ) -> tuple[int, Mapping[str, str], bytes]:
            response = client.open(
                path, method=method, query_string=urlencode(query), headers=headers, data=body
            )
            return response.status_code, response.headers, response.get_data()

        return cls("http://localhost", key_id, secret, transport=transport)

    # --- Claims ---------------------------------------------------------------------------

    def list_claims(self, status: str | None = None, *, page_size: int = 50) -> Iterator[dict]:
        """Yield every claim of the insurer, with the given status if any, page after page."""
        query: dict[str, str] = {"limit": str(page_size)}
        if status is not None:
            query["status"] = status

        while True:
            page = self._call("GET", "/claims", query=query)
            yield from page["items"]
            if not page["next_cursor"]:
                return
            query["cursor"] = page["next_cursor"]

    def get_claim(self, claim_id: str) -> dict:
        """Read one claim."""
        return self._call("GET", f"/claims/{claim_id}")

    def download_document(self, claim_id: str, kind: str) -> bytes:
        """The PDF of a claim's ``relief_decision`` or ``relief_claim``."""
        path = f"/claims/{claim_id}/documents/{kind}"
        return self._call("GET", path, raw=True)

    def accept(self, claim_id: str) -> dict:
        """Accept a submitted claim; returns the claim as it now stands."""
        return self._call("POST", f"/claims/{claim_id}/accept")

    def reject(self, claim_id: str, reason: str) -> dict:
        """Refuse a submitted claim with a reason; returns the claim as it now stands."""
        return self._call("POST", f"/claims/{claim_id}/reject", json_body={"reason": reason})

    def pay(
        self,
        claim_id: str,
        amount: Decimal | str,
        paid_on: date | str,
        transaction_reference: str,
    ) -> dict:
        """Report the payment of an accepted claim; the amount must be the claim's."""
        if not isinstance(amount, Decimal | str):
            raise TypeError(f"amount must be a Decimal or str, not {type(amount).__name__}")
        body = {
            "amount": str(amount),
            "paid_on": paid_on.isoformat() if isinstance(paid_on, date) else paid_on,
            "transaction_reference": transaction_reference,
        }
        return self._call("POST", f"/claims/{claim_id}/payment", json_body=body)

    # --- Transport ------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        json_body: Any = None,
        raw: bool = False,
    ) -> Any:
        """Sign and send one request; return the decoded answer or raise ApiError."""
        full_path = self._path_prefix + API_PREFIX + path
        pairs = list((query or {}).items())
        body = b""
        headers = {"Accept": "application/pdf" if raw else "application/json"}
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        headers.update(sign_request(method, full_path, pairs, body, self.key_id, self.secret))

        # the signature covers the path as the server decodes it; the wire carries it quoted
        status, _, content = self._transport(
            method, quote(full_path, safe="/"), pairs, headers, body
        )
        if status >= 400:
            raise ApiError(status, _decode(content))
        return content if raw else _decode(content)

    def _over_http(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[int, Mapping[str, str], bytes]:
        url = urlsplit(self.base_url)._replace(path=path, query=urlencode(query)).geturl()
        request = urllib.request.Request(  # noqa: S310  (scheme checked in __init__)
            url, data=body or None, headers=headers, method=method
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, error.read()


def _decode(content: bytes) -> Any:
    try:
        return json.loads(content, parse_float=Decimal)
    except ValueError:
        return content.decode(errors="replace")
