"""The relief pages: bad input is named in Chinese and changes nothing; roles are enforced."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from relief.accounts.models import Role
from relief.assistance.models import (
    ApplicationStatus,
    ProofDocument,
    ReliefApplication,
    ReliefClaim,
)
from relief.core import clock
from relief.documents.models import IssuedDocument
from relief.extensions import db
from tests.factories import (
    csrf_token,
    load_liaoning_wages,
    login,
    make_case,
    make_insurer,
    make_user,
)

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def filing(app, client):
    """A clerk logged in, and a terminated case with a natural-person applicant."""
    _, policy, _, _ = make_insurer("人保盘锦")
    for username, role in [
        ("clerk", Role.CLERK),
        ("judge", Role.JUDGE),
        ("approver", Role.APPROVER),
    ]:
        make_user(username, role)
    load_liaoning_wages()
    case = make_case()
    db.session.commit()
    login(client, "clerk")
    path = f"/relief/new?case_id={case.public_id}"
    form = {
        "party": str(case.applicant.id),
        "policy": str(policy.id),
        "category": "tort_injury",
        "household_size": "3",
        "household_monthly_income": "1200",
        "compensation_received": "0",
        "amount_requested": "50000",
        "filed_on": clock.today().isoformat(),
    }
    return path, form


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount_requested", "abc", "请输入有效金额"),
        ("amount_requested", "0", "申请金额必须大于零"),
        ("amount_requested", "12.345", "最多两位小数"),
        ("household_size", "0", "家庭人口应为1至30人"),
        ("filed_on", "2999-01-01", "申请日期不能晚于今天"),
        ("filed_on", "yesterday", "日期格式应为"),
        ("category", "nobody", "请从列表中选择"),
        ("policy", "999", "请选择在保险期间内的救助保险保单"),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_saved(client, filing, field, value, message):
    path, form = filing

    response = client.post(
        path, data={**form, field: value, "csrf_token": csrf_token(client, path)}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    if field != "household_size":  # what the clerk typed elsewhere is kept
        assert 'name="household_size" type="number" value="3"' in page
    assert count(ReliefApplication) == 0


def test_a_proof_that_is_not_a_pdf_or_image_is_refused_and_no_file_is_left(app, client, filing):
    path, form = filing
    data = {
        **form,
        "csrf_token": csrf_token(client, path),
        "proof_hardship": (io.BytesIO(PDF), "证明.pdf"),
        "proof_other": (io.BytesIO(b"<svg onload=alert(1)>"), "x.pdf"),
    }

    response = client.post(path, data=data, content_type="multipart/form-data")

    assert response.status_code == 422
    assert "只接受PDF、JPEG或PNG文件" in response.get_data(as_text=True)
    assert count(ReliefApplication) == 0
    assert count(ProofDocument) == 0
    assert list((Path(app.config["UPLOAD_FOLDER"]) / "proofs").glob("*")) == []


def test_a_form_without_its_csrf_token_is_refused(client, filing):
    path, form = filing

    response = client.post(path, data=form)

    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert count(ReliefApplication) == 0


def test_a_judge_cannot_file_and_an_insurer_sees_no_staff_page(app, client, filing):
    path, _ = filing
    client.post("/logout", data={"csrf_token": csrf_token(client, "/relief/")})
    login(client, "judge")

    assert client.get(path).status_code == 403

    insurer, *_ = make_insurer("中华联合盘锦")
    make_user("insurer-staff", Role.INSURER, insurer)
    db.session.commit()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/relief/")})
    login(client, "insurer-staff")
    assert client.get("/relief/").status_code == 403
    assert client.get("/cases/").status_code == 403


def test_an_approval_whose_documents_fail_leaves_nothing_behind(app, client, filing, monkeypatch):
    path, form = filing
    filed = client.post(path, data={**form, "csrf_token": csrf_token(client, path)})
    application_path = filed.headers["Location"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/relief/")})
    login(client, "judge")
    client.post(
        application_path + "/propose",
        data={
            "amount": "50000",
            "reason": "因案致贫。",
            "csrf_token": csrf_token(client, application_path),
        },
    )
    client.post("/logout", data={"csrf_token": csrf_token(client, "/relief/")})
    login(client, "approver")

    def broken_renderer(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("relief.documents.operations.render_pdf", broken_renderer)
    response = client.post(
        application_path + "/approve", data={"csrf_token": csrf_token(client, application_path)}
    )

    assert response.status_code == 500
    assert "操作未生效" in response.get_data(as_text=True)
    assert "disk full" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert count(ReliefClaim) == 0
    assert count(IssuedDocument) == 0
    application = db.session.execute(select(ReliefApplication)).scalar_one()
    assert application.status == ApplicationStatus.PROPOSED
