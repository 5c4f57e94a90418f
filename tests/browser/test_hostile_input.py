"""Markup typed into a name or a reason is shown as text in a staff page and never runs.

The PDF side (markup printed, nothing fetched) is proved in tests/core/test_documents.py:
test_markup_in_a_context_value_is_printed_not_fetched and
test_the_fetcher_refuses_anything_but_the_fonts.
"""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import Page, expect
from sqlalchemy import select

from relief.accounts.models import User
from relief.assistance import operations
from relief.assistance.rules import Category
from relief.core import clock
from relief.extensions import db
from relief.insurers.models import ReliefPolicy
from tests.browser.test_relief_in_browser import log_in, shoot, staff
from tests.factories import make_case

SCRIPT_NAME = '<script>alert("name")</script><img src=x onerror=alert("img")>'
SCRIPT_REASON = '"><svg onload=alert("reason")>生活困难'


def test_markup_in_a_party_name_and_a_reason_is_shown_and_never_runs(
    app, live_server, page: Page, artifacts
):
    staff()
    case = make_case()
    case.applicant.name = SCRIPT_NAME
    clerk = db.session.execute(select(User).where(User.username == "clerk")).scalar_one()
    policy = db.session.execute(select(ReliefPolicy)).scalars().first()
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
            circumstances=SCRIPT_REASON,
            exclusions=frozenset(),
            filed_on=clock.today(),
        ),
        clerk=clerk,
    )
    db.session.commit()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    log_in(page, live_server, "clerk")
    for path in (f"/relief/{application.public_id}", f"/cases/{case.public_id}", "/relief/"):
        page.goto(live_server + path)
        expect(page.get_by_text(SCRIPT_NAME).first).to_be_visible()
    page.goto(f"{live_server}/relief/{application.public_id}")
    expect(page.get_by_text(SCRIPT_REASON).first).to_be_visible()
    shoot(page, artifacts, "8-markup-shown-as-text")

    assert dialogs == []
    # the markup became text: no element was made from it
    assert page.locator("main script, main img[src=x], main svg[onload]").count() == 0
