"""A court, staff, and insurers with guarantee contracts; helpers to move a guarantee along."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from insurer_api.client import InsurerClient
from relief.accounts.models import Role, User
from relief.cases.models import Court, PartyKind
from relief.core import clock
from relief.extensions import db
from relief.guarantees import operations, rules
from relief.guarantees.models import Guarantee
from relief.insurers.models import Insurer
from tests.factories import make_insurer, make_user

APPLICANT_CODE = "91211104G3F6W6RC1A"
RESPONDENT_ID = "21110319920113946X"


@dataclass
class Side:
    insurer: Insurer
    key_id: str
    secret: str


@dataclass
class Court_:
    court: Court
    clerk: User
    judge: User
    approver: User
    a: Side
    b: Side


@pytest.fixture
def world(app) -> Court_:
    """The intermediate court, a clerk, a judge, an approver, insurers A and B.

    A's contract: 0.1%, minimum ¥500, exposure limit ¥1,000,000; B's the same.
    """
    court = Court(code="辽11", name="辽宁省盘锦市中级人民法院")
    db.session.add(court)
    people = [
        make_user(name, role)
        for name, role in (
            ("clerk", Role.CLERK),
            ("judge", Role.JUDGE),
            ("approver", Role.APPROVER),
        )
    ]
    sides = []
    for short_name in ("甲保险", "乙保险"):
        insurer, _, key_id, secret = make_insurer(short_name)
        operations.set_contract(
            insurer,
            rate=Decimal("0.001"),
            minimum_premium=Decimal("500"),
            exposure_limit=Decimal("1000000"),
        )
        sides.append(Side(insurer, key_id, secret))
    db.session.commit()
    return Court_(court, *people, *sides)


def api(client, side: Side) -> InsurerClient:
    """The partner API client of one insurer, through the test client."""
    return InsurerClient.for_flask_test_client(client, side.key_id, side.secret)


def entry(**changes) -> operations.NewPreservation:
    """An in-suit application to preserve ¥1,000,000 of deposits (security ¥300,000)."""
    values = {
        "kind": rules.PreservationKind.IN_SUIT,
        "urgent": False,
        "amount": Decimal("1000000.00"),
        "disputed_object_value": None,
        "property_kind": rules.PropertyKind.DEPOSIT,
        "property_description": "被保全人在盘锦银行的存款",
        "exemption": None,
        "applicant": operations.PartyEntry(
            PartyKind.ORGANISATION, "盘锦兴隆物流有限公司", APPLICANT_CODE
        ),
        "respondent": operations.PartyEntry(PartyKind.PERSON, "蒋胜", RESPONDENT_ID),
        "main_case_number": "（2025）辽11民初12号",
        "filed_on": clock.today(),
    }
    values.update(changes)
    return operations.NewPreservation(**values)


def complete_letter(guarantee: Guarantee, **changes) -> operations.IssuedLetter:
    """A letter with every mandatory item, guaranteeing the amount to preserve."""
    values = {
        "applicant": rules.LetterParty(
            guarantee.applicant_name, guarantee.applicant_id_number, guarantee.applicant_kind
        ),
        "respondent": rules.LetterParty(
            guarantee.respondent_name, guarantee.respondent_id_number, guarantee.respondent_kind
        ),
        "guaranteed_amount": guarantee.amount,
        "irrevocable": True,
        "compensation_undertaking": True,
    }
    values.update(changes)
    return operations.IssuedLetter(
        policy_number="PICC-BQ-2025-0001",
        letter_number="BH-2025-0001",
        letter=rules.Letter(**values),
    )


def issued(world: Court_, side: Side | None = None, **changes) -> Guarantee:
    """A guarantee filed, quoted and issued by an insurer (A by default)."""
    side = side or world.a
    guarantee = operations.file_application(
        entry(**changes), court=world.court, insurer=side.insurer, case=None, clerk=world.clerk
    )
    operations.quote(guarantee, insurer=side.insurer)
    operations.issue_letter(guarantee, complete_letter(guarantee), insurer=side.insurer)
    return guarantee


def executed(world: Court_, executed_on: date | None = None, **changes) -> Guarantee:
    """A guarantee accepted, its preservation ordered and carried out."""
    guarantee = issued(world, **changes)
    operations.accept(guarantee, reason="", judge=world.judge)
    day = executed_on or clock.today()
    operations.rule(guarantee, granted=True, ruled_on=day, reason="", judge=world.judge)
    operations.record_execution(guarantee, executed_on=day, user=world.clerk)
    return guarantee
