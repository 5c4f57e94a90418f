"""Building blocks for tests: users, insurers with policies, wage figures, API clients."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from relief.accounts.models import Role, User
from relief.accounts.operations import create_user
from relief.assistance.models import WageFigure
from relief.cases.models import Court, EnforcementCase, Outcome, Party, PartyKind, PartyRole
from relief.core import clock
from relief.extensions import db
from relief.insurers.models import Insurer, ReliefPolicy
from relief.insurers.operations import create_api_client

PASSWORD = "Test-Password-2026"

_case_numbers = iter(range(1, 100_000))

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_user(username: str, role: Role, insurer: Insurer | None = None) -> User:
    """An account with the shared test password."""
    return create_user(username, PASSWORD, role, f"{username}-name", insurer)


def make_insurer(short_name: str, per_case: str = "100000", aggregate: str = "1000000"):
    """An insurer with one relief policy covering this year, and its API credentials."""
    year = clock.today().year
    insurer = Insurer(name=f"{short_name}财产保险股份有限公司盘锦市分公司", short_name=short_name)
    policy = ReliefPolicy(
        insurer=insurer,
        policy_number=f"POL-{short_name}-{year}",
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
        per_case_limit=Decimal(per_case),
        annual_aggregate=Decimal(aggregate),
    )
    db.session.add_all([insurer, policy])
    db.session.flush()
    client, secret = create_api_client(insurer)
    return insurer, policy, client.key_id, secret


def load_liaoning_wages() -> None:
    """The 2019 figure of the default series (DOMAIN.md E1): cap 225,792.00."""
    db.session.add(
        WageFigure(
            province="辽宁",
            year=2019,
            series="non_private_on_post",
            annual_amount=Decimal("75264.00"),
            source="辽宁省统计局",
        )
    )


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form on a page, as a browser would send it back."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_FIELD.search(page)
    assert match, f"no form with a CSRF token on {path}"
    return match.group(1)


def login(client, username: str) -> None:
    """Log in through the login form."""
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def logout(client) -> None:
    """Log out through the button in the header."""
    token = csrf_token(client, "/relief/")
    client.post("/logout", data={"csrf_token": token})


def make_case(
    unpaid: str = "200000.00",
    outcome: Outcome = Outcome.TERMINATED_ROUND,
    applicant_kind: PartyKind = PartyKind.PERSON,
) -> EnforcementCase:
    """A Xinglongtai enforcement case with one applicant and one debtor."""
    court = db.session.execute(select(Court).where(Court.code == "辽1103")).scalar_one_or_none()
    court = court or Court(code="辽1103", name="盘锦市兴隆台区人民法院")
    number = next(_case_numbers)
    case = EnforcementCase(
        case_number=f"（2024）辽1103执{number}号",
        court=court,
        filed_on=date(2024, 3, 1),
        cause="机动车交通事故责任纠纷",
        basis_document="（2023）辽1103民初100号",
        target_amount=Decimal(unpaid),
        recovered_amount=Decimal("0.00"),
        outcome=outcome,
        closed_on=None if outcome == Outcome.OPEN else date(2024, 9, 1),
        judge_name="李明",
    )
    case.parties = [
        Party(
            role=PartyRole.APPLICANT,
            kind=applicant_kind,
            name="侯平华" if applicant_kind == PartyKind.PERSON else "盘锦兴隆物流有限公司",
            id_number="211103196907273165"
            if applicant_kind == PartyKind.PERSON
            else "91211104G3F6W6RC1A",
        ),
        Party(
            role=PartyRole.RESPONDENT,
            kind=PartyKind.PERSON,
            name="蒋胜",
            id_number="21110319920113946X",
        ),
    ]
    db.session.add(case)
    db.session.flush()
    return case
