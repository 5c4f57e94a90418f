"""A small client for the partner API, for insurers' systems and for our own tests.

Standard library only. Requests are signed with :func:`insurer_api.signing.sign_request`;
amounts go out and come back as decimal strings, never as floats::

    client = InsurerClient("https://relief.example.cn", key_id, secret)
    for claim in client.list_claims(status="submitted"):
        client.accept(claim["id"])

What it does for the caller:

- every POST gets a new Idempotency-Key, reused when that same call is retried;
- a claim's answers send the ETag of the claim as the client last saw it (from a list, a
  read or a previous answer) as If-Match, reading the claim first if it never saw it; a 412
  raises ApiError and forgets the ETag, so reading again and retrying is the caller's call;
- 429 and 5xx answers, and connections that fail, are retried up to ``retries`` times,
  waiting ``Retry-After`` when the server gives it, else 0.5 s, 1 s, 2 s …;
- lists are followed page after page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from insurer_api.signing import sign_request

API_PREFIX = "/api/v1"

#: answers worth sending the same request again for
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

#: the longest wait between two attempts, whatever Retry-After says
LONGEST_WAIT = 60.0

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
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
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
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        #: the ETag of each claim as last seen, sent back as If-Match
        self._etags: dict[str, str] = {}

    @classmethod
    def for_flask_test_client(
        cls, client: Any, key_id: str, secret: str, **options: Any
    ) -> InsurerClient:
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

        return cls("http://localhost", key_id, secret, transport=transport, **options)

    # --- Claims ---------------------------------------------------------------------------

    def list_claims(self, status: str | None = None, *, page_size: int = 50) -> Iterator[dict]:
        """Yield every claim of the insurer, with the given status if any, page after page."""
        query: dict[str, str] = {"limit": str(page_size)}
        if status is not None:
            query["status"] = status

        for claim in self._pages("/claims", query):
            self._etags[claim["id"]] = claim["etag"]
            yield claim

    def get_claim(self, claim_id: str) -> dict:
        """Read one claim (and remember its ETag for the next answer to it)."""
        return self._call("GET", f"/claims/{claim_id}", etag_of=claim_id)

    def download_document(self, claim_id: str, kind: str) -> bytes:
        """The PDF of a claim's ``relief_decision`` or ``relief_claim``."""
        path = f"/claims/{claim_id}/documents/{kind}"
        return self._call("GET", path, raw=True)

    def accept(self, claim_id: str) -> dict:
        """Accept a submitted claim; returns the claim as it now stands."""
        return self._answer(claim_id, "accept")

    def reject(self, claim_id: str, reason: str) -> dict:
        """Refuse a submitted claim with a reason; returns the claim as it now stands."""
        return self._answer(claim_id, "reject", {"reason": reason})

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
        return self._answer(claim_id, "payment", body)

    # --- Webhooks -------------------------------------------------------------------------

    def register_webhook(self, url: str, description: str = "") -> dict:
        """Register an endpoint for the insurer's events; keep the ``secret`` it returns."""
        body = {"url": url, "description": description}
        return self._call("POST", "/webhooks/endpoints", json_body=body)

    def list_webhooks(self) -> list[dict]:
        """The insurer's active endpoints."""
        return self._call("GET", "/webhooks/endpoints")["items"]

    def delete_webhook(self, endpoint_id: str) -> None:
        """Remove an endpoint; what was not yet delivered to it is cancelled."""
        self._call("DELETE", f"/webhooks/endpoints/{endpoint_id}")

    def deliveries(
        self, status: str | None = None, event_id: str | None = None, *, page_size: int = 50
    ) -> Iterator[dict]:
        """Yield the delivery log, newest first."""
        query = {"limit": str(page_size)}
        if status is not None:
            query["status"] = status
        if event_id is not None:
            query["event_id"] = event_id
        yield from self._pages("/webhooks/deliveries", query)

    def replay(self, delivery_id: str) -> dict:
        """Send a delivery's event again; returns the new delivery."""
        return self._call("POST", f"/webhooks/deliveries/{delivery_id}/replay")

    # --- Preservation guarantees ------------------------------------------------------------

    def list_guarantees(self, status: str | None = None, *, limit: int = 50) -> list[dict]:
        """The guarantees the court asked of the insurer, with the given status if any."""
        query = {"limit": str(limit)}
        if status is not None:
            query["status"] = status
        return self._call("GET", "/guarantees", query=query)["items"]

    def get_guarantee(self, guarantee_id: str) -> dict:
        """Read one guarantee."""
        return self._call("GET", f"/guarantees/{guarantee_id}")

    def quote_guarantee(
        self, guarantee_id: str, insured_amount: Decimal | str | None = None
    ) -> dict:
        """Quote a guarantee; the premium follows from the insurer's contract."""
        body = {} if insured_amount is None else {"insured_amount": str(insured_amount)}
        return self._call("POST", f"/guarantees/{guarantee_id}/quote", json_body=body)

    def decline_guarantee(self, guarantee_id: str, reason: str) -> dict:
        """Decline to guarantee an application, with a reason."""
        path = f"/guarantees/{guarantee_id}/decline"
        return self._call("POST", path, json_body={"reason": reason})

    def issue_guarantee(self, guarantee_id: str, letter: Mapping[str, Any]) -> dict:
        """Issue the policy and the guarantee letter (fields: the API's GuaranteeIssueIn)."""
        path = f"/guarantees/{guarantee_id}/issue"
        return self._call("POST", path, json_body=dict(letter))

    def download_letter(self, guarantee_id: str) -> bytes:
        """The PDF of the guarantee letter, as the court rendered it."""
        return self._call("GET", f"/guarantees/{guarantee_id}/letter", raw=True)

    def pay_guarantee_claim(
        self,
        guarantee_id: str,
        amount: Decimal | str,
        paid_on: date | str,
        transaction_reference: str,
    ) -> dict:
        """Report the payment of a claim for wrongful preservation."""
        body = {
            "amount": str(amount),
            "paid_on": paid_on.isoformat() if isinstance(paid_on, date) else paid_on,
            "transaction_reference": transaction_reference,
        }
        return self._call("POST", f"/guarantees/{guarantee_id}/claim/payment", json_body=body)

    def exposure(self, on: date | str | None = None) -> dict:
        """The insurer's outstanding guaranteed amount on a day (today by default)."""
        query = {} if on is None else {"on": on.isoformat() if isinstance(on, date) else on}
        return self._call("GET", "/guarantees/exposure", query=query)

    # --- Transport ------------------------------------------------------------------------

    def _pages(self, path: str, query: dict[str, str]) -> Iterator[dict]:
        """Yield the items of a paginated list, page after page."""
        while True:
            page = self._call("GET", path, query=query)
            yield from page["items"]
            if not page["next_cursor"]:
                return
            query = {**query, "cursor": page["next_cursor"]}

    def _answer(self, claim_id: str, action: str, body: Any = None) -> dict:
        """POST an answer to a claim with If-Match: the claim as this client last saw it."""
        if claim_id not in self._etags:
            self.get_claim(claim_id)
        return self._call(
            "POST",
            f"/claims/{claim_id}/{action}",
            json_body=body,
            headers={"If-Match": self._etags[claim_id]},
            etag_of=claim_id,
        )

    def _call(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        json_body: Any = None,
        raw: bool = False,
        headers: Mapping[str, str] | None = None,
        etag_of: str | None = None,
    ) -> Any:
        """Sign and send one request, retrying it; return the decoded answer or raise ApiError.

        ``etag_of`` names the claim whose ETag the answer carries.
        """
        full_path = self._path_prefix + API_PREFIX + path
        pairs = list((query or {}).items())
        body = b""
        fixed = {"Accept": "application/pdf" if raw else "application/json", **(headers or {})}
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            fixed["Content-Type"] = "application/json"
        if method == "POST":
            # one key for this call and all its retries: the server runs it at most once
            fixed["Idempotency-Key"] = str(uuid.uuid4())

        attempt = 0
        while True:
            # a new nonce and timestamp for every attempt, or the server refuses a replay
            signed = {
                **fixed,
                **sign_request(method, full_path, pairs, body, self.key_id, self.secret),
            }
            try:
                # the signature covers the path as the server decodes it; the wire quotes it
                status, answer_headers, content = self._transport(
                    method, quote(full_path, safe="/"), pairs, signed, body
                )
            except OSError:
                if attempt >= self.retries:
                    raise
                status, answer_headers, content = 0, {}, b""

            if status not in RETRY_STATUSES and status != 0:
                break
            if attempt >= self.retries:
                break
            self._sleep(self._wait(attempt, answer_headers.get("Retry-After")))
            attempt += 1

        if etag_of is not None:
            if status == 412:
                self._etags.pop(etag_of, None)
            elif status < 400 and answer_headers.get("ETag"):
                self._etags[etag_of] = answer_headers["ETag"]
        if status >= 400:
            raise ApiError(status, _decode(content))
        if status == 204:
            return None
        return content if raw else _decode(content)

    def _wait(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before the next attempt: the server's Retry-After, else doubling."""
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), LONGEST_WAIT)
        return min(self.backoff * 2**attempt, LONGEST_WAIT)

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


def verify_webhook(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: int = 300,
    now: float | None = None,
) -> dict:
    """Check a delivery the court sent to a webhook and return its event.

    Raises ValueError for a wrong signature or a timestamp more than ``tolerance`` seconds
    off. The same event may arrive more than once: keep the ``id`` of every event processed
    and skip those seen before.
    """
    timestamp = headers.get("X-Relief-Timestamp", "")
    event_id = headers.get("X-Relief-Event-Id", "")
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > tolerance:
        raise ValueError("stale or missing X-Relief-Timestamp")

    text = f"{timestamp}\n{event_id}\n".encode() + body
    expected = base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest())
    if not hmac.compare_digest(expected.decode(), headers.get("X-Relief-Signature", "")):
        raise ValueError("bad X-Relief-Signature")

    event = json.loads(body, parse_float=Decimal)
    if event.get("id") != event_id:
        raise ValueError("X-Relief-Event-Id does not match the body")
    return event


def _decode(content: bytes) -> Any:
    try:
        return json.loads(content, parse_float=Decimal)
    except ValueError:
        return content.decode(errors="replace")
