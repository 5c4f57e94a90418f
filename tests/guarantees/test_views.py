"""Staff pages: roles, the contract form, the insurer staff's own guarantees only."""

from __future__ import annotations

from decimal import Decimal

from relief.accounts.models import Role
from relief.extensions import db
from relief.guarantees import operations
from relief.guarantees.models import GuaranteeContract
from tests.factories import csrf_token, login, make_user
from tests.guarantees.conftest import issued


def test_an_administrator_sets_terms_and_bad_input_changes_nothing(world, client):
    make_user("admin", Role.ADMIN)
    db.session.commit()
    login(client, "admin")
    path = "/guarantees/contracts"
    form = {
        "insurer": str(world.a.insurer.id),
        "rate": "abc",
        "minimum_premium": "800",
        "exposure_limit": "5000000",
    }

    refused = client.post(path, data={**form, "csrf_token": csrf_token(client, path)})
    assert refused.status_code == 422
    assert "请输入费率百分数" in refused.get_data(as_text=True)

    saved = client.post(path, data={**form, "rate": "0.2", "csrf_token": csrf_token(client, path)})
    assert saved.status_code == 302
    db.session.expire_all()
    contract = db.session.query(GuaranteeContract).filter_by(insurer_id=world.a.insurer.id).one()
    assert contract.rate == Decimal("0.002")
    assert contract.minimum_premium == Decimal("800.00")


def test_only_an_approver_approves_beyond_the_limit(world, client):
    operations.set_contract(
        world.a.insurer,
        rate=Decimal("0.001"),
        minimum_premium=Decimal("500"),
        exposure_limit=Decimal("10000"),
    )
    guarantee = issued(world)
    operations.accept(guarantee, reason="", judge=world.judge)
    db.session.commit()
    path = f"/guarantees/{guarantee.public_id}"

    login(client, "judge")
    forbidden = client.post(f"{path}/approve", data={"csrf_token": csrf_token(client, path)})
    assert forbidden.status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, path)})

    login(client, "approver")
    assert "超出担保余额上限，待审批" in client.get(path).get_data(as_text=True)
    approved = client.post(f"{path}/approve", data={"csrf_token": csrf_token(client, path)})
    assert approved.status_code == 302


def test_insurer_staff_see_only_their_insurers_guarantees(world, client):
    mine = issued(world)
    theirs = issued(world, world.b, main_case_number="（2025）辽11民初77号")
    make_user("picc", Role.INSURER, world.a.insurer)
    db.session.commit()

    login(client, "picc")
    page = client.get("/guarantees/insurer").get_data(as_text=True)
    assert mine.preservation_number in page
    assert theirs.preservation_number not in page
    assert client.get(f"/guarantees/{mine.public_id}/letter.pdf").status_code == 200
    assert client.get(f"/guarantees/{theirs.public_id}/letter.pdf").status_code == 404
    assert client.get("/guarantees/").status_code == 403
