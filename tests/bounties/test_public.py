"""The public side: notices, tips, receipts, and what never leaves the vault."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from relief import create_app
from relief.bounties import operations
from relief.bounties.models import Bounty, BountyStatus, Tip, TipAttachment
from relief.core import clock
from relief.extensions import db
from tests.bounties.conftest import (
    TIPSTER_ID,
    TIPSTER_NAME,
    TIPSTER_PHONE,
    pdf_upload,
    tip_form,
)
from tests.conftest import IsolatedClient
from tests.factories import csrf_token


def tip_path(bounty: Bounty) -> str:
    return f"/bounties/{bounty.public_id}/tip"


def submit(client, bounty: Bounty, **changes):
    token = csrf_token(client, tip_path(bounty))
    return client.post(tip_path(bounty), data=tip_form(token, **changes))


def tips_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Tip.id)))


# --- Notices -------------------------------------------------------------------------------


def test_the_list_finds_a_notice_by_debtor_name_court_and_amount(world, client):
    page = client.get("/bounties/?q=蒋胜").get_data(as_text=True)
    assert world.bounty.public_id in page
    assert "悬赏中" in page

    assert world.bounty.public_id not in client.get("/bounties/?q=无此人").get_data(as_text=True)
    court = world.case.court_id
    assert world.bounty.public_id in client.get(f"/bounties/?court={court}").get_data(as_text=True)
    assert world.bounty.public_id in client.get("/bounties/?min_amount=50000").get_data(
        as_text=True
    )
    assert world.bounty.public_id not in client.get("/bounties/?min_amount=50000.01").get_data(
        as_text=True
    )


def test_the_notice_page_shows_terms_debtor_and_deadline_with_no_staff_navigation(world, client):
    response = client.get(f"/bounties/{world.bounty.public_id}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "蒋胜（2111**********946X）" in page  # masked as published
    assert "¥300,000.00" in page  # outstanding
    assert "按通过该线索实际执行到位金额的10%计算，最高不超过¥50,000.00" in page
    assert str(world.bounty.expires_on) in page
    assert "执行案件" not in page and "司法救助" not in page  # no staff navigation
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_an_unpublished_bounty_has_no_public_page(world, client, app):
    world.bounty.status = BountyStatus.FILED
    db.session.commit()

    assert client.get(f"/bounties/{world.bounty.public_id}").status_code == 404


# --- Submitting a tip ----------------------------------------------------------------------


def test_a_tip_is_registered_and_its_receipt_shown_once_then_confirmed(world, client):
    response = submit(client, world.bounty)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/bounties/receipt")

    receipt = client.get("/bounties/receipt")
    page = receipt.get_data(as_text=True)
    assert receipt.headers["Cache-Control"] == "no-store"
    code = page.split("data-receipt>")[1].split("<")[0].strip()
    assert len(operations.normalise_receipt(code)) * 5 >= 80  # base32: 5 bits a character

    # the code is stored only as its hash
    db.session.expire_all()
    tip = db.session.execute(select(Tip)).scalar_one()
    assert tip.receipt_hash == operations.receipt_hash(code)
    assert tip.sequence == 1
    assert tip.receipt_confirmed_at is None

    # leaving without ticking the box is refused; ticking it confirms and forgets the code
    token = csrf_token(client, "/bounties/receipt")
    assert client.post("/bounties/receipt", data={"csrf_token": token}).status_code == 422
    client.post("/bounties/receipt", data={"csrf_token": token, "saved": "yes"})
    db.session.expire_all()
    assert db.session.get(Tip, tip.id).receipt_confirmed_at is not None
    assert client.get("/bounties/receipt").status_code == 302  # gone from the session


def test_the_receipt_code_shows_the_status_and_lets_the_tipster_add_information(world, client):
    submit(client, world.bounty)
    code = client.get("/bounties/receipt").get_data(as_text=True).split("data-receipt>")[1]
    code = code.split("<")[0].strip()

    # typed in lower case and without the hyphens, it still works
    token = csrf_token(client, "/bounties/status")
    typed = operations.normalise_receipt(code).lower()
    page = client.post("/bounties/status", data={"csrf_token": token, "code": typed})
    assert page.status_code == 200
    assert "已登记，正在审查" in page.get_data(as_text=True)
    assert TIPSTER_NAME not in page.get_data(as_text=True)

    added = client.post(
        "/bounties/status/add",
        data={"csrf_token": token, "code": code, "text": "车辆晚上十点后停在3号楼下。"},
    )
    assert added.status_code == 200
    db.session.expire_all()
    assert len(db.session.execute(select(Tip)).scalar_one().additions) == 1


def test_a_wrong_receipt_code_reveals_nothing(world, client):
    submit(client, world.bounty)

    token = csrf_token(client, "/bounties/status")
    for wrong in ("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", "short", ""):
        response = client.post("/bounties/status", data={"csrf_token": token, "code": wrong})
        page = response.get_data(as_text=True)
        assert response.status_code == 404
        assert "回执码不正确" in page
        assert "第1号" not in page

    added = client.post(
        "/bounties/status/add",
        data={"csrf_token": token, "code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", "text": "补充"},
    )
    assert added.status_code == 404
    db.session.expire_all()
    assert db.session.execute(select(Tip)).scalar_one().additions == []


def test_a_tip_on_an_expired_bounty_is_refused_and_nothing_is_stored(world, client):
    world.bounty.expires_on = clock.today() - timedelta(days=1)
    db.session.commit()

    notice = client.get(f"/bounties/{world.bounty.public_id}").get_data(as_text=True)
    assert "已过期" in notice
    assert "我要举报" not in notice

    token = csrf_token(client, "/bounties/status")
    response = client.post(tip_path(world.bounty), data=tip_form(token))

    assert response.status_code == 422
    assert "本悬赏已结束，不再接受举报。" in response.get_data(as_text=True)
    assert tips_count() == 0


def test_a_tip_with_a_forged_attachment_type_is_refused_and_nothing_is_stored(world, client, app):
    token = csrf_token(client, tip_path(world.bounty))
    form = tip_form(token)
    form["attachments"] = [pdf_upload("photo.jpg", b"<html><script>alert(1)</script></html>")]

    response = client.post(tip_path(world.bounty), data=form, content_type="multipart/form-data")

    assert response.status_code == 422
    assert "只接受PDF、JPEG或PNG文件" in response.get_data(as_text=True)
    assert tips_count() == 0
    assert db.session.scalar(select(func.count(TipAttachment.id))) == 0
    stored = Path(app.config["UPLOAD_FOLDER"]) / "tips"
    assert not stored.exists() or not any(stored.iterdir())


def test_a_real_pdf_attachment_is_kept_with_its_sniffed_type(world, client):
    token = csrf_token(client, tip_path(world.bounty))
    form = tip_form(token)
    form["attachments"] = [pdf_upload("车辆.pdf")]

    assert client.post(tip_path(world.bounty), data=form).status_code == 302
    db.session.expire_all()
    attachment = db.session.execute(select(TipAttachment)).scalar_one()
    assert attachment.content_type == "application/pdf"


def test_invalid_tipster_details_are_named_beside_their_fields(world, client):
    response = submit(client, world.bounty, id_number="110101199003074515", phone="12345", agree="")
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert "公民身份号码校验位不正确" in page
    assert "请输入11位中国大陆手机号码" in page
    assert "请确认所提供的信息真实" in page
    assert tips_count() == 0


def test_a_tip_without_a_csrf_token_is_refused(world, client):
    form = tip_form("")
    del form["csrf_token"]

    response = client.post(tip_path(world.bounty), data=form)

    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert tips_count() == 0


# --- Confidentiality -----------------------------------------------------------------------


def test_tipster_identity_is_neither_in_the_database_in_clear_nor_in_the_logs(
    world, client, caplog
):
    caplog.set_level(logging.DEBUG)

    assert submit(client, world.bounty).status_code == 302

    # every column of the row as the database holds it
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM bounty_tips")).all()
        audit = connection.execute(text("SELECT details FROM audit_entries")).all()
    assert len(rows) == 1
    raw = " ".join(
        value.decode("latin-1") if isinstance(value, bytes | memoryview) else str(value)
        for row in rows
        for value in (bytes(v) if isinstance(v, memoryview) else v for v in row)
    )
    for secret in (TIPSTER_ID, TIPSTER_NAME, TIPSTER_PHONE, "辽L12345"):
        assert secret not in raw
        assert secret not in " ".join(str(details) for (details,) in audit)
        assert secret not in caplog.text


# --- Flood ---------------------------------------------------------------------------------


def test_a_flood_of_tips_is_refused_with_a_message_and_nothing_stored(world, app):
    limited = create_app(
        {
            **{key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER")},
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "BOUNTY_LIMIT_PER_ADDRESS": "2 per minute",
        }
    )
    limited.test_client_class = IsolatedClient
    client = limited.test_client()

    try:
        answers = [submit(client, world.bounty).status_code for _ in range(3)]
        refused = submit(client, world.bounty)
    finally:
        with limited.app_context():
            db.engine.dispose()  # the second app's own connections

    assert answers == [302, 302, 429]
    assert "提交过于频繁，请稍后再试。本次提交未被保存。" in refused.get_data(as_text=True)
    assert tips_count() == 2


def test_a_receipt_code_typed_with_lookalike_digits_and_spaces_reads_the_same():
    assert operations.normalise_receipt("o1 8b-zz2q") == "OIBBZZ2Q"
    assert operations.receipt_hash("oi8b zz2q") == operations.receipt_hash("OIBB-ZZ2Q")
