"""The clerk uploads a court's export, reads the preview and confirms the import."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from relief.accounts.models import Role
from relief.cases.models import EnforcementCase
from relief.extensions import db
from tests.conftest import SAMPLE_EXPORT
from tests.factories import csrf_token, login, make_user

FORM = "/cases/import/"


def count_cases() -> int:
    return db.session.scalar(select(func.count(EnforcementCase.id)))


def sign_in(client, role: Role = Role.CLERK) -> None:
    make_user(role.value, role)
    db.session.commit()
    login(client, role.value)


def upload(client, content: bytes, filename: str = "export.csv"):
    return client.post(
        FORM,
        data={"file": (io.BytesIO(content), filename), "csrf_token": csrf_token(client, FORM)},
        content_type="multipart/form-data",
    )


def stored_uploads(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def confirm(client, token: str):
    return client.post(
        f"{FORM}confirm", data={"token": token, "csrf_token": csrf_token(client, FORM)}
    )


def test_only_clerks_and_admins_may_import(app, client):
    assert client.get(FORM).status_code == 302  # to the login page

    sign_in(client, Role.JUDGE)
    assert client.get(FORM).status_code == 403


@pytest.mark.parametrize("role", [Role.CLERK, Role.ADMIN])
def test_upload_form(app, client, role):
    sign_in(client, role)
    page = client.get(FORM)
    assert page.status_code == 200
    assert 'type="file"' in page.get_data(as_text=True)


def test_preview_then_confirm(app, client):
    sign_in(client)

    preview = upload(client, SAMPLE_EXPORT.read_bytes(), "盘锦导出.csv")

    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', page))
    assert counts == {"imported": "300", "updated": "0", "unchanged": "1", "rejected": "5"}
    assert "与第208行案号重复但内容不同" in page
    assert "确认导入" in page
    assert count_cases() == 0

    # stored under a random token, never under the client's filename
    [stored] = stored_uploads(app)
    assert stored.read_bytes() == SAMPLE_EXPORT.read_bytes()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert stored.name == token

    confirmed = confirm(client, token)

    assert confirmed.status_code == 302
    assert confirmed.headers["Location"].endswith("/cases/")
    assert count_cases() == 300
    assert stored_uploads(app) == []
    with client.session_transaction() as session:
        assert ("warning", "导入完成：导入 300，更新 0，未变 1，拒绝 5。") in session["_flashes"]

    # the same token cannot be confirmed twice
    assert confirm(client, token).status_code == 404


@pytest.mark.parametrize("token", ["../../etc/passwd", "a" * 10, "x" * 32, "bad token with spaces"])
def test_unknown_or_malformed_tokens_are_not_found(app, client, token):
    sign_in(client)
    assert confirm(client, token).status_code == 404


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"a,b\n1,2\n", "export.txt", "只能导入 CSV 或 XLSX"),
        (b"PK\x03\x04" + b"\x00" * 100, "export.csv", "文件内容与扩展名不符"),
        ("案号,执行法院\n".encode(), "export.xlsx", "文件内容与扩展名不符"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "export.csv", "不是文本文件"),
        ("案号,执行法院\n（2024）辽11执1号,盘锦\n".encode(), "export.csv", "缺少列"),
    ],
)
def test_refused_uploads_are_explained_and_not_kept(app, client, content, filename, message):
    sign_in(client)

    response = upload(client, content, filename)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored_uploads(app) == []


def test_missing_file(app, client):
    sign_in(client)
    response = client.post(FORM, data={"csrf_token": csrf_token(client, FORM)})
    assert response.status_code == 400
    assert "请选择要导入的文件" in response.get_data(as_text=True)


def test_nothing_to_confirm_keeps_no_copy(app, client):
    sign_in(client)
    assert confirm(client, _preview_token(client)).status_code == 302

    again = upload(client, SAMPLE_EXPORT.read_bytes())

    assert again.status_code == 200
    assert "确认导入" not in again.get_data(as_text=True)
    assert stored_uploads(app) == []


def _preview_token(client) -> str:
    page = upload(client, SAMPLE_EXPORT.read_bytes()).get_data(as_text=True)
    return re.search(r'name="token" value="([^"]+)"', page).group(1)
