"""The partner API's world: two insurers, each with a policy, a key and a submitted claim."""

from __future__ import annotations

import hashlib
import itertools
import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from insurer_api.client import InsurerClient
from insurer_api.signing import sign_request
from relief.accounts.models import Role, User
from relief.assistance.models import (
    ApplicationStatus,
    ClaimStatus,
    ReliefApplication,
    ReliefClaim,
)
from relief.cases.models import Court, EnforcementCase, Outcome, Party, PartyKind, PartyRole
from relief.core import clock
from relief.core.models import utcnow
from relief.documents.models import DocumentKind, IssuedDocument
from relief.extensions import db
from relief.insurers.models import Insurer, ReliefPolicy
from tests.factories import make_insurer, make_user

CLAIM_AMOUNT = Decimal("50000.00")

_numbers = itertools.count(1)


@dataclass
class Side:
    """One insurer as the tests see it: its rows, its key and a client signing with it."""

    insurer: Insurer
    policy: ReliefPolicy
    key_id: str
    secret: str
    api: InsurerClient


@dataclass
class World:
    court: Court
    clerk: User
    a: Side
    b: Side


@pytest.fixture
def world(app) -> World:
    """Insurers A and B, each with one submitted claim (A's with its two documents)."""
    court = Court(code="辽11", name="辽宁省盘锦市中级人民法院")
    clerk = make_user("clerk", Role.CLERK)
    db.session.add(court)
    sides = []
    for short_name in ("甲保险", "乙保险"):
        insurer, policy, key_id, secret = make_insurer(short_name)
        api = InsurerClient.for_flask_test_client(app.test_client(), key_id, secret)
        sides.append(Side(insurer, policy, key_id, secret, api))
    world = World(court, clerk, *sides)

    make_claim(world, world.a, with_documents=True)
    make_claim(world, world.b, with_documents=True)
    db.session.commit()
    return world


@pytest.fixture
def send(app):
    """Send a request signed with a side's key (see :func:`signed`)."""
    client = app.test_client()
    return lambda *args, **kwargs: signed(client, *args, **kwargs)


@pytest.fixture
def error_body():
    """Check that an answer is the API's one error body; return the body."""
    return assert_error_body


@pytest.fixture
def new_claim(world):
    """Make another submitted claim for a side."""
    return lambda side, **options: make_claim(world, side, **options)


@pytest.fixture
def first_claim():
    """The first claim made for a side."""
    return claim_of


def make_claim(world: World, side: Side, *, with_documents: bool = False) -> ReliefClaim:
    """An approved relief application of a new 终本 case and its claim, as submitted."""
    number = next(_numbers)
    filed_on = clock.today() - timedelta(days=30)
    case = EnforcementCase(
        case_number=f"（2025）辽11执{number}号",
        court=world.court,
        filed_on=date(2025, 3, 1),
        cause="民间借贷纠纷",
        basis_document=f"（2024）辽11民初{number}号民事判决书",
        target_amount=Decimal("200000.00"),
        outcome=Outcome.TERMINATED_ROUND,
        judge_name="王法官",
    )
    applicant = Party(
        case=case,
        role=PartyRole.APPLICANT,
        kind=PartyKind.PERSON,
        name=f"申请人{number}",
        id_number="21110219800101123X",
    )
    respondent = Party(
        case=case,
        role=PartyRole.RESPONDENT,
        kind=PartyKind.ORGANISATION,
        name=f"盘锦某建材有限公司{number}",
        id_number="91211100MA0QCXXX1X",
    )
    application = ReliefApplication(
        relief_number=f"（2025）辽11司救执{number}号",
        case=case,
        party=applicant,
        policy=side.policy,
        category="tort_injury",
        household_size=3,
        household_monthly_income=Decimal("900.00"),
        compensation_received=Decimal("0.00"),
        amount_requested=CLAIM_AMOUNT,
        filed_on=filed_on,
        filed_by=world.clerk,
        decision_due_on=filed_on + timedelta(days=14),
        status=ApplicationStatus.APPROVED,
        proposed_amount=CLAIM_AMOUNT,
        proposal_reason="因侵权致伤，生活困难。",
        decision_reason="同意。",
    )
    claim = ReliefClaim(
        application=application,
        insurer_id=side.insurer.id,
        policy=side.policy,
        amount=CLAIM_AMOUNT,
        status=ClaimStatus.SUBMITTED,
        submitted_at=utcnow() - timedelta(days=1),
    )
    db.session.add_all([case, applicant, respondent, application, claim])
    db.session.flush()

    if with_documents:
        for kind, suffix in (
            (DocumentKind.RELIEF_DECISION, ""),
            (DocumentKind.RELIEF_CLAIM, "之一"),
        ):
            content = f"%PDF-1.7 {kind.value} {number}".encode()
            db.session.add(
                IssuedDocument(
                    kind=kind,
                    number=application.relief_number + suffix,
                    case_id=case.id,
                    application_id=application.id,
                    sha256=hashlib.sha256(content).hexdigest(),
                    size=len(content),
                    content=content,
                    data={},
                )
            )
        db.session.flush()
    return claim


def claim_of(side: Side) -> ReliefClaim:
    """The first claim made for an insurer."""
    return db.session.execute(
        db.select(ReliefClaim).where(ReliefClaim.insurer_id == side.insurer.id).limit(1)
    ).scalar_one()


def signed(
    client,
    method: str,
    path: str,
    side: Side,
    *,
    query: dict | None = None,
    body: dict | bytes | None = None,
    sent_body: bytes | None = None,
    sent_query: dict | None = None,
    idempotency_key: str | None = None,
    if_match: str | None = None,
    **sign_options,
):
    """Send a request signed with a side's key; ``sent_*`` send something else than signed.

    A POST gets a fresh Idempotency-Key unless one is given (``""`` sends none).
    """
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    data = data or b""
    headers = sign_request(
        method, path, query or {}, data, side.key_id, side.secret, **sign_options
    )
    headers["Content-Type"] = "application/json"
    if idempotency_key is None and method.upper() == "POST":
        idempotency_key = str(uuid.uuid4())
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    if if_match is not None:
        headers["If-Match"] = if_match
    return client.open(
        path,
        method=method,
        headers=headers,
        query_string=sent_query if sent_query is not None else query,
        data=sent_body if sent_body is not None else data,
    )


def assert_error_body(response, status: int, code: str) -> dict:
    """The answer is the API's one error body with this status and code."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == code
    assert body["message"]
    return body
