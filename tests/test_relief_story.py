"""The whole relief story over HTTP, as the people involved live it.

A clerk imports the court's export and files an application, a judge proposes, an approver
approves, the insurer accepts and pays through the partner API, and a later recovery
claws the relief back for the insurer.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from insurer_api.client import InsurerClient
from relief.accounts.models import Role
from relief.assistance.models import ApplicationStatus, ClaimStatus, ReliefApplication
from relief.cases.models import EnforcementCase, Outcome, PartyKind
from relief.core import clock
from relief.extensions import db
from tests.conftest import SAMPLE_EXPORT
from tests.factories import csrf_token, load_liaoning_wages, login, logout, make_insurer, make_user

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def embedded_fonts(pdf: bytes) -> set[str]:
    """The base names of the fonts embedded in every page of a PDF."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_relief_claim_from_export_to_clawback(app, client):
    _, policy, key_id, secret = make_insurer("人保盘锦")
    _, _, other_key, other_secret = make_insurer("中华联合盘锦")
    for username, role in [
        ("clerk", Role.CLERK),
        ("judge", Role.JUDGE),
        ("approver", Role.APPROVER),
    ]:
        make_user(username, role)
    load_liaoning_wages()
    db.session.commit()

    # the clerk imports the court's export through the upload page and confirms it
    login(client, "clerk")
    token = csrf_token(client, "/cases/import/")
    preview = client.post(
        "/cases/import/",
        data={"file": (SAMPLE_EXPORT.open("rb"), "export.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "确认导入" in page
    assert db.session.scalar(select(db.func.count(EnforcementCase.id))) == 0

    confirm_form = re.search(r'action="([^"]+)"', page.split("确认导入")[0].rsplit("<form", 1)[1])
    upload_token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    confirmed = client.post(
        confirm_form.group(1),
        data={"token": upload_token, "csrf_token": csrf_token(client, "/cases/import/")},
    )
    assert confirmed.status_code == 302
    assert db.session.scalar(select(db.func.count(EnforcementCase.id))) == 300

    # a terminated case of a natural person with money still owed
    case = next(
        case
        for case in db.session.execute(
            select(EnforcementCase)
            .where(EnforcementCase.outcome == Outcome.TERMINATED_ROUND)
            .order_by(EnforcementCase.id)
        ).scalars()
        if case.applicant.kind == PartyKind.PERSON and case.unpaid_amount > Decimal("80000")
    )
    case_number, case_id, unpaid = case.case_number, case.public_id, case.unpaid_amount

    # the clerk files the application with a proof of hardship
    new_path = f"/relief/new?case_id={case_id}"
    filed = client.post(
        new_path,
        data={
            "csrf_token": csrf_token(client, new_path),
            "party": str(case.applicant.id),
            "policy": str(policy.id),
            "category": "tort_injury",
            "household_size": "3",
            "household_monthly_income": "1,200.00",
            "compensation_received": "0",
            "amount_requested": "60000",
            "filed_on": clock.today().isoformat(),
            "circumstances": "交通事故致二级伤残，无劳动能力。",
            "proof_hardship": (io.BytesIO(MINIMAL_PDF), "困难证明.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert filed.status_code == 302, filed.get_data(as_text=True)
    application_path = filed.headers["Location"]
    application = db.session.execute(select(ReliefApplication)).scalar_one()
    assert application.status == ApplicationStatus.FILED

    # the eligibility check is on the page, with its reasons and the cap
    page = client.get(application_path).get_data(as_text=True)
    assert "符合条件" in page
    assert "可救助上限" in page
    logout(client)

    # the judge proposes 50,000
    login(client, "judge")
    proposed = client.post(
        application_path + "/propose",
        data={
            "csrf_token": csrf_token(client, application_path),
            "amount": "50000",
            "reason": "申请人因交通事故致残，被执行人无财产可供执行。",
        },
    )
    assert proposed.status_code == 302, proposed.get_data(as_text=True)
    # ...and cannot approve it himself
    refused = client.post(
        application_path + "/approve",
        data={"csrf_token": csrf_token(client, application_path)},
    )
    assert refused.status_code == 403
    logout(client)

    # the approver approves: the decision and the claim letter are issued
    login(client, "approver")
    approved = client.post(
        application_path + "/approve",
        data={"csrf_token": csrf_token(client, application_path), "reason": "同意。"},
    )
    assert approved.status_code == 302, approved.get_data(as_text=True)
    logout(client)

    # the insurer sees the claim through the partner API; the other insurer does not
    insurer = InsurerClient.for_flask_test_client(client, key_id, secret)
    claims = list(insurer.list_claims(status="submitted"))
    assert len(claims) == 1
    claim = claims[0]
    assert claim["amount"] == "50000.00"
    assert claim["case_number"] == case_number
    stranger = InsurerClient.for_flask_test_client(client, other_key, other_secret)
    assert list(stranger.list_claims()) == []

    decision = insurer.download_document(claim["id"], "relief_decision")
    text = pdf_text(decision)
    assert case_number in text
    assert "人民币伍万元整" in text
    assert any("Noto" in name for name in embedded_fonts(decision))

    insurer.accept(claim["id"])
    paid = insurer.pay(
        claim["id"], amount="50000.00", paid_on=clock.today(), transaction_reference="PICC-0001"
    )
    assert paid["status"] == "paid"

    # the payment is on the case timeline, and the notice to collect exists
    login(client, "clerk")
    case_page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "保险公司支付救助金" in case_page
    assert "领取救助金通知书" in client.get(application_path).get_data(as_text=True)

    # money recovered later first repays the relief, owed back to the insurer
    recovered = client.post(
        f"/cases/{case_id}/recoveries",
        data={
            "csrf_token": csrf_token(client, f"/cases/{case_id}"),
            "amount": "20,000.00",
            "received_on": clock.today().isoformat(),
        },
    )
    assert recovered.status_code == 302, recovered.get_data(as_text=True)
    after = insurer.get_claim(claim["id"])
    assert after["clawback_outstanding"] == "30000.00"
    db.session.expire_all()  # the requests changed rows this session has loaded
    case = db.session.execute(
        select(EnforcementCase).where(EnforcementCase.public_id == case_id)
    ).scalar_one()
    assert case.unpaid_amount == unpaid - Decimal("20000.00")
    application = db.session.execute(select(ReliefApplication)).scalar_one()
    assert application.claim.status == ClaimStatus.PAID
    assert application.claim.clawed_back == Decimal("20000.00")
