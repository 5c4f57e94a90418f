"""The bounty over HTTP: clerk files, judge decides and verifies, approver signs, insurer pays."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from insurer_api.signing import sign_request
from relief.bounties import operations, rules
from relief.bounties.models import (
    Bounty,
    BountyPayout,
    BountyStatus,
    EndReason,
    InsuranceStatus,
    PayoutStatus,
    Tip,
)
from relief.cases.models import MeasureKind
from relief.cases.operations import measures_of, record_recovery
from relief.cases.timeline import case_timeline
from relief.core import clock
from relief.core.audit import AuditEntry
from relief.documents.models import DocumentKind, IssuedDocument
from relief.extensions import db
from tests.bounties.conftest import LEAD, TIPSTER_ID, TIPSTER_NAME, TIPSTER_PHONE
from tests.factories import csrf_token, login, logout, make_case


def api(client, world, method, path, body=None, *, other=False, if_match=None):
    """A request signed with the insurer's key (or the other insurer's)."""
    key_id, secret = (
        (world.other_key_id, world.other_secret) if other else (world.key_id, world.secret)
    )
    data = json.dumps(body).encode() if body is not None else b""
    headers = sign_request(method, path, {}, data, key_id, secret)
    headers["Content-Type"] = "application/json"
    if method == "POST":
        headers["Idempotency-Key"] = str(uuid.uuid4())
    if if_match:
        headers["If-Match"] = if_match
    return client.open(path, method=method, headers=headers, data=data)


def a_tip(world) -> Tip:
    tip, _ = operations.submit_tip(
        world.bounty, LEAD, operations.Tipster(TIPSTER_NAME, TIPSTER_ID, TIPSTER_PHONE), []
    )
    db.session.commit()
    return tip


def insure(client, world) -> None:
    """The insurer quotes the default premium and issues a one-year policy through the API."""
    path = f"/api/v1/bounties/{world.bounty.public_id}"
    etag = api(client, world, "GET", path).headers["ETag"]
    quoted = api(client, world, "POST", path + "/quote", {}, if_match=etag)
    assert quoted.status_code == 200, quoted.get_data(as_text=True)
    issued = api(
        client,
        world,
        "POST",
        path + "/policy",
        {"policy_number": "PICC-XS-2025-001"},
        if_match=quoted.headers["ETag"],
    )
    assert issued.status_code == 200, issued.get_data(as_text=True)


# --- Filing and deciding -------------------------------------------------------------------


def test_the_clerk_files_and_sees_the_decision_deadline(world, client):
    case = make_case()
    db.session.commit()
    login(client, "clerk")
    path = f"/staff/bounties/new?case_id={case.public_id}"
    form = client.get(path).get_data(as_text=True)
    assert str(rules.decision_due(clock.today()).due) in form

    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "party": str(case.applicant.id),
            "insurer": str(world.insurer.id),
            "kind": "property",
            "method": "percentage",
            "rate": "10",
            "cap": "100,000",
            "channels": ["national_platform", "notice_board"],
            "undertaking": "true",
            "filed_on": clock.today().isoformat(),
        },
    )

    assert response.status_code == 302
    db.session.expire_all()
    bounty = db.session.execute(select(Bounty).where(Bounty.case_id == case.id)).scalar_one()
    assert bounty.rate == Decimal("0.1000")
    assert bounty.decision_due_on == rules.decision_due(clock.today()).due
    assert bounty.status == BountyStatus.FILED


def test_terms_over_the_contract_cap_are_refused_beside_the_field(world, client):
    case = make_case()
    db.session.commit()
    login(client, "clerk")
    path = f"/staff/bounties/new?case_id={case.public_id}"

    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "party": str(case.applicant.id),
            "insurer": str(world.insurer.id),
            "kind": "whereabouts",
            "method": "fixed",
            "fixed_amount": "12000",
            "channels": ["notice_board"],
            "undertaking": "true",
            "filed_on": clock.today().isoformat(),
        },
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "被执行人下落线索悬赏金额不得超过保险合同约定的上限¥10,000.00" in page
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Bounty.id)).where(Bounty.case_id == case.id)) == 0


def test_the_judge_grants_and_the_notice_is_issued_and_published(world, client, app):
    case = make_case()
    db.session.commit()
    bounty = operations.file_bounty(
        case,
        case.applicant,
        world.insurer,
        operations.NewBounty(
            rules.BountyKind.WHEREABOUTS,
            rules.AmountMethod.FIXED,
            Decimal("8000"),
            None,
            None,
            ["notice_board"],
            True,
            "",
            clock.today(),
        ),
        clerk=world.clerk,
    )
    db.session.commit()
    assert client.get(f"/bounties/{bounty.public_id}").status_code == 404

    login(client, "judge")
    path = f"/staff/bounties/{bounty.public_id}"
    response = client.post(path + "/grant", data={"csrf_token": csrf_token(client, path)})

    assert response.status_code == 302
    db.session.expire_all()
    bounty = db.session.get(Bounty, bounty.id)
    assert bounty.status == BountyStatus.GRANTED
    assert bounty.decided_by_id == world.judge.id
    notice = db.session.get(IssuedDocument, bounty.notice_document_id)
    assert notice.kind == DocumentKind.BOUNTY_NOTICE
    assert notice.data["terms_text"] == "悬赏金额¥8,000.00"
    assert client.get(f"/bounties/{bounty.public_id}").status_code == 200

    # the grant counts as an investigation measure and shows on the case's timeline
    [measure] = measures_of(bounty.case)
    assert (measure.kind, measure.reference) == (MeasureKind.BOUNTY, f"bounty:{bounty.public_id}")
    with app.test_request_context():
        labels = [str(event.label) for event in case_timeline(bounty.case)]
    assert "准许悬赏并发布悬赏公告" in labels


# --- Tips ----------------------------------------------------------------------------------


def test_only_the_deciding_judge_sees_a_tipster_and_every_view_is_recorded(world, client):
    tip = a_tip(world)
    path = f"/staff/bounties/tips/{tip.public_id}"

    login(client, "judge2")
    assert client.get(path).status_code == 403
    bounty_page = client.get(f"/staff/bounties/{world.bounty.public_id}").get_data(as_text=True)
    assert TIPSTER_NAME not in bounty_page
    logout(client)

    login(client, "approver")
    assert client.get(path).status_code == 403
    logout(client)

    login(client, "judge")
    home = client.get("/").get_data(as_text=True)
    assert "待核实的悬赏举报" in home and path in home
    page = client.get(path).get_data(as_text=True)
    assert TIPSTER_NAME in page and TIPSTER_ID in page and TIPSTER_PHONE in page
    client.get(path)

    db.session.expire_all()
    views = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "tip.identity_viewed", AuditEntry.subject == f"tip:{tip.public_id}"
        )
    ).all()
    assert [entry.actor for entry in views] == [f"user:{world.judge.id}"] * 2


def test_the_debtor_as_tipster_is_flagged_and_excluded_with_its_reason(world, client):
    tip, _ = operations.submit_tip(
        world.bounty,
        LEAD,
        operations.Tipster("蒋胜", world.case.respondent.id_number, TIPSTER_PHONE),
        [],
    )
    db.session.commit()
    assert tip.suspected_exclusion == rules.Exclusion.DEBTOR

    login(client, "judge")
    path = f"/staff/bounties/tips/{tip.public_id}"
    token = csrf_token(client, path)
    missing = client.post(path + "/mark", data={"csrf_token": token, "verdict": "excluded"})
    assert missing.status_code == 422
    assert "请选择举报人不得领取悬赏金的情形" in missing.get_data(as_text=True)

    client.post(
        path + "/mark", data={"csrf_token": token, "verdict": "excluded", "exclusion": "debtor"}
    )
    db.session.expire_all()
    outcome = operations.outcomes(db.session.get(Bounty, world.bounty.id))[tip.id]
    assert not outcome.payable
    assert "被执行人或其法定代表人" in outcome.reason


# --- Payout and the insurer ----------------------------------------------------------------


def test_a_verified_tip_is_paid_by_the_insurer_after_four_eyes(world, client):
    insure(client, world)
    first = a_tip(world)
    second = a_tip(world)  # the same lead, later

    login(client, "judge")
    first_path = f"/staff/bounties/tips/{first.public_id}"
    token = csrf_token(client, first_path)
    client.post(first_path + "/mark", data={"csrf_token": token, "verdict": "verified"})
    client.post(
        f"/staff/bounties/tips/{second.public_id}/mark",
        data={"csrf_token": token, "verdict": "verified", "same_lead_as": first.public_id},
    )
    recovered = client.post(
        first_path + "/recovery",
        data={"csrf_token": token, "amount": "120000", "received_on": clock.today().isoformat()},
    )
    assert recovered.status_code == 302

    # the later tip of the same lead is told why it is not paid, and cannot be proposed
    refused = client.post(
        f"/staff/bounties/tips/{second.public_id}/payout", data={"csrf_token": token}
    )
    assert refused.status_code == 422
    assert "同一线索已有更早登记的举报（第1号）" in refused.get_data(as_text=True)

    assert client.post(first_path + "/payout", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    payout = db.session.execute(select(BountyPayout)).scalar_one()
    assert payout.amount == Decimal("12000.00")  # 10% of 120,000, under the 50,000 cap

    # nothing of it reaches the insurer before the approver signs
    assert (
        api(client, world, "GET", f"/api/v1/bounty-payouts/{payout.public_id}").status_code == 404
    )
    # the judge may not sign it
    bounty_path = f"/staff/bounties/{world.bounty.public_id}"
    approve = f"/staff/bounties/payouts/{payout.public_id}/approve"
    assert client.post(approve, data={"csrf_token": token}).status_code == 403
    logout(client)

    login(client, "approver")
    signed = client.post(approve, data={"csrf_token": csrf_token(client, bounty_path)})
    assert signed.status_code == 302
    db.session.expire_all()
    payout = db.session.get(BountyPayout, payout.id)
    assert payout.status == PayoutStatus.APPROVED
    result = db.session.get(IssuedDocument, payout.result_document_id)
    assert result.kind == DocumentKind.BOUNTY_RESULT
    assert TIPSTER_NAME not in json.dumps(result.data, ensure_ascii=False)

    # the insurer sees the payout without the payee; another insurer sees nothing
    path = f"/api/v1/bounty-payouts/{payout.public_id}"
    read = api(client, world, "GET", path)
    assert read.get_json()["amount"] == "12000.00"
    assert TIPSTER_NAME not in read.get_data(as_text=True)
    assert api(client, world, "GET", path, other=True).status_code == 404
    assert api(client, world, "POST", path + "/payee", other=True).status_code == 404

    # the payee's identity only by a recorded act
    payee = api(client, world, "POST", path + "/payee")
    assert payee.get_json() == {
        "name": TIPSTER_NAME,
        "id_number": TIPSTER_ID,
        "phone": TIPSTER_PHONE,
    }
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == "payout.payee_disclosed")
        )
        == 1
    )

    etag = api(client, world, "GET", path).headers["ETag"]
    paid = api(
        client,
        world,
        "POST",
        path + "/payment",
        {
            "amount": "12000.00",
            "paid_on": clock.today().isoformat(),
            "transaction_reference": "T-1",
        },
        if_match=etag,
    )
    assert paid.status_code == 200, paid.get_data(as_text=True)
    assert paid.get_json()["status"] == "paid"


def test_the_insurer_quotes_ten_percent_and_another_insurer_cannot_touch_it(world, client):
    path = f"/api/v1/bounties/{world.bounty.public_id}"

    assert api(client, world, "GET", path, other=True).status_code == 404
    listed = api(client, world, "GET", "/api/v1/bounties").get_json()["items"]
    assert [item["id"] for item in listed] == [world.bounty.public_id]
    assert api(client, world, "GET", "/api/v1/bounties", other=True).get_json()["items"] == []

    insure(client, world)

    db.session.expire_all()
    bounty = db.session.get(Bounty, world.bounty.id)
    assert bounty.premium == Decimal("5000.00")  # 10% of the ¥50,000 maximum
    assert bounty.insurance_status == InsuranceStatus.INSURED
    assert bounty.policy_starts_on == clock.today()
    assert bounty.policy_ends_on == rules.add_months(clock.today(), 12) - timedelta(days=1)
    assert bounty.expires_on == bounty.policy_ends_on


def test_a_full_recovery_ends_the_bounty_and_the_public_page_says_so(world, client):
    record_recovery(world.case, world.case.unpaid_amount, clock.today())
    db.session.commit()

    db.session.expire_all()
    bounty = db.session.get(Bounty, world.bounty.id)
    assert bounty.status == BountyStatus.ENDED
    assert bounty.end_reason == EndReason.RECOVERED
    page = client.get(f"/bounties/{bounty.public_id}").get_data(as_text=True)
    assert "已结束：案件已全部执行到位" in page
    assert "我要举报" not in page


def test_a_withdrawn_bounty_is_ended_for_the_public(world, client):
    login(client, "clerk")
    path = f"/staff/bounties/{world.bounty.public_id}"
    client.post(path + "/withdraw", data={"csrf_token": csrf_token(client, path)})

    page = client.get(f"/bounties/{world.bounty.public_id}").get_data(as_text=True)
    assert "已结束：申请执行人已撤回悬赏" in page
