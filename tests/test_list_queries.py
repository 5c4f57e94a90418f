"""Every list page runs as many queries for 25 rows as for 5: none runs a query per row.

Queries are counted on the engine (SQLAlchemy's ``before_cursor_execute``) while the page is
served, once with 5 rows and once with 25; the counts must be equal.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from relief.accounts.models import Role, User
from relief.assistance.models import ApplicationStatus, ReliefApplication
from relief.cases.models import Court
from relief.core import clock
from relief.core.models import utcnow
from relief.extensions import db
from relief.insurers.models import ReliefPolicy
from tests.factories import login, make_case, make_insurer, make_user
from tests.insurer_api.conftest import Side, World, make_claim, signed

_numbers = itertools.count(1)


@dataclass
class Court_:
    """Everyone a list is shown to, and what the rows hang on."""

    world: World
    judge: User
    approver: User
    policy: ReliefPolicy


@pytest.fixture
def court(app) -> Court_:
    """Staff of every role, and an insurer with a policy, a key and an insurer account."""
    clerk = make_user("clerk", Role.CLERK)
    judge = make_user("judge", Role.JUDGE)
    approver = make_user("approver", Role.APPROVER)
    insurer, policy, key_id, secret = make_insurer("甲保险")
    make_user("insurer", Role.INSURER, insurer)
    other, other_policy, other_key, other_secret = make_insurer("乙保险")
    court = Court(code="辽11", name="辽宁省盘锦市中级人民法院")
    db.session.add(court)
    world = World(
        court,
        clerk,
        Side(insurer, policy, key_id, secret, api=None),
        Side(other, other_policy, other_key, other_secret, api=None),
    )
    db.session.commit()
    return Court_(world, judge, approver, policy)


def _application(court: Court_, status: ApplicationStatus) -> ReliefApplication:
    """An application of a new case of the judge's, at the given step."""
    case = make_case()
    case.judge_name = court.judge.display_name
    filed_on = clock.today() - timedelta(days=3)
    application = ReliefApplication(
        relief_number=f"（2025）辽11司救执{next(_numbers)}号",
        case=case,
        party=case.applicant,
        policy=court.policy,
        category="tort_injury",
        household_size=3,
        household_monthly_income=Decimal("900.00"),
        compensation_received=Decimal("0.00"),
        amount_requested=Decimal("50000.00"),
        filed_on=filed_on,
        filed_by=court.world.clerk,
        decision_due_on=filed_on + timedelta(days=14),
        status=status,
    )
    if status == ApplicationStatus.PROPOSED:
        application.proposed_amount = Decimal("30000.00")
        application.proposal_reason = "申请人因案致贫。"
        application.proposed_by = court.judge
        application.proposed_at = utcnow()
    db.session.add(application)
    return application


def _cases(court: Court_) -> None:
    make_case()


def _filed(court: Court_) -> None:
    _application(court, ApplicationStatus.FILED)


def _proposed(court: Court_) -> None:
    _application(court, ApplicationStatus.PROPOSED)


def _claim(court: Court_) -> None:
    make_claim(court.world, court.world.a, with_documents=True)


@dataclass(frozen=True)
class Page:
    """A list page: who reads it, where, and what makes one more row of it."""

    name: str
    viewer: str
    path: str
    add_row: Callable[[Court_], None]


PAGES = [
    Page("case list", "clerk", "/cases/", _cases),
    Page("relief list", "clerk", "/relief/", _filed),
    Page("judge's queue", "judge", "/", _filed),
    Page("approver's queue", "approver", "/", _proposed),
    Page("insurer's claims", "insurer", "/relief/insurer/claims", _claim),
    Page("API claims list", "api", "/api/v1/claims", _claim),
]


@contextmanager
def _counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _queries_to_show(client, page: Page, court: Court_) -> list[str]:
    with _counting() as statements:
        if page.viewer == "api":
            response = signed(client, "GET", page.path, court.world.a, query={"limit": "50"})
        else:
            response = client.get(page.path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return statements


# not "page": pytest-playwright owns that fixture name
@pytest.mark.parametrize("listing", PAGES, ids=[listing.name for listing in PAGES])
def test_list_pages_run_as_many_queries_for_25_rows_as_for_5(app, client, court, listing):
    page = listing
    for _ in range(5):
        page.add_row(court)
    db.session.commit()
    if page.viewer != "api":
        login(client, page.viewer)
    _queries_to_show(client, page, court)  # the first request loads what every request shares

    with_5 = _queries_to_show(client, page, court)
    for _ in range(20):
        page.add_row(court)
    db.session.commit()
    with_25 = _queries_to_show(client, page, court)

    assert len(with_25) == len(with_5), "\n".join(with_25)
