"""The partner API of guarantees: each insurer sees and answers only its own."""

from __future__ import annotations

from decimal import Decimal

import pytest

from insurer_api.client import ApiError
from relief.core import clock
from relief.extensions import db
from relief.guarantees import operations, rules
from relief.guarantees.models import Guarantee, GuaranteeStatus
from tests.guarantees.conftest import APPLICANT_CODE, RESPONDENT_ID, api, entry, executed


def letter_body(**changes) -> dict:
    body = {
        "policy_number": "PICC-BQ-2025-0007",
        "letter_number": "BH-2025-0007",
        "applicant": {"name": "盘锦兴隆物流有限公司", "id_number": APPLICANT_CODE},
        "respondent": {"name": "蒋胜", "id_number": RESPONDENT_ID},
        "guaranteed_amount": "1000000.00",
        "irrevocable": True,
        "compensation_undertaking": True,
    }
    body.update(changes)
    return body


@pytest.fixture
def requested(world) -> str:
    guarantee = operations.file_application(
        entry(), court=world.court, insurer=world.a.insurer, case=None, clerk=world.clerk
    )
    db.session.commit()
    return guarantee.public_id


def test_the_insurer_quotes_and_issues(world, client, requested):
    insurer = api(client, world.a)

    listed = insurer.list_guarantees(status="requested")
    assert [g["id"] for g in listed] == [requested]
    assert listed[0]["security_required"] == "300000.00"
    assert listed[0]["respondent"]["id_number_masked"] == "2111**********946X"

    quoted = insurer.quote_guarantee(requested)
    assert quoted["premium"] == "1000.00"

    done = insurer.issue_guarantee(requested, letter_body())
    assert done["status"] == "issued"
    assert insurer.download_letter(requested).startswith(b"%PDF")
    assert insurer.exposure()["exposure"] == "1000000.00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"applicant": None}, "applicant.name"),
        ({"respondent": {"name": "蒋胜", "id_number": ""}}, "respondent.id_number"),
        ({"guaranteed_amount": None}, "guaranteed_amount"),
        ({"irrevocable": False}, "irrevocable"),
        ({"compensation_undertaking": False}, "compensation_undertaking"),
    ],
)
def test_a_letter_missing_an_item_is_refused_naming_it(world, client, requested, changes, field):
    insurer = api(client, world.a)
    insurer.quote_guarantee(requested)
    body = {key: value for key, value in letter_body(**changes).items() if value is not None}

    with pytest.raises(ApiError) as refused:
        insurer.issue_guarantee(requested, body)

    assert refused.value.status == 422
    assert refused.value.code == "letter_incomplete"
    assert list(refused.value.errors) == [field]
    assert insurer.get_guarantee(requested)["status"] == "quoted"


def test_the_insurer_may_decline(world, client, requested):
    answer = api(client, world.a).decline_guarantee(requested, "申请人资信不足。")

    assert answer["status"] == "declined"
    assert answer["decline_reason"] == "申请人资信不足。"


def test_another_insurers_guarantee_is_not_found_on_every_endpoint(world, client, requested):
    stranger = api(client, world.b)
    calls = [
        lambda: stranger.get_guarantee(requested),
        lambda: stranger.quote_guarantee(requested),
        lambda: stranger.decline_guarantee(requested, "不予承保。"),
        lambda: stranger.issue_guarantee(requested, letter_body()),
        lambda: stranger.download_letter(requested),
        lambda: stranger.pay_guarantee_claim(requested, "1.00", clock.today(), "X-1"),
    ]
    for call in calls:
        with pytest.raises(ApiError) as refused:
            call()
        assert refused.value.status == 404

    assert stranger.list_guarantees() == []
    assert stranger.exposure()["exposure"] == "0.00"
    db.session.expire_all()
    assert db.session.query(Guarantee).one().status == GuaranteeStatus.REQUESTED


def test_the_insurer_pays_a_claim_for_wrongful_preservation(world, client):
    today = clock.today()
    guarantee = executed(world)
    operations.release(
        guarantee, ground=rules.ReleaseGround.SUIT_ENDED, released_on=today, judge=world.judge
    )
    operations.file_claim(
        guarantee,
        amount=Decimal("42000.00"),
        judgment_number="（2025）辽11民初99号",
        claimed_on=today,
        clerk=world.clerk,
    )
    db.session.commit()
    insurer = api(client, world.a)

    seen = insurer.get_guarantee(guarantee.public_id)
    assert seen["claim"]["amount"] == "42000.00"
    with pytest.raises(ApiError) as refused:
        insurer.pay_guarantee_claim(guarantee.public_id, "41000.00", today, "PICC-1")
    assert refused.value.status == 409

    paid = insurer.pay_guarantee_claim(guarantee.public_id, "42000.00", today, "PICC-1")

    assert paid["status"] == "paid"
    assert paid["claim"]["transaction_reference"] == "PICC-1"
    assert insurer.exposure(today)["exposure"] == "0.00"
