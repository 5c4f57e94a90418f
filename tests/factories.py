"""Building blocks for tests: users, insurers with policies, wage figures, API clients."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from relief.accounts.models import Role, User
from relief.accounts.operations import create_user
from relief.assistance.models import WageFigure
from relief.core import clock
from relief.extensions import db
from relief.insurers.models import Insurer, ReliefPolicy
from relief.insurers.operations import create_api_client

PASSWORD = "Test-Password-2026"

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
