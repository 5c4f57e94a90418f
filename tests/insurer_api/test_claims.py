"""An insurer's system reads its claims, downloads the documents, accepts, rejects and pays."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from insurer_api.client import ApiError, InsurerClient
from insurer_api.concurrency import etag_for
from relief.assistance import operations
from relief.core import clock
from relief.core.audit import AuditEntry
from relief.extensions import db

CLAIMS = "/api/v1/claims"


def _paths(claim_id: str) -> list[tuple[str, str, dict | None]]:
    """Every endpoint that names a claim, with a valid body."""
    payment = {
        "amount": "50000.00",
        "paid_on": clock.today().isoformat(),
        "transaction_reference": "TX-1",
    }
    return [
        ("GET", f"{CLAIMS}/{claim_id}", None),
        ("GET", f"{CLAIMS}/{claim_id}/documents/relief_decision", None),
        ("GET", f"{CLAIMS}/{claim_id}/documents/relief_claim", None),
        ("POST", f"{CLAIMS}/{claim_id}/accept", None),
        ("POST", f"{CLAIMS}/{claim_id}/reject", {"reason": "不属于本公司承保范围。"}),
        ("POST", f"{CLAIMS}/{claim_id}/payment", payment),
    ]


# --- Reading -------------------------------------------------------------------------------


def test_an_insurer_lists_only_its_own_claims(world, first_claim):
    claims = list(world.a.api.list_claims())

    assert [claim["id"] for claim in claims] == [first_claim(world.a).public_id]


def test_a_claim_reads_as_the_insurer_needs_it(world, first_claim):
    claim = first_claim(world.a)

    answer = world.a.api.get_claim(claim.public_id)

    assert answer["status"] == "submitted"
    assert answer["amount"] == "50000.00"
    assert answer["policy_number"] == world.a.policy.policy_number
    assert answer["case_number"] == claim.application.case.case_number
    assert answer["court"] == "辽宁省盘锦市中级人民法院"
    assert answer["beneficiary"] == {
        "name": claim.application.party.name,
        "id_number_masked": "2111**********123X",
    }
    assert answer["submitted_at"].endswith("+00:00")
    assert answer["answered_at"] is None
    assert answer["payment"] is None
    assert answer["clawback_outstanding"] == "0.00"
    assert [document["kind"] for document in answer["documents"]] == [
        "relief_decision",
        "relief_claim",
    ]
    assert answer["documents"][0]["url"] == (
        f"http://relief.test{CLAIMS}/{claim.public_id}/documents/relief_decision"
    )


def test_the_list_filters_by_status(world, new_claim, first_claim):
    accepted = new_claim(world.a)
    db.session.commit()
    world.a.api.accept(accepted.public_id)

    submitted = [claim["id"] for claim in world.a.api.list_claims(status="submitted")]
    paid = list(world.a.api.list_claims(status="paid"))

    assert submitted == [first_claim(world.a).public_id]
    assert paid == []


def test_pages_of_one_claim_walk_through_all_claims(world, new_claim, send):
    made = [new_claim(world.a).public_id for _ in range(3)]
    db.session.commit()

    walked = [claim["id"] for claim in world.a.api.list_claims(page_size=1)]

    assert len(walked) == 4
    assert walked[1:] == made
    last_page = send("GET", CLAIMS, world.a, query={"limit": "4"}).get_json()
    assert last_page["next_cursor"] is None


def test_a_forged_cursor_is_refused(world, send, error_body):
    response = send("GET", CLAIMS, world.a, query={"cursor": "MTIz"})

    assert "cursor" in error_body(response, 422, "invalid")["errors"]


@pytest.mark.parametrize(
    ("query", "field"), [({"limit": "0"}, "limit"), ({"status": "lost"}, "status")]
)
def test_a_bad_list_query_names_its_field(world, send, error_body, query, field):
    response = send("GET", CLAIMS, world.a, query=query)

    assert list(error_body(response, 422, "invalid")["errors"]) == [field]


def test_the_documents_download_as_the_court_issued_them(world, first_claim):
    claim = first_claim(world.a)
    listed = world.a.api.get_claim(claim.public_id)["documents"]

    for document in listed:
        pdf = world.a.api.download_document(claim.public_id, document["kind"])
        assert pdf.startswith(b"%PDF")
        assert hashlib.sha256(pdf).hexdigest() == document["sha256"]


def test_a_download_is_a_pdf_attachment_no_cache_keeps(world, send, first_claim):
    claim = first_claim(world.a)

    response = send("GET", f"{CLAIMS}/{claim.public_id}/documents/relief_decision", world.a)

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("kind", ["collection_notice", "anything"])
def test_other_documents_are_not_downloadable(world, send, error_body, first_claim, kind):
    claim = first_claim(world.a)

    response = send("GET", f"{CLAIMS}/{claim.public_id}/documents/{kind}", world.a)

    error_body(response, 404, "not_found")


def test_a_claim_without_its_documents_answers_404_for_them(world, new_claim, send, error_body):
    claim = new_claim(world.a)
    db.session.commit()

    response = send("GET", f"{CLAIMS}/{claim.public_id}/documents/relief_decision", world.a)

    error_body(response, 404, "not_found")
    assert world.a.api.get_claim(claim.public_id)["documents"] == []


# --- Another insurer's claim looks like no claim -------------------------------------------


@pytest.mark.parametrize("endpoint", range(6))
def test_another_insurers_claim_answers_404_everywhere(
    world, send, error_body, first_claim, endpoint
):
    claim = first_claim(world.a)
    method, path, body = _paths(claim.public_id)[endpoint]
    unknown_method, unknown_path, _ = _paths("clm_does_not_exist")[endpoint]

    as_b = send(method, path, world.b, body=body)
    unknown = send(unknown_method, unknown_path, world.a, body=body)

    assert error_body(as_b, 404, "not_found") == error_body(unknown, 404, "not_found")
    db.session.refresh(claim)
    assert claim.status == "submitted"


# --- Answering -----------------------------------------------------------------------------


def test_the_insurer_accepts_then_pays_a_claim(world, first_claim):
    claim_id = first_claim(world.a).public_id
    today = clock.today()

    accepted = world.a.api.accept(claim_id)
    paid = world.a.api.pay(claim_id, Decimal("50000.00"), today, "PICC-2025-000187")

    assert accepted["status"] == "accepted"
    assert accepted["answered_at"].endswith("+00:00")
    assert paid["status"] == "paid"
    assert paid["payment"] == {
        "amount": "50000.00",
        "paid_on": today.isoformat(),
        "transaction_reference": "PICC-2025-000187",
    }
    assert paid["clawback_outstanding"] == "50000.00"
    actions = db.session.execute(
        select(AuditEntry.action, AuditEntry.actor).where(
            AuditEntry.subject == f"relief_claim:{claim_id}"
        )
    ).all()
    actor = f"insurer:{world.a.insurer.public_id}"
    assert [tuple(row) for row in actions] == [("claim.accepted", actor), ("claim.paid", actor)]


def test_the_insurer_rejects_a_claim_with_a_reason(world, first_claim):
    claim_id = first_claim(world.a).public_id

    rejected = world.a.api.reject(claim_id, "  保单不覆盖该案件。 ")

    assert rejected["status"] == "rejected"
    assert rejected["rejection_reason"] == "保单不覆盖该案件。"


def test_paying_another_amount_than_approved_is_a_conflict(world, first_claim):
    claim_id = first_claim(world.a).public_id
    world.a.api.accept(claim_id)

    with pytest.raises(ApiError) as refused:
        world.a.api.pay(claim_id, "49999.99", clock.today(), "TX-1")

    assert refused.value.status == 409
    assert refused.value.code == "conflict"
    assert list(refused.value.errors) == ["amount"]
    assert world.a.api.get_claim(claim_id)["status"] == "accepted"


def test_paying_a_rejected_claim_is_a_conflict(world, first_claim):
    claim_id = first_claim(world.a).public_id
    world.a.api.reject(claim_id, "材料不全。")

    with pytest.raises(ApiError) as refused:
        world.a.api.pay(claim_id, "50000.00", clock.today(), "TX-1")

    assert refused.value.status == 409
    assert world.a.api.get_claim(claim_id)["payment"] is None


def test_accepting_twice_is_a_conflict(world, first_claim):
    claim_id = first_claim(world.a).public_id
    world.a.api.accept(claim_id)

    with pytest.raises(ApiError) as refused:
        world.a.api.accept(claim_id)

    assert refused.value.status == 409


def test_a_transaction_reference_pays_only_one_claim(world, new_claim, first_claim):
    first = first_claim(world.a).public_id
    second = new_claim(world.a).public_id
    db.session.commit()
    for claim_id in (first, second):
        world.a.api.accept(claim_id)
    world.a.api.pay(first, "50000.00", clock.today(), "TX-SAME")

    with pytest.raises(ApiError) as refused:
        world.a.api.pay(second, "50000.00", clock.today(), "TX-SAME")

    assert refused.value.status == 409
    assert list(refused.value.errors) == ["transaction_reference"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"amount", "paid_on", "transaction_reference"}),
        (
            {"amount": 50000.0, "paid_on": "2025-13-01", "transaction_reference": ""},
            {"amount", "paid_on", "transaction_reference"},
        ),
        (
            {"amount": "50000.001", "paid_on": "today", "transaction_reference": "x" * 65},
            {"amount", "paid_on", "transaction_reference"},
        ),
        ({"amount": "-1", "paid_on": "2025-01-01", "transaction_reference": "T"}, {"amount"}),
        ({"amount": "NaN", "paid_on": "2025-01-01", "transaction_reference": "T"}, {"amount"}),
        ({"amount": "1.00", "paid_on": "2025-01-01", "transaction_reference": "T", "x": 1}, {"x"}),
    ],
)
def test_an_invalid_payment_names_every_field_at_fault(
    world, send, error_body, first_claim, body, fields
):
    claim = first_claim(world.a)
    world.a.api.accept(claim.public_id)

    response = send("POST", f"{CLAIMS}/{claim.public_id}/payment", world.a, body=body)

    errors = error_body(response, 422, "invalid")["errors"]
    assert set(errors) == fields
    assert all(isinstance(message, str) for messages in errors.values() for message in messages)


def test_a_payment_dated_tomorrow_is_refused(world, send, error_body, first_claim):
    claim = first_claim(world.a)
    world.a.api.accept(claim.public_id)
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    body = {"amount": "50000.00", "paid_on": tomorrow, "transaction_reference": "TX-1"}

    response = send("POST", f"{CLAIMS}/{claim.public_id}/payment", world.a, body=body)

    assert list(error_body(response, 422, "invalid")["errors"]) == ["paid_on"]


def test_a_reason_too_short_is_refused(world, send, error_body, first_claim):
    claim = first_claim(world.a)

    response = send("POST", f"{CLAIMS}/{claim.public_id}/reject", world.a, body={"reason": "不"})

    assert list(error_body(response, 422, "invalid")["errors"]) == ["reason"]


def test_a_body_that_is_not_json_is_refused(world, send, error_body, first_claim):
    claim = first_claim(world.a)

    response = send("POST", f"{CLAIMS}/{claim.public_id}/reject", world.a, body=b"{reason")

    error_body(response, 400, "bad_request")


def test_a_failure_inside_an_operation_leaves_nothing_behind(
    world, send, error_body, first_claim, monkeypatch, caplog
):
    claim = first_claim(world.a)
    real_accept = operations.accept_claim

    def accept_then_fail(claim, *, insurer):
        real_accept(claim, insurer=insurer)
        raise RuntimeError("disk full")

    monkeypatch.setattr(operations, "accept_claim", accept_then_fail)

    response = send("POST", f"{CLAIMS}/{claim.public_id}/accept", world.a, if_match=etag_for(claim))

    assert "disk full" not in json.dumps(error_body(response, 500, "internal_error"))
    db.session.refresh(claim)
    assert claim.status == "submitted"
    assert "unhandled error on API" in caplog.text


# --- The API as a whole --------------------------------------------------------------------


def test_every_api_failure_has_the_one_error_body(app, world, send, error_body, first_claim):
    claim = first_claim(world.a)

    wrong_method = send("DELETE", f"{CLAIMS}/{claim.public_id}", world.a)
    no_such_path = app.test_client().get("/api/v1/nothing-here")

    error_body(wrong_method, 405, "method_not_allowed")
    assert "GET" in wrong_method.headers["Allow"]
    error_body(no_such_path, 404, "not_found")


def test_the_staff_site_keeps_its_own_error_pages(app):
    response = app.test_client().get("/no-such-page")

    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_the_openapi_document_lists_the_paths_and_the_signature(app):
    response = app.test_client().get("/api/v1/openapi.json")

    spec = json.loads(response.get_data())
    assert response.status_code == 200
    assert {
        "/api/v1/claims",
        "/api/v1/claims/{claim_id}",
        "/api/v1/claims/{claim_id}/documents/{kind}",
        "/api/v1/claims/{claim_id}/accept",
        "/api/v1/claims/{claim_id}/reject",
        "/api/v1/claims/{claim_id}/payment",
    } <= set(spec["paths"])
    schemes = spec["components"]["securitySchemes"]
    assert {scheme["name"] for scheme in schemes.values()} == {
        "X-Relief-Key",
        "X-Relief-Timestamp",
        "X-Relief-Nonce",
        "X-Relief-Signature",
    }
    assert spec["security"] == [{name: [] for name in schemes}]
    amount = spec["components"]["schemas"]["PaymentIn"]["properties"]["amount"]
    assert amount["type"] == "string"


def test_the_client_speaks_real_http(app, world, first_claim):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base_url = f"http://127.0.0.1:{server.port}"
        api = InsurerClient(base_url, world.a.key_id, world.a.secret)
        claim_id = first_claim(world.a).public_id

        listed = [claim["id"] for claim in api.list_claims()]
        with pytest.raises(ApiError) as missing:
            api.get_claim("clm_does_not_exist")
    finally:
        server.shutdown()
        thread.join()

    assert listed == [claim_id]
    assert missing.value.status == 404
    assert missing.value.code == "not_found"
