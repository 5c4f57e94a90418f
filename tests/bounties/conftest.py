"""A published bounty and the people around it: clerk, deciding judge, approver, insurers."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest

from relief.accounts.models import Role, User
from relief.bounties import operations, rules
from relief.bounties.models import Bounty
from relief.cases.models import EnforcementCase
from relief.core import clock
from relief.extensions import db
from relief.insurers.models import Insurer
from tests.factories import make_case, make_insurer, make_user

#: a valid resident identity number (GB 11643 check digit) that is no party's
TIPSTER_ID = "110101199003074514"
TIPSTER_NAME = "线人张三丰"
TIPSTER_PHONE = "13912345678"
MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LEAD = "被执行人蒋胜在兴隆台区某小区有一辆白色轿车，车牌辽L12345，常停地下车库。"


@dataclass
class BountyWorld:
    clerk: User
    judge: User
    other_judge: User
    approver: User
    insurer: Insurer
    key_id: str
    secret: str
    other_insurer: Insurer
    other_key_id: str
    other_secret: str
    case: EnforcementCase
    bounty: Bounty


def file_and_grant(world_case, clerk, judge, insurer, **terms) -> Bounty:
    """File a bounty with the given terms (10% up to ¥50,000 by default) and grant it."""
    entry = operations.NewBounty(
        kind=terms.get("kind", rules.BountyKind.PROPERTY),
        method=terms.get("method", rules.AmountMethod.PERCENTAGE),
        fixed_amount=terms.get("fixed_amount"),
        rate=terms.get("rate", Decimal("0.10")),
        cap=terms.get("cap", Decimal("50000.00")),
        channels=[rules.Channel.NATIONAL_PLATFORM.value, rules.Channel.NOTICE_BOARD.value],
        undertaking=True,
        published_details="最后居住地：盘锦市兴隆台区。",
        filed_on=clock.today(),
    )
    bounty = operations.file_bounty(world_case, world_case.applicant, insurer, entry, clerk=clerk)
    operations.grant(bounty, judge=judge)
    return bounty


@pytest.fixture
def world(app) -> BountyWorld:
    """A granted property bounty (10% of the recovery, at most ¥50,000), not yet insured."""
    clerk = make_user("clerk", Role.CLERK)
    judge = make_user("judge", Role.JUDGE)
    other_judge = make_user("judge2", Role.JUDGE)
    approver = make_user("approver", Role.APPROVER)
    insurer, _, key_id, secret = make_insurer("人保盘锦")
    other_insurer, _, other_key_id, other_secret = make_insurer("国寿盘锦")
    case = make_case(unpaid="300000.00")
    bounty = file_and_grant(case, clerk, judge, insurer)
    db.session.commit()
    return BountyWorld(
        clerk,
        judge,
        other_judge,
        approver,
        insurer,
        key_id,
        secret,
        other_insurer,
        other_key_id,
        other_secret,
        case,
        bounty,
    )


def tip_form(token: str, **changes) -> dict:
    """A complete tip as the public form sends it."""
    form = {
        "csrf_token": token,
        "lead": LEAD,
        "name": TIPSTER_NAME,
        "id_number": TIPSTER_ID,
        "phone": TIPSTER_PHONE,
        "agree": "true",
    }
    form.update(changes)
    return form


def pdf_upload(name: str = "photo.pdf", content: bytes = MINIMAL_PDF):
    """A file as the form's file input sends it."""
    return (io.BytesIO(content), name)
