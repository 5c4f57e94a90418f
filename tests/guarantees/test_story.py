"""A preservation over HTTP: the clerk files, the insurer guarantees through the API, the
letter is read back from its PDF, the judge accepts and rules, the measure is carried out
and released, and the insurer stays exposed while its liability lasts."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from relief.accounts.models import Role
from relief.core import clock
from relief.extensions import db
from relief.guarantees.models import Guarantee, GuaranteeStatus
from tests.factories import csrf_token, login, logout, make_case, make_user
from tests.guarantees.conftest import api


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_guarantee_from_application_to_release(world, client):
    case = make_case()
    make_user("judge2", Role.JUDGE)
    db.session.commit()
    case_number, court_id, case_id = case.case_number, case.court_id, case.public_id
    today = clock.today().isoformat()

    # the clerk files; a wrong identity number is refused next to its field, nothing is kept
    login(client, "clerk")
    form = {
        "court": str(court_id),
        "kind": "before_enforcement",
        "case_number": case_number,
        "amount": "200,000",
        "property_kind": "real_estate",
        "property_description": "被保全人名下盘锦市兴隆台区房产一套",
        "insurer": str(world.a.insurer.id),
        "applicant_kind": "person",
        "applicant_name": "侯平华",
        "applicant_id_number": "211103196907273165",
        "respondent_kind": "person",
        "respondent_name": "蒋胜",
        "respondent_id_number": "211103199201139461",
        "filed_on": today,
    }
    refused = client.post(
        "/guarantees/new", data={**form, "csrf_token": csrf_token(client, "/guarantees/new")}
    )
    assert refused.status_code == 422
    assert "校验" in refused.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Guarantee.id))) == 0

    form["respondent_id_number"] = "21110319920113946X"
    filed = client.post(
        "/guarantees/new", data={**form, "csrf_token": csrf_token(client, "/guarantees/new")}
    )
    assert filed.status_code == 302, filed.get_data(as_text=True)
    path = filed.headers["Location"]
    page = client.get(path).get_data(as_text=True)
    assert "¥60,000.00" in page  # security: at most 30% of 200,000
    assert "¥1,520.00" in page  # fee: 30 + 990 + 0.5% × 100,000
    logout(client)

    # the insurer quotes and issues the letter through the partner API
    insurer = api(client, world.a)
    (request,) = insurer.list_guarantees(status="requested")
    assert insurer.quote_guarantee(request["id"])["premium"] == "500.00"
    insurer.issue_guarantee(
        request["id"],
        {
            "policy_number": "PICC-BQ-2025-0042",
            "letter_number": "BH-2025-0042",
            "applicant": {"name": "侯平华", "id_number": "211103196907273165"},
            "respondent": {"name": "蒋胜", "id_number": "21110319920113946X"},
            "guaranteed_amount": "200000.00",
            "irrevocable": True,
            "compensation_undertaking": True,
        },
    )
    text = pdf_text(insurer.download_letter(request["id"]))
    for words in (
        "诉讼财产保全担保书",
        "侯平华",
        "蒋胜",
        "人民币贰拾万元整",
        "不可撤销",
        "担保金额范围内承担赔偿责任",
        "PICC-BQ-2025-0042",
        "扫码核验",
    ):
        assert words in re.sub(r"\s+", "", text), words
    assert "21110319920113946X" not in text

    # anyone holding the paper can check it on the public verification page
    token = re.search(r"/verify/([A-Za-z0-9_-]+)", re.sub(r"\s+", "", text)).group(1)
    verified = client.get(f"/verify/{token}")
    assert verified.status_code == 200
    assert "诉讼财产保全担保书" in verified.get_data(as_text=True)

    # the judge accepts the guarantee and orders the preservation
    login(client, "judge")
    for action, data in (
        ("accept", {"reason": "保函要素齐全。"}),
        ("rule", {"granted": "true", "ruled_on": today}),
    ):
        done = client.post(
            f"{path}/{action}", data={**data, "csrf_token": csrf_token(client, path)}
        )
        assert done.status_code == 302, done.get_data(as_text=True)
    assert "裁定期限" in client.get(path).get_data(as_text=True)
    logout(client)

    # the clerk records the seizure; the expiry (3 years for real estate) is shown
    login(client, "clerk")
    done = client.post(
        f"{path}/execute", data={"executed_on": today, "csrf_token": csrf_token(client, path)}
    )
    assert done.status_code == 302
    assert "保全措施到期日" in client.get(path).get_data(as_text=True)
    logout(client)

    # the judge lifts it: the insurer's liability runs on
    login(client, "judge")
    released = client.post(
        f"{path}/release",
        data={
            "ground": "counter_security",
            "released_on": today,
            "csrf_token": csrf_token(client, path),
        },
    )
    assert released.status_code == 302, released.get_data(as_text=True)
    page = client.get(path).get_data(as_text=True)
    assert "保险责任期间至" in page
    logout(client)

    db.session.expire_all()
    guarantee = db.session.execute(select(Guarantee)).scalar_one()
    assert guarantee.status == GuaranteeStatus.RELEASED
    assert insurer.exposure()["exposure"] == "200000.00"
    assert insurer.get_guarantee(request["id"])["liability_ends_on"] == (
        guarantee.liability_ends_on.isoformat()
    )
    assert api(client, world.b).list_guarantees() == []

    # the court sees the exposure on its list, and the guarantee on the case's timeline
    login(client, "approver")
    listing = client.get("/guarantees/").get_data(as_text=True)
    assert "¥200,000.00" in listing
    case_page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    for label in ("提交财产保全申请", "保险公司出具保单保函", "诉讼财产保全担保书", "解除保全"):
        assert label in case_page, label
