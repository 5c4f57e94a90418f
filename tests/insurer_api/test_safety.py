"""Retries, concurrent writers and busy callers: Idempotency-Key, ETag/If-Match, rate limits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from insurer_api.concurrency import etag_for
from insurer_api.models import IdempotencyRecord, OutboxEvent
from relief import create_app
from relief.assistance import operations
from relief.core import clock
from relief.core.audit import AuditEntry
from relief.extensions import db

CLAIMS = "/api/v1/claims"


def _payment(reference: str = "TX-1") -> dict:
    return {
        "amount": "50000.00",
        "paid_on": clock.today().isoformat(),
        "transaction_reference": reference,
    }


def _accepted(world, first_claim) -> tuple[str, str]:
    """A's first claim, accepted; its id and current ETag."""
    claim_id = first_claim(world.a).public_id
    accepted = world.a.api.accept(claim_id)
    return claim_id, accepted["etag"]


def _audit_count(action: str, claim_id: str) -> int:
    return db.session.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.action == action, AuditEntry.subject == f"relief_claim:{claim_id}"
        )
    )


# --- Idempotency-Key -----------------------------------------------------------------------


def test_a_retried_payment_gets_the_first_answer_and_pays_once(world, send, first_claim):
    claim_id, etag = _accepted(world, first_claim)
    path = f"{CLAIMS}/{claim_id}/payment"

    first = send("POST", path, world.a, body=_payment(), idempotency_key="pay-1", if_match=etag)
    again = send("POST", path, world.a, body=_payment(), idempotency_key="pay-1", if_match=etag)

    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    db.session.expire_all()
    assert _audit_count("claim.paid", claim_id) == 1
    paid_events = select(func.count(OutboxEvent.id)).where(OutboxEvent.event_type == "claim.paid")
    assert db.session.scalar(paid_events) == 1


def test_the_same_json_with_other_spacing_is_the_same_request(world, send, first_claim):
    claim_id = first_claim(world.a).public_id
    etag = world.a.api.get_claim(claim_id)["etag"]
    path = f"{CLAIMS}/{claim_id}/reject"

    send(
        "POST",
        path,
        world.a,
        body=b'{"reason": "\\u6750\\u6599\\u4e0d\\u5168"}',
        idempotency_key="rej-1",
        if_match=etag,
    )
    again = send(
        "POST",
        path,
        world.a,
        body='{"reason":"材料不全"}'.encode(),
        idempotency_key="rej-1",
        if_match=etag,
    )

    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_key_reused_with_another_body_is_refused(world, send, error_body, first_claim):
    claim_id, etag = _accepted(world, first_claim)
    path = f"{CLAIMS}/{claim_id}/payment"
    send("POST", path, world.a, body=_payment("TX-1"), idempotency_key="pay-1", if_match=etag)

    other = send(
        "POST", path, world.a, body=_payment("TX-2"), idempotency_key="pay-1", if_match=etag
    )

    assert "Idempotency-Key" in error_body(other, 422, "idempotency_key_reused")["errors"]
    assert world.a.api.get_claim(claim_id)["payment"]["transaction_reference"] == "TX-1"


def test_a_key_reused_on_another_claim_is_refused(world, send, error_body, new_claim, first_claim):
    first = first_claim(world.a).public_id
    second = new_claim(world.a).public_id
    db.session.commit()
    etags = {claim_id: world.a.api.get_claim(claim_id)["etag"] for claim_id in (first, second)}
    send("POST", f"{CLAIMS}/{first}/accept", world.a, idempotency_key="k", if_match=etags[first])

    other = send(
        "POST", f"{CLAIMS}/{second}/accept", world.a, idempotency_key="k", if_match=etags[second]
    )

    error_body(other, 422, "idempotency_key_reused")
    assert world.a.api.get_claim(second)["status"] == "submitted"


def test_a_failed_request_can_be_retried_with_its_key(world, send, error_body, first_claim):
    claim_id, etag = _accepted(world, first_claim)
    path = f"{CLAIMS}/{claim_id}/payment"
    wrong = {**_payment(), "amount": "1.00"}

    refused = send("POST", path, world.a, body=wrong, idempotency_key="pay-1", if_match=etag)
    corrected = send("POST", path, world.a, body=_payment(), idempotency_key="pay-1", if_match=etag)

    error_body(refused, 409, "conflict")
    assert corrected.status_code == 200
    assert corrected.get_json()["status"] == "paid"


def test_a_server_error_stores_no_answer(world, send, error_body, first_claim, monkeypatch):
    claim = first_claim(world.a)
    etag = etag_for(claim)
    real_accept = operations.accept_claim

    def failing(claim, *, insurer):
        raise RuntimeError("disk full")

    monkeypatch.setattr(operations, "accept_claim", failing)
    path = f"{CLAIMS}/{claim.public_id}/accept"
    error_body(
        send("POST", path, world.a, idempotency_key="acc-1", if_match=etag), 500, "internal_error"
    )
    monkeypatch.setattr(operations, "accept_claim", real_accept)

    retried = send("POST", path, world.a, idempotency_key="acc-1", if_match=etag)

    assert retried.status_code == 200
    assert "Idempotent-Replayed" not in retried.headers
    assert retried.get_json()["status"] == "accepted"


def test_keys_belong_to_one_api_client(world, send, first_claim):
    a_claim = first_claim(world.a).public_id
    b_claim = first_claim(world.b).public_id
    a_etag = world.a.api.get_claim(a_claim)["etag"]
    b_etag = world.b.api.get_claim(b_claim)["etag"]

    as_a = send(
        "POST", f"{CLAIMS}/{a_claim}/accept", world.a, idempotency_key="same", if_match=a_etag
    )
    as_b = send(
        "POST", f"{CLAIMS}/{b_claim}/accept", world.b, idempotency_key="same", if_match=b_etag
    )

    assert as_a.status_code == as_b.status_code == 200
    assert as_b.get_json()["id"] == b_claim
    assert "Idempotent-Replayed" not in as_b.headers


@pytest.mark.parametrize(
    ("key", "code"), [("", "idempotency_key_missing"), ("with space", "idempotency_key_invalid")]
)
def test_a_post_needs_a_valid_key(world, send, error_body, first_claim, key, code):
    claim = first_claim(world.a)

    response = send(
        "POST",
        f"{CLAIMS}/{claim.public_id}/accept",
        world.a,
        idempotency_key=key,
        if_match=etag_for(claim),
    )

    assert list(error_body(response, 400, code)["errors"]) == ["Idempotency-Key"]
    db.session.refresh(claim)
    assert claim.status == "submitted"


def test_a_stored_answer_expires_after_a_day(world, send, first_claim):
    claim_id, etag = _accepted(world, first_claim)
    path = f"{CLAIMS}/{claim_id}/payment"
    send("POST", path, world.a, body=_payment(), idempotency_key="pay-1", if_match=etag)
    record = db.session.execute(
        select(IdempotencyRecord).where(IdempotencyRecord.idempotency_key == "pay-1")
    ).scalar_one()
    record.expires_at = record.created_at
    db.session.commit()

    again = send("POST", path, world.a, body=_payment(), idempotency_key="pay-1", if_match=etag)

    # no longer replayed: the request runs again, and the claim is no longer accepted
    assert again.status_code == 412


# --- ETag and If-Match ---------------------------------------------------------------------


def test_a_claim_reads_with_its_etag(world, send, first_claim):
    claim = first_claim(world.a)

    response = send("GET", f"{CLAIMS}/{claim.public_id}", world.a)

    assert response.headers["ETag"] == etag_for(claim)
    assert response.get_json()["etag"] == etag_for(claim)


def test_a_change_gives_the_claim_a_new_etag(world, first_claim):
    claim_id = first_claim(world.a).public_id
    before = world.a.api.get_claim(claim_id)["etag"]

    after = world.a.api.accept(claim_id)["etag"]

    assert after != before
    assert world.a.api.get_claim(claim_id)["etag"] == after


def test_a_stale_etag_is_refused_and_changes_nothing(world, send, error_body, first_claim):
    claim_id = first_claim(world.a).public_id
    stale = world.a.api.get_claim(claim_id)["etag"]
    current = world.a.api.accept(claim_id)["etag"]

    response = send(
        "POST",
        f"{CLAIMS}/{claim_id}/reject",
        world.a,
        body={"reason": "材料不全。"},
        if_match=stale,
    )

    assert "If-Match" in error_body(response, 412, "precondition_failed")["errors"]
    assert response.headers["ETag"] == current
    assert world.a.api.get_claim(claim_id)["status"] == "accepted"


@pytest.mark.parametrize(
    ("if_match", "status", "code"),
    [(None, 428, "precondition_required"), ("*", 412, "precondition_failed")],
)
def test_an_answer_without_the_etag_is_refused(
    world, send, error_body, first_claim, if_match, status, code
):
    claim = first_claim(world.a)

    response = send("POST", f"{CLAIMS}/{claim.public_id}/accept", world.a, if_match=if_match)

    error_body(response, status, code)
    db.session.refresh(claim)
    assert claim.status == "submitted"


# --- Rate limits ---------------------------------------------------------------------------


@pytest.fixture
def limited_app(app):
    """The same database served by an app whose rate limit is on: three requests a minute."""
    limited = create_app({**app.config, "RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3/minute"})
    yield limited

    # its own engine: close its connections before the database is emptied
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_client_over_its_limit_waits_and_others_do_not(limited_app, world, error_body):
    from tests.insurer_api.conftest import signed

    client = limited_app.test_client()
    with limited_app.app_context():
        answers = [signed(client, "GET", CLAIMS, world.a).status_code for _ in range(3)]
        over = signed(client, "GET", CLAIMS, world.a)
        other = signed(client, "GET", CLAIMS, world.b)

    assert answers == [200, 200, 200]
    error_body(over, 429, "rate_limited")
    # the window is a minute; the header rounds the wait up to whole seconds
    assert 1 <= int(over.headers["Retry-After"]) <= 61
    assert other.status_code == 200


def test_unsigned_requests_do_not_spend_a_clients_quota(limited_app, world, error_body):
    from tests.insurer_api.conftest import signed

    client = limited_app.test_client()
    with limited_app.app_context():
        forged = [
            signed(client, "GET", CLAIMS, world.a, sent_query={"limit": "9"}).status_code
            for _ in range(5)
        ]
        genuine = signed(client, "GET", CLAIMS, world.a)

    assert forged == [401] * 5
    assert genuine.status_code == 200
