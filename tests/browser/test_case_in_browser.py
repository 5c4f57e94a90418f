"""A judge's day in a real browser: the workspace, a case, an inquiry result, the new track;
once in Chinese and once in English."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from relief.accounts.models import Role
from relief.cases import operations as ops
from relief.cases.models import EnforcementCase, Outcome, PropertyKind
from relief.cases.rules import months_before
from relief.core import clock
from relief.extensions import db
from tests.factories import PASSWORD, make_case, make_user

#: what a person reads on the pages, in each language
TEXT = {
    "zh": {
        "workspace": "待办事项",
        "queue": "本周到期的执行期限",
        "inquiry": "网络查控",
        "kind": "财产类别",
        "result": "查询结果",
        "other": "其他财产",
        "nothing": "未查到",
        "record": "登记结果",
        "recorded": "已登记查控结果。",
        "ordinary": "普执",
    },
    "en": {
        "workspace": "Pending tasks",
        "queue": "Enforcement periods ending this week",
        "inquiry": "Online property inquiry",
        "kind": "Kind of property",
        "result": "Result",
        "other": "Other property",
        "nothing": "Nothing found",
        "record": "Record result",
        "recorded": "Inquiry result recorded.",
        "ordinary": "Ordinary track",
    },
}


def case_waiting_for_its_last_answer(judge) -> EnforcementCase:
    """A judge's case in the inquiry, four kinds answered, six months nearly up."""
    case = make_case(unpaid="30000.00", outcome=Outcome.OPEN)
    case.judge_name = judge.display_name
    case.filed_on = months_before(clock.today(), 6) + timedelta(days=2)
    ops.start_inquiry(case, reason="立案后发起网络查控", user=judge)
    answered = clock.today()
    ops.record_inquiry_result(case, PropertyKind.DEPOSITS, Decimal("500.00"), answered, user=judge)
    for kind in (PropertyKind.VEHICLES, PropertyKind.REAL_ESTATE, PropertyKind.SECURITIES):
        ops.record_inquiry_result(case, kind, None, answered, user=judge)
    return case


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_judge_records_the_last_inquiry_answer_and_sees_the_track(
    app, live_server, page: Page, artifacts, language
):
    judge = make_user("judge", Role.JUDGE)
    case = case_waiting_for_its_last_answer(judge)
    db.session.commit()
    text = TEXT[language]

    page.goto(f"{live_server}/login")
    page.locator("#username").fill("judge")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    if language == "en":
        # the switch in the header; logging in starts a fresh session, so it comes after
        page.get_by_role("link", name="English").click()

    # the workspace lists the case under the deadlines of the week
    expect(page.get_by_role("heading", name=text["workspace"])).to_be_visible()
    row = page.get_by_role("row").filter(has_text=case.case_number)
    expect(row).to_contain_text(text["queue"])
    row.get_by_role("link").click()

    # the case page: still in the inquiry, one kind unanswered
    expect(page.get_by_role("heading", name=case.case_number)).to_be_visible()
    expect(page.locator("[data-stage]")).to_have_text(text["inquiry"])

    page.get_by_label(text["kind"]).select_option(label=text["other"])
    page.get_by_label(text["result"]).select_option(label=text["nothing"])
    page.get_by_role("button", name=text["record"]).click()

    expect(page.locator(".flash.success")).to_have_text(text["recorded"])
    expect(page.locator("[data-stage]")).to_have_text(text["ordinary"])
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=artifacts / f"case-track-{language}.png", full_page=True)
