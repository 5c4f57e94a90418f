"""Login lockout, security headers, cookie flags and production secrets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from relief import create_app
from relief.accounts.lockout import ACCOUNT_LIMIT, ADDRESS_LIMIT
from relief.accounts.models import Role
from relief.config import ConfigurationError
from relief.core.audit import AuditEntry
from relief.extensions import db
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, csrf_token, make_user

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def client_of(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


def attempt(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_token(client, "/login"),
        },
        environ_base={"REMOTE_ADDR": address},
    )


def test_an_account_is_locked_after_repeated_wrong_passwords(app):
    user = make_user("clerk", Role.CLERK)
    db.session.commit()
    client = client_of(app)
    for _ in range(ACCOUNT_LIMIT):
        assert attempt(client, "clerk", "wrong-password").status_code == 401

    # now even the right password is refused, from another address too, and it says why
    locked = attempt(client, "clerk", PASSWORD, address="10.0.0.2")

    assert locked.status_code == 429
    assert "登录失败次数过多，该账户已暂时锁定，请15分钟后再试。" in locked.get_data(as_text=True)
    entries = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "login.locked_out")
    ).scalars()
    assert [(e.subject, e.details["scope"]) for e in entries] == [(f"user:{user.id}", "account")]


def test_an_unknown_name_locks_exactly_like_a_real_one(app):
    # otherwise the lockout would tell an attacker which accounts exist
    client = client_of(app)
    for _ in range(ACCOUNT_LIMIT):
        attempt(client, "nobody", "wrong-password")

    assert attempt(client, "nobody", "wrong-password").status_code == 429


def test_an_address_is_locked_after_failures_on_many_accounts(app):
    make_user("judge", Role.JUDGE)
    db.session.commit()
    client = client_of(app)
    for n in range(ADDRESS_LIMIT):
        attempt(client, f"guess{n}", "wrong-password", address="10.9.9.9")

    refused = attempt(client, "judge", PASSWORD, address="10.9.9.9")
    elsewhere = attempt(client, "judge", PASSWORD, address="10.0.0.3")

    assert refused.status_code == 429
    assert "此地址登录失败次数过多" in refused.get_data(as_text=True)
    assert elsewhere.status_code == 302


def test_a_good_login_clears_the_failures(app):
    make_user("clerk", Role.CLERK)
    db.session.commit()
    client = client_of(app)
    for _ in range(ACCOUNT_LIMIT - 1):
        attempt(client, "clerk", "wrong-password")
    assert attempt(client, "clerk", PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/relief/")})

    for _ in range(ACCOUNT_LIMIT - 1):
        attempt(client, "clerk", "wrong-password")

    assert attempt(client, "clerk", PASSWORD).status_code == 302


def test_the_failures_stored_name_no_account(app):
    # a password typed into the name field must not end up in the database
    client = client_of(app)
    attempt(client, "Secret-Typed-In-Name-1", "x")

    from relief.accounts.lockout import LoginFailure

    stored = db.session.execute(select(LoginFailure)).scalar_one()
    assert "Secret" not in stored.account_key
    assert len(stored.account_key) == 64


def test_pages_carry_a_strict_content_security_policy(app):
    answer = client_of(app).get("/login")

    policy = answer.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_httponly_samesite_and_secure_when_configured(app):
    make_user("clerk", Role.CLERK)
    db.session.commit()

    answer = attempt(client_of(app), "clerk", PASSWORD)
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test app runs on plain HTTP

    secure = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SESSION_COOKIE_SECURE": True,
            "RATELIMIT_ENABLED": False,
        }
    )
    secure.test_client_class = IsolatedClient
    answer = attempt(secure.test_client(), "clerk", PASSWORD)
    with secure.app_context():
        db.engine.dispose()  # this app's own connections, not the fixture's
    assert "Secure" in answer.headers["Set-Cookie"]


def test_templates_hold_no_inline_script_style_or_event_handler():
    # the CSP would block them, and the page would quietly lose what they did
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        if "pdf" not in path.relative_to(TEMPLATES).parts  # documents are not web pages
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if inline.search(line)
    ]

    assert found == []


@pytest.mark.parametrize("missing", ["SECRET_KEY", "VAULT_KEY"])
def test_production_refuses_to_start_without_its_secrets(monkeypatch, missing):
    monkeypatch.setenv("RELIEF_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("VAULT_KEY", "v" * 44)
    monkeypatch.delenv(missing)

    with pytest.raises(ConfigurationError, match=missing):
        create_app()


def test_production_defaults_to_https_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("RELIEF_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("VAULT_KEY", "v" * 44)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'production.sqlite3'}")

    app = create_app()

    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["FORCE_HTTPS"] is True
    answer = app.test_client().get("/login")
    assert answer.status_code == 302
    assert answer.location.startswith("https://")
