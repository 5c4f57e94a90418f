"""The Python client retries safely: lost answers, busy servers and stale reads."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from insurer_api.client import ApiError, InsurerClient
from relief.core import clock
from relief.core.audit import AuditEntry
from relief.extensions import db


class Flaky:
    """A transport through the Flask test client that misbehaves as told, request by request.

    ``plan`` holds, for each request in turn, what goes wrong: "lost" sends it but loses
    the answer (a dropped connection), "busy" answers 503 with Retry-After without sending
    it, None passes it through.
    """

    def __init__(self, client, plan):
        self.client = client
        self.plan = list(plan)
        self.sent: list[tuple[str, str, dict]] = []

    def __call__(self, method, path, query, headers, body):
        trouble = self.plan.pop(0) if self.plan else None
        if trouble == "busy":
            return 503, {"Retry-After": "7"}, b'{"code":"unavailable"}'

        self.sent.append((method, path, dict(headers)))
        response = self.client.open(
            path, method=method, query_string=query, headers=headers, data=body
        )
        if trouble == "lost":
            raise ConnectionResetError("connection reset by peer")
        return response.status_code, response.headers, response.get_data()


@pytest.fixture
def flaky(app, world):
    def make(plan):
        transport = Flaky(app.test_client(), plan)
        waits: list[float] = []
        api = InsurerClient(
            "http://localhost",
            world.a.key_id,
            world.a.secret,
            transport=transport,
            sleep=waits.append,
        )
        return api, transport, waits

    return make


def test_a_payment_whose_answer_was_lost_is_retried_and_paid_once(flaky, world, first_claim):
    claim_id = first_claim(world.a).public_id
    api, transport, waits = flaky([None, None, "lost", None])
    api.accept(claim_id)

    paid = api.pay(claim_id, "50000.00", clock.today(), "TX-1")

    assert paid["status"] == "paid"
    posts = [headers for method, path, headers in transport.sent if path.endswith("/payment")]
    assert len(posts) == 2
    assert posts[0]["Idempotency-Key"] == posts[1]["Idempotency-Key"]
    assert posts[0]["X-Relief-Nonce"] != posts[1]["X-Relief-Nonce"]
    assert waits == [0.5]
    paid_entries = select(func.count(AuditEntry.id)).where(AuditEntry.action == "claim.paid")
    assert db.session.scalar(paid_entries) == 1


def test_a_busy_server_is_retried_after_the_time_it_asks(flaky, world, first_claim):
    api, _, waits = flaky(["busy", "busy"])

    claims = list(api.list_claims())

    assert [claim["id"] for claim in claims] == [first_claim(world.a).public_id]
    assert waits == [7.0, 7.0]


def test_the_client_gives_up_after_its_retries(flaky, world):
    api, _, waits = flaky(["busy"] * 4)

    with pytest.raises(ApiError) as refused:
        api.get_claim("clm_any")

    assert refused.value.status == 503
    assert len(waits) == 3


def test_each_call_gets_its_own_key(flaky, world, first_claim, new_claim):
    second = new_claim(world.a).public_id
    db.session.commit()
    api, transport, _ = flaky([])

    api.accept(first_claim(world.a).public_id)
    api.accept(second)

    keys = [headers["Idempotency-Key"] for method, _, headers in transport.sent if method == "POST"]
    assert len(set(keys)) == 2


def test_a_client_that_read_an_old_state_is_stopped(world, app, first_claim):
    claim_id = first_claim(world.a).public_id
    slow = InsurerClient.for_flask_test_client(app.test_client(), world.a.key_id, world.a.secret)
    slow.get_claim(claim_id)
    world.a.api.reject(claim_id, "材料不全。")

    with pytest.raises(ApiError) as stale:
        slow.accept(claim_id)

    assert stale.value.status == 412
    assert world.a.api.get_claim(claim_id)["status"] == "rejected"
    # the stale ETag is forgotten: the next call reads the claim again and meets its state
    with pytest.raises(ApiError) as conflict:
        slow.accept(claim_id)
    assert conflict.value.status == 409
