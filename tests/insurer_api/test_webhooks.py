"""Insurers register webhooks, receive signed events at least once, read and replay the log."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from insurer_api import events
from insurer_api.client import ApiError, verify_webhook
from insurer_api.models import DeliveryStatus, OutboxEvent, WebhookDelivery, WebhookEndpoint
from relief.assistance import operations
from relief.core import clock
from relief.core.models import utcnow
from relief.extensions import db

WEBHOOKS = "/api/v1/webhooks"


class Receiver:
    """An insurer's endpoint on a local server: fails a number of times, then answers 204.

    Like a careful receiver it verifies each delivery and processes each event id once.
    """

    def __init__(self, failures: int):
        self.failures = failures
        self.secret = ""
        self.attempts: list[str] = []
        self.processed: dict[str, dict] = {}
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.port}/relief-events"

    @Request.application
    def wsgi(self, request: Request) -> Response:
        event = verify_webhook(self.secret, request.headers, request.get_data())
        self.attempts.append(event["id"])
        if len(self.attempts) <= self.failures:
            return Response("busy", status=503)
        self.processed.setdefault(event["id"], event)
        return Response(status=204)


@pytest.fixture
def receiver(app):
    app.config["WEBHOOK_ALLOW_HTTP"] = True
    receiver = Receiver(failures=5)
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()
    thread.join()


def _deliveries() -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.execute(select(WebhookDelivery).order_by(WebhookDelivery.id)).scalars())


def test_an_endpoint_failing_five_times_then_recovering_gets_the_event(
    world, receiver, first_claim
):
    registered = world.a.api.register_webhook(receiver.url, "claims system")
    receiver.secret = registered["secret"]
    claim_id = first_claim(world.a).public_id
    world.a.api.accept(claim_id)
    world.a.api.pay(claim_id, "50000.00", clock.today(), "TX-1")

    # each pass runs when the previous attempt's wait is over
    now = utcnow()
    waits = []
    for _ in range(6):
        done = events.deliver_due(now=now)
        assert len(done.delivered) + len(done.retrying) == 1
        (delivery,) = _deliveries()
        if delivery.next_attempt_at is not None:
            wait = delivery.next_attempt_at.replace(tzinfo=now.tzinfo) - now
            assert events.deliver_due(now=now + wait - timedelta(seconds=1)).retrying == []
            waits.append(wait)
            now += wait

    (delivery,) = _deliveries()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 6
    assert waits == [timedelta(seconds=30 * 2**n) for n in range(5)]
    (event,) = receiver.processed.values()
    assert event["type"] == "claim.paid"
    assert event["data"] == {
        "claim_id": claim_id,
        "amount": "50000.00",
        "paid_on": clock.today().isoformat(),
    }
    assert receiver.attempts == [event["id"]] * 6


def test_the_log_shows_each_attempt_and_a_replay_repeats_the_event(world, receiver, first_claim):
    receiver.failures = 1
    receiver.secret = world.a.api.register_webhook(receiver.url)["secret"]
    claim_id = first_claim(world.a).public_id
    world.a.api.accept(claim_id)
    world.a.api.pay(claim_id, "50000.00", clock.today(), "TX-1")
    events.deliver_due()

    (failed,) = world.a.api.deliveries()
    events.deliver_due(now=utcnow() + timedelta(minutes=1))
    (delivered,) = world.a.api.deliveries(status="delivered")
    replay = world.a.api.replay(delivered["id"])
    events.deliver_due()

    assert failed["status"] == "pending"
    assert failed["last_status_code"] == 503
    assert failed["attempts"] == 1
    assert delivered["attempts"] == 2
    assert replay["event_id"] == delivered["event_id"]
    assert replay["id"] != delivered["id"]
    assert [d["status"] for d in world.a.api.deliveries()] == ["delivered", "delivered"]
    # delivered twice, processed once: the receiver dedupes by event id
    assert receiver.attempts == [delivered["event_id"]] * 3
    assert list(receiver.processed) == [delivered["event_id"]]


def test_the_event_is_written_with_the_change_or_not_at_all(world, first_claim, monkeypatch):
    claim_id = first_claim(world.a).public_id
    world.a.api.accept(claim_id)
    real_payment = operations.record_payment

    def pay_then_fail(claim, **kwargs):
        real_payment(claim, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(operations, "record_payment", pay_then_fail)
    with pytest.raises(ApiError):
        world.a.api.pay(claim_id, "50000.00", clock.today(), "TX-1")

    assert db.session.execute(select(OutboxEvent)).all() == []


def test_a_removed_endpoint_gets_nothing_more(world, receiver, first_claim):
    endpoint = world.a.api.register_webhook(receiver.url)
    receiver.secret = endpoint["secret"]
    claim_id = first_claim(world.a).public_id
    world.a.api.accept(claim_id)
    world.a.api.pay(claim_id, "50000.00", clock.today(), "TX-1")

    world.a.api.delete_webhook(endpoint["id"])
    events.deliver_due()

    assert world.a.api.list_webhooks() == []
    assert [d["status"] for d in world.a.api.deliveries()] == ["cancelled"]
    assert receiver.attempts == []


def test_an_endpoint_must_be_https(world, send, error_body):
    response = send("POST", f"{WEBHOOKS}/endpoints", world.a, body={"url": "http://x.test/"})

    assert list(error_body(response, 422, "invalid")["errors"]) == ["url"]


def test_the_secret_is_shown_once_and_kept_encrypted(app, world):
    app.config["WEBHOOK_ALLOW_HTTP"] = True
    registered = world.a.api.register_webhook("https://insurer.test/events")

    listed = world.a.api.list_webhooks()

    assert registered["secret"].startswith("whsec_")
    assert listed == [{k: v for k, v in registered.items() if k != "secret"}]
    row = db.session.execute(select(WebhookEndpoint)).scalar_one()
    assert registered["secret"].encode() not in row.secret_encrypted


# --- Another insurer's webhooks look like none ---------------------------------------------


@pytest.mark.parametrize("endpoint", ["delete", "replay", "list-endpoints", "list-deliveries"])
def test_another_insurers_webhooks_are_invisible(
    world, receiver, send, error_body, first_claim, endpoint
):
    registered = world.a.api.register_webhook(receiver.url)
    receiver.secret = registered["secret"]
    receiver.failures = 0
    claim_id = first_claim(world.a).public_id
    world.a.api.accept(claim_id)
    world.a.api.pay(claim_id, "50000.00", clock.today(), "TX-1")
    events.deliver_due()
    (delivery,) = world.a.api.deliveries()

    if endpoint == "delete":
        as_b = send("DELETE", f"{WEBHOOKS}/endpoints/{registered['id']}", world.b)
        error_body(as_b, 404, "not_found")
        assert [e["id"] for e in world.a.api.list_webhooks()] == [registered["id"]]
    elif endpoint == "replay":
        as_b = send("POST", f"{WEBHOOKS}/deliveries/{delivery['id']}/replay", world.b)
        error_body(as_b, 404, "not_found")
        assert len(list(world.a.api.deliveries())) == 1
    elif endpoint == "list-endpoints":
        assert world.b.api.list_webhooks() == []
    else:
        assert list(world.b.api.deliveries()) == []
