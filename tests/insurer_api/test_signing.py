"""Signed requests: who may call the partner API, and what a captured request is good for."""

from __future__ import annotations

import base64
import hashlib
import hmac
import stat
import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from insurer_api.models import UsedNonce
from insurer_api.signing import (
    HEADERS,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    WINDOW_SECONDS,
    canonical_query,
    canonical_string,
    sign_request,
)
from relief.core import vault
from relief.core.audit import AuditEntry
from relief.core.models import utcnow
from relief.extensions import db
from relief.insurers.commands import insurers_cli
from relief.insurers.models import ApiClient
from relief.insurers.operations import create_api_client, revoke_api_client

LIST = "/api/v1/claims"


# --- The scheme, without a server ----------------------------------------------------------


def test_canonical_string_is_the_documented_one():
    text = canonical_string(
        "post",
        "/api/v1/claims/clm_1/reject",
        {"b": "2", "a": "x y"},
        "1700000000",
        "n" * 22,
        b'{"reason":"ok"}',
    )

    assert text.split("\n") == [
        "POST",
        "/api/v1/claims/clm_1/reject",
        "a=x%20y&b=2",
        "1700000000",
        "n" * 22,
        hashlib.sha256(b'{"reason":"ok"}').hexdigest(),
    ]


def test_signature_is_base64_hmac_sha256_of_the_canonical_string():
    headers = sign_request(
        "GET", LIST, {"limit": "1"}, b"", "key_x", "s3cret", timestamp=1700000000, nonce="n" * 22
    )

    expected = hmac.new(
        b"s3cret",
        canonical_string("GET", LIST, {"limit": "1"}, "1700000000", "n" * 22, b"").encode(),
        hashlib.sha256,
    ).digest()
    assert headers == {
        "X-Relief-Key": "key_x",
        "X-Relief-Timestamp": "1700000000",
        "X-Relief-Nonce": "n" * 22,
        "X-Relief-Signature": base64.b64encode(expected).decode(),
    }


@pytest.mark.parametrize(
    "query",
    [
        {"status": "paid", "limit": "5", "cursor": "a/b+c"},
        [("limit", "5"), ("cursor", "a/b+c"), ("status", "paid")],
        "status=paid&cursor=a%2Fb%2Bc&limit=5",
    ],
)
def test_a_query_has_one_canonical_form_whatever_its_order_or_shape(query):
    assert canonical_query(query) == "cursor=a%2Fb%2Bc&limit=5&status=paid"


def test_every_request_gets_a_fresh_nonce():
    first = sign_request("GET", LIST, None, b"", "key_x", "s3cret")
    second = sign_request("GET", LIST, None, b"", "key_x", "s3cret")

    assert first[NONCE_HEADER] != second[NONCE_HEADER]
    assert first[SIGNATURE_HEADER] != second[SIGNATURE_HEADER]


# --- The server's checks -------------------------------------------------------------------


def test_an_unsigned_request_is_refused(app, world, error_body):
    response = app.test_client().get(LIST)

    body = error_body(response, 401, "unauthorized")
    assert "X-Relief-Key" in body["message"]
    assert response.headers["WWW-Authenticate"] == "Relief-HMAC-SHA256"


@pytest.mark.parametrize("missing", HEADERS)
def test_each_signature_header_is_required(app, world, error_body, missing):
    headers = sign_request("GET", LIST, None, b"", world.a.key_id, world.a.secret)
    del headers[missing]

    response = app.test_client().get(LIST, headers=headers)

    assert missing in error_body(response, 401, "unauthorized")["message"]


def test_a_signed_request_is_let_through(world, send):
    response = send("GET", LIST, world.a)

    assert response.status_code == 200, response.get_json()


def test_an_unknown_key_is_refused(world, send, error_body):
    world.a.key_id = "key_does_not_exist"

    error_body(send("GET", LIST, world.a), 401, "unauthorized")


def test_a_revoked_key_is_refused_like_an_unknown_one(world, send, error_body):
    client = db.session.execute(
        select(ApiClient).where(ApiClient.key_id == world.a.key_id)
    ).scalar_one()
    revoke_api_client(client)
    db.session.commit()

    revoked = error_body(send("GET", LIST, world.a), 401, "unauthorized")
    world.b.key_id = "key_does_not_exist"
    assert error_body(send("GET", LIST, world.b), 401, "unauthorized") == revoked


def test_a_wrong_secret_is_refused(world, send, error_body):
    world.a.secret = world.b.secret

    error_body(send("GET", LIST, world.a), 401, "unauthorized")


def test_a_timestamp_301_seconds_old_is_refused(world, send, error_body):
    stale = int(time.time()) - WINDOW_SECONDS - 1

    body = error_body(send("GET", LIST, world.a, timestamp=stale), 401, "unauthorized")
    assert "时间戳" in body["message"]


def test_a_timestamp_from_the_future_is_refused(world, send, error_body):
    ahead = int(time.time()) + WINDOW_SECONDS + 60

    error_body(send("GET", LIST, world.a, timestamp=ahead), 401, "unauthorized")


def test_a_slightly_skewed_clock_is_tolerated(world, send):
    response = send("GET", LIST, world.a, timestamp=int(time.time()) - WINDOW_SECONDS + 10)

    assert response.status_code == 200


def test_a_replayed_request_is_refused(world, send, error_body):
    nonce = "replayed-nonce-0001"
    first = send("GET", LIST, world.a, nonce=nonce)
    again = send("GET", LIST, world.a, nonce=nonce)

    assert first.status_code == 200
    assert "随机数" in error_body(again, 401, "unauthorized")["message"]


def test_a_nonce_stays_spent_when_the_request_fails(world, send, error_body):
    nonce = "failing-request-001"
    error_body(send("GET", f"{LIST}/clm_unknown", world.a, nonce=nonce), 404, "not_found")

    error_body(send("GET", f"{LIST}/clm_unknown", world.a, nonce=nonce), 401, "unauthorized")


def test_nonces_are_counted_per_key(world, send):
    nonce = "shared-nonce-00001"

    assert send("GET", LIST, world.a, nonce=nonce).status_code == 200
    assert send("GET", LIST, world.b, nonce=nonce).status_code == 200


def test_nonces_too_old_to_be_replayed_are_forgotten(world, send):
    long_ago = utcnow() - timedelta(seconds=2 * WINDOW_SECONDS + 1)
    db.session.add(UsedNonce(key_id=world.a.key_id, nonce="forgotten-nonce-01", seen_at=long_ago))
    db.session.commit()

    send("GET", LIST, world.a)

    nonces = db.session.execute(
        select(UsedNonce.nonce).where(UsedNonce.key_id == world.a.key_id)
    ).scalars()
    assert "forgotten-nonce-01" not in list(nonces)


@pytest.mark.parametrize("nonce", ["short", "with space in it ok?", "x" * 65])
def test_a_malformed_nonce_is_refused(world, send, error_body, nonce):
    error_body(send("GET", LIST, world.a, nonce=nonce), 401, "unauthorized")


def test_a_tampered_body_is_refused(world, send, error_body, first_claim):
    claim = first_claim(world.a)
    path = f"{LIST}/{claim.public_id}/reject"

    response = send(
        "POST",
        path,
        world.a,
        body={"reason": "材料不全，补正后再报。"},
        sent_body=b'{"reason": "already paid elsewhere"}',
    )

    error_body(response, 401, "unauthorized")
    db.session.refresh(claim)
    assert claim.status == "submitted"


def test_a_tampered_query_is_refused(world, send, error_body):
    response = send("GET", LIST, world.a, query={"limit": "1"}, sent_query={"limit": "2"})

    error_body(response, 401, "unauthorized")


def test_a_signature_for_another_path_is_refused(app, world, error_body, first_claim):
    claim = first_claim(world.a)
    headers = sign_request(
        "POST", f"{LIST}/{claim.public_id}/accept", None, b"", world.a.key_id, world.a.secret
    )

    response = app.test_client().post(f"{LIST}/{claim.public_id}/reject", headers=headers)

    error_body(response, 401, "unauthorized")


# --- Keys and the vault --------------------------------------------------------------------


def test_a_new_key_keeps_its_secret_only_encrypted(app, world):
    client, secret = create_api_client(world.a.insurer, label="核心系统")
    db.session.commit()

    assert client.key_id.startswith("key_")
    assert len(base64.urlsafe_b64decode(secret + "=")) == 32
    assert secret.encode() not in client.secret_encrypted
    assert vault.decrypt(client.secret_encrypted) == secret.encode()

    entry = db.session.execute(
        select(AuditEntry)
        .where(AuditEntry.action == "insurer.api_client_created")
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).scalar_one()
    assert entry.details == {"key_id": client.key_id, "label": "核心系统"}
    assert secret not in str(entry.details)


def test_the_vault_creates_a_private_key_file_on_first_use(tmp_path, monkeypatch):
    monkeypatch.delenv("VAULT_KEY", raising=False)
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))

    with app.app_context():
        token = vault.encrypt(b"secret")
        assert vault.decrypt(token) == b"secret"

    key_file = tmp_path / "instance" / vault.KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with app.app_context():
        assert vault.decrypt(token) == b"secret"  # the same key on the next use


def test_the_vault_refuses_a_token_of_another_key(tmp_path, monkeypatch):
    monkeypatch.delenv("VAULT_KEY", raising=False)
    first = Flask(__name__, instance_path=str(tmp_path / "one"))
    second = Flask(__name__, instance_path=str(tmp_path / "two"))
    with first.app_context():
        token = vault.encrypt(b"secret")

    with second.app_context(), pytest.raises(vault.VaultError):
        vault.decrypt(token)


def test_a_configured_vault_key_wins_over_the_key_file(tmp_path):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    app.config["VAULT_KEY"] = key

    with app.app_context():
        token = vault.encrypt(b"secret")

    assert Fernet(key).decrypt(token) == b"secret"
    assert not (tmp_path / "instance" / vault.KEY_FILE_NAME).exists()


def test_the_command_line_prints_a_new_key_once(app, world):
    result = app.test_cli_runner().invoke(
        insurers_cli, ["create-client", world.a.insurer.public_id, "--label", "核心系统"]
    )

    assert result.exit_code == 0, result.output
    key_id = result.output.split("key id: ")[1].split()[0]
    secret = result.output.split("secret: ")[1].split()[0]
    client = db.session.execute(select(ApiClient).where(ApiClient.key_id == key_id)).scalar_one()
    assert client.insurer_id == world.a.insurer.id
    assert vault.decrypt(client.secret_encrypted) == secret.encode()


def test_the_command_line_refuses_an_ambiguous_short_name(app, world):
    world.b.insurer.short_name = world.a.insurer.short_name
    db.session.commit()

    result = app.test_cli_runner().invoke(
        insurers_cli, ["create-client", world.a.insurer.short_name]
    )

    assert result.exit_code != 0
    assert world.a.insurer.public_id in result.output


def test_a_revoked_key_can_be_revoked_only_once(app, world, send, error_body):
    runner = app.test_cli_runner()

    first = runner.invoke(insurers_cli, ["revoke-client", world.a.key_id])
    second = runner.invoke(insurers_cli, ["revoke-client", world.a.key_id])

    assert first.exit_code == 0, first.output
    assert second.exit_code != 0
    error_body(send("GET", LIST, world.a), 401, "unauthorized")
