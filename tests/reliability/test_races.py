"""Fifty people press the same money button at once: exactly one press counts.

The app runs under gunicorn (several processes, several threads each) against the test's
database, as in production; fifty threads send the same approval, payment or recovery at
the same moment. Exactly one succeeds, the database holds exactly one effect, and every
other request gets a clear conflict answer: 409 (or the API's 412 for a stale If-Match),
never a 500 and never a second payment.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from threading import Barrier

import pytest
import requests
from sqlalchemy import func, select

from insurer_api.signing import sign_request
from relief.accounts.models import Role, User
from relief.assistance import operations
from relief.assistance.models import ClaimStatus, Clawback, ReliefApplication, ReliefClaim
from relief.assistance.rules import Category
from relief.cases.models import EnforcementCase, Recovery
from relief.core import audit, clock, vault
from relief.core.audit import AuditEntry
from relief.core.concurrency import CONFLICT_MESSAGE
from relief.documents.models import DocumentKind, IssuedDocument
from relief.extensions import db
from tests.factories import PASSWORD, load_liaoning_wages, make_case, make_insurer, make_user

pytestmark = pytest.mark.slow

ATTEMPTS = 50
ROOT = Path(__file__).resolve().parents[2]
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
#: what a refused racer may read: the race was lost, or the state moved on meanwhile
CONFLICT_TEXTS = (
    str(CONFLICT_MESSAGE),
    "不允许此操作",
    "请刷新页面",
    "已被修改",
    "到位金额合计不能超过",
)


@dataclass
class Served:
    url: str
    process: subprocess.Popen


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(app) -> Iterator[Served]:
    """The app under gunicorn on the test's database: 4 processes of 8 threads."""
    vault.encrypt(b"")  # make sure this installation's vault key exists before we pass it on
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "VAULT_KEY": vault._key_text(),
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "4",
        "--threads",
        "8",
        "--worker-class",
        "gthread",
        "--timeout",
        "120",
        "relief:create_app()",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603  (our own server)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, process)
        yield Served(url, process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_serving(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{url}/login", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        assert process.poll() is None, "gunicorn exited before serving"
        assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
        time.sleep(0.2)


def log_in(url: str, username: str) -> requests.Session:
    session = requests.Session()
    token = CSRF_FIELD.search(session.get(f"{url}/login").text).group(1)
    answer = session.post(
        f"{url}/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text
    return session


def csrf_of(session: requests.Session, url: str) -> str:
    return CSRF_FIELD.search(session.get(url).text).group(1)


def at_once(send: Callable[[int], requests.Response]) -> list[requests.Response]:
    """Send ATTEMPTS requests from as many threads, released together."""
    start = Barrier(ATTEMPTS)

    def one(n: int) -> requests.Response:
        start.wait()
        return send(n)

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        return list(pool.map(one, range(ATTEMPTS)))


def assert_one_winner(answers: list[requests.Response], won: int, lost: set[int]) -> None:
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses[won] == 1, (statuses, answers[0].text[:2000])
    assert sum(statuses[status] for status in lost) == ATTEMPTS - 1, statuses
    for answer in answers:
        if answer.status_code != won:
            said = readable(answer)
            assert any(text in said for text in CONFLICT_TEXTS), (answer.status_code, said[:500])


def readable(answer: requests.Response) -> str:
    """What the refused person or program reads: the API's message, or the page."""
    if answer.headers.get("Content-Type", "").startswith("application/json"):
        return answer.json()["message"]
    return answer.text


def count(model, *conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def proposed_application() -> tuple[ReliefApplication, dict]:
    """A filed application the judge proposed 50,000 for, waiting for the approver."""
    clerk = make_user("clerk", Role.CLERK)
    judge = make_user("judge", Role.JUDGE)
    make_user("approver", Role.APPROVER)
    insurer, policy, key_id, secret = make_insurer("人保盘锦")
    load_liaoning_wages()
    case = make_case()
    application = operations.file_application(
        case,
        case.applicant,
        policy,
        operations.NewApplication(
            category=Category.TORT_INJURY,
            household_size=3,
            household_monthly_income=Decimal("1200.00"),
            compensation_received=Decimal("0.00"),
            amount_requested=Decimal("60000.00"),
            circumstances="交通事故致伤。",
            exclusions=frozenset(),
            filed_on=clock.today(),
        ),
        clerk=clerk,
    )
    _add_proof(application, clerk)
    db.session.flush()
    operations.propose(application, amount=Decimal("50000"), reason="生活困难。", judge=judge)
    db.session.commit()
    return application, {"insurer": insurer, "key_id": key_id, "secret": secret}


def _add_proof(application: ReliefApplication, clerk: User) -> None:
    from relief.assistance.models import ProofDocument

    db.session.add(
        ProofDocument(
            application=application,
            kind=operations.HARDSHIP_PROOF,
            original_name="proof.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            storage_key="race-proof",
            uploaded_by_id=clerk.id,
        )
    )


def test_fifty_approvals_of_one_proposal_grant_relief_once(app, served):
    application, _ = proposed_application()
    page = f"{served.url}/relief/{application.public_id}"
    approver = log_in(served.url, "approver")
    token = csrf_of(approver, page)
    cookies = approver.cookies.get_dict()

    answers = at_once(
        lambda n: requests.post(
            f"{page}/approve",
            data={"csrf_token": token, "reason": f"同意（{n}）。"},
            cookies=cookies,
            allow_redirects=False,
            timeout=120,
        )
    )

    assert_one_winner(answers, won=302, lost={409})
    assert count(ReliefClaim) == 1
    assert count(AuditEntry, AuditEntry.action == "relief.approved") == 1
    assert count(IssuedDocument, IssuedDocument.kind == DocumentKind.RELIEF_DECISION) == 1
    assert audit.verify().intact


def accepted_claim() -> tuple[ReliefClaim, dict]:
    application, keys = proposed_application()
    approver = db.session.execute(select(User).where(User.username == "approver")).scalar_one()
    claim = operations.approve(application, reason="同意。", approver=approver)
    operations.accept_claim(claim, insurer=keys["insurer"])
    db.session.commit()
    return claim, keys


def signed_post(url: str, path: str, body: dict, keys: dict, headers: dict) -> requests.Response:
    data = json.dumps(body).encode()
    signature = sign_request("POST", path, {}, data, keys["key_id"], keys["secret"])
    return requests.post(
        url + path,
        data=data,
        headers={**signature, **headers, "Content-Type": "application/json"},
        timeout=120,
    )


def test_fifty_payments_of_one_claim_pay_it_once(app, served):
    claim, keys = accepted_claim()
    path = f"/api/v1/claims/{claim.public_id}/payment"

    # send back the claim's ETag if the API hands one out, as a careful insurer would
    read_path = f"/api/v1/claims/{claim.public_id}"
    read = requests.get(
        served.url + read_path,
        headers=sign_request("GET", read_path, {}, b"", keys["key_id"], keys["secret"]),
        timeout=30,
    )
    assert read.status_code == 200, read.text
    if_match = {"If-Match": read.headers["ETag"]} if "ETag" in read.headers else {}

    answers = at_once(
        lambda n: signed_post(
            served.url,
            path,
            {
                "amount": "50000.00",
                "paid_on": clock.today().isoformat(),
                # a new reference each time: only the claim itself can stop the second payment
                "transaction_reference": f"PICC-RACE-{n:04d}",
            },
            keys,
            # a different key per racer: fifty distinct attempts, not one request replayed
            {**if_match, "Idempotency-Key": f"race-{uuid.uuid4().hex}"},
        )
    )

    assert_one_winner(answers, won=200, lost={409, 412})
    db.session.expire_all()
    paid = db.session.get(ReliefClaim, claim.id)
    assert paid.status == ClaimStatus.PAID
    assert paid.paid_amount == Decimal("50000.00")
    assert count(AuditEntry, AuditEntry.action == "claim.paid") == 1
    assert count(IssuedDocument, IssuedDocument.kind == DocumentKind.COLLECTION_NOTICE) == 1
    assert audit.verify().intact


def test_fifty_recoveries_that_fit_only_once_claw_back_once(app, served):
    claim, keys = accepted_claim()
    operations.record_payment(
        claim,
        amount=Decimal("50000.00"),
        paid_on=clock.today(),
        transaction_reference="PICC-0001",
        insurer=keys["insurer"],
    )
    case = claim.application.case
    # all but 80,000 of the judgment was recovered before: room for one recovery of 50,000
    case.recovered_amount = case.target_amount - Decimal("80000.00")
    db.session.commit()
    clerk = log_in(served.url, "clerk")
    page = f"{served.url}/cases/{case.public_id}"
    token = csrf_of(clerk, page)
    cookies = clerk.cookies.get_dict()

    answers = at_once(
        lambda n: requests.post(
            f"{page}/recoveries",
            data={
                "csrf_token": token,
                "amount": "50000.00",
                "received_on": clock.today().isoformat(),
            },
            cookies=cookies,
            allow_redirects=False,
            timeout=120,
        )
    )

    # a racer that arrives after the winner committed is refused as too much (422)
    assert_one_winner(answers, won=302, lost={409, 422})
    db.session.expire_all()
    assert count(Recovery, Recovery.case_id == case.id) == 1
    assert count(Clawback) == 1
    assert db.session.get(ReliefClaim, claim.id).clawed_back == Decimal("50000.00")
    assert db.session.get(EnforcementCase, case.id).unpaid_amount == Decimal("30000.00")
    assert audit.verify().intact
