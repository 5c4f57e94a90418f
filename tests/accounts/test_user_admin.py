"""User administration: the admin creates accounts, changes roles, deactivates, resets."""

from __future__ import annotations

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from relief.accounts.models import Role, User
from relief.accounts.passwords import verify_password
from relief.core.audit import AuditEntry
from relief.extensions import db
from tests.factories import PASSWORD, csrf_token, login, make_user

NEW_PASSWORD = "Neue-Passwort-2027"


@pytest.fixture
def admin(app):
    return make_user("admin", Role.ADMIN)


def user_named(username: str) -> User:
    db.session.expire_all()
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def test_admin_creates_a_judge(client, admin):
    db.session.commit()
    login(client, "admin")

    response = client.post(
        "/admin/users/",
        data={
            "username": "wangfang",
            "display_name": "王芳",
            "role": "judge",
            "password": NEW_PASSWORD,
            "csrf_token": csrf_token(client, "/admin/users/"),
        },
    )

    assert response.status_code == 302
    judge = user_named("wangfang")
    assert (judge.role, judge.display_name) == (Role.JUDGE, "王芳")
    assert verify_password(judge.password_hash, NEW_PASSWORD)


def test_a_weak_password_is_refused_next_to_the_field(client, admin):
    db.session.commit()
    login(client, "admin")

    response = client.post(
        "/admin/users/",
        data={
            "username": "weak",
            "display_name": "弱",
            "role": "clerk",
            "password": "short",
            "csrf_token": csrf_token(client, "/admin/users/"),
        },
    )

    assert response.status_code == 422
    assert "密码至少需要" in response.get_data(as_text=True)
    assert db.session.execute(select(User).where(User.username == "weak")).first() is None


def test_deactivating_ends_the_users_open_session(client, app, admin):
    clerk = make_user("clerk", Role.CLERK)
    db.session.commit()
    clerk_client = app.test_client()
    login(clerk_client, "clerk")
    assert clerk_client.get("/cases/").status_code == 200

    login(client, "admin")
    url = f"/admin/users/{clerk.id}"
    response = client.post(
        url,
        data={"display_name": "书记员", "role": "clerk", "csrf_token": csrf_token(client, url)},
    )  # "active" unticked

    assert response.status_code == 302
    assert not user_named("clerk").active
    assert clerk_client.get("/cases/").status_code == 302  # back to the login page


def test_changing_a_role_takes_effect_and_is_audited(client, admin):
    clerk = make_user("clerk", Role.CLERK)
    db.session.commit()
    login(client, "admin")
    url = f"/admin/users/{clerk.id}"

    client.post(
        url,
        data={
            "display_name": "书记员",
            "role": "approver",
            "active": "1",
            "csrf_token": csrf_token(client, url),
        },
    )

    assert user_named("clerk").role == Role.APPROVER
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "user.changed")
    ).scalar_one()
    assert entry.details == {"role": ["clerk", "approver"]}
    assert entry.actor == f"user:{admin.id}"


def test_an_admin_cannot_demote_themselves(client, admin):
    db.session.commit()
    login(client, "admin")
    url = f"/admin/users/{admin.id}"

    response = client.post(
        url,
        data={
            "display_name": "管理员",
            "role": "clerk",
            "active": "1",
            "csrf_token": csrf_token(client, url),
        },
    )

    assert response.status_code == 422
    assert "不能停用自己的账号" in response.get_data(as_text=True)
    assert user_named("admin").role == Role.ADMIN


def test_insurer_staff_need_an_insurer(client, admin):
    db.session.commit()
    login(client, "admin")

    response = client.post(
        "/admin/users/",
        data={
            "username": "picc2",
            "display_name": "人保",
            "role": "insurer",
            "password": NEW_PASSWORD,
            "csrf_token": csrf_token(client, "/admin/users/"),
        },
    )

    assert response.status_code == 422
    assert "保险公司人员必须关联保险公司。" in response.get_data(as_text=True)


def test_password_reset_checks_strength_and_replaces_the_old_one(client, admin):
    clerk = make_user("clerk", Role.CLERK)
    db.session.commit()
    login(client, "admin")
    url = f"/admin/users/{clerk.id}"

    weak = client.post(
        f"{url}/password", data={"password": "aaaaaaaaaaaa", "csrf_token": csrf_token(client, url)}
    )
    assert weak.status_code == 422

    client.post(
        f"{url}/password", data={"password": NEW_PASSWORD, "csrf_token": csrf_token(client, url)}
    )
    clerk = user_named("clerk")
    assert verify_password(clerk.password_hash, NEW_PASSWORD)
    assert not verify_password(clerk.password_hash, PASSWORD)


@pytest.mark.parametrize("role", [Role.CLERK, Role.JUDGE, Role.APPROVER])
def test_only_admins_reach_user_administration(client, app, role):
    make_user("someone", role)
    db.session.commit()
    login(client, "someone")

    assert client.get("/admin/users/").status_code == 403
    assert client.get("/admin/holidays/").status_code == 403


def test_sessions_expire_after_the_configured_lifetime(client, app, admin, monkeypatch):
    db.session.commit()
    login(client, "admin")
    assert client.get("/admin/users/").status_code == 200

    # the signed session cookie carries its signing time; nine hours on it is past 8 hours
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600
    real_clock = TimestampSigner.get_timestamp
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda signer: real_clock(signer) + 9 * 3600
    )
    assert client.get("/admin/users/").status_code == 302
