"""A tip from the public in a real browser, and the judge who verifies it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from relief.accounts.models import Role
from relief.bounties.models import Tip
from relief.bounties.rules import TipVerdict
from relief.extensions import db
from tests.bounties.conftest import LEAD, TIPSTER_ID, TIPSTER_NAME, file_and_grant
from tests.browser.test_relief_in_browser import log_in, shoot
from tests.factories import make_case, make_insurer, make_user


def check_status(page: Page, base_url: str, code: str) -> None:
    """Open the status page and look the tip up by its receipt code."""
    page.goto(f"{base_url}/bounties/status")
    page.get_by_label("回执码").fill(code)
    page.get_by_role("button", name="查询").click()


def test_a_tip_from_the_notice_page_to_the_judges_verification(app, live_server, page, artifacts):
    clerk = make_user("clerk", Role.CLERK)
    judge = make_user("judge", Role.JUDGE)
    insurer, _, _, _ = make_insurer("人保盘锦")
    bounty = file_and_grant(make_case(unpaid="300000.00"), clerk, judge, insurer)
    db.session.commit()

    # a member of the public opens the notice on a phone-sized screen and sends a tip
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/bounties/{bounty.public_id}")
    expect(page.get_by_role("heading", name="悬赏公告")).to_be_visible()
    expect(page.locator("[data-state]")).to_have_text("悬赏中")
    shoot(page, artifacts, "bounty-1-notice")
    page.get_by_role("link", name="我要举报").click()

    page.get_by_label("线索内容").fill(LEAD)
    page.get_by_label("姓名").fill(TIPSTER_NAME)
    page.get_by_label("公民身份号码").fill(TIPSTER_ID)
    page.get_by_label("手机号码").fill("139 1234 5678")
    page.get_by_label("我保证所提供的信息真实").check()
    page.get_by_role("button", name="提交线索").click()

    # the receipt is shown once; leaving without confirming is refused
    expect(page.get_by_role("heading", name="举报已登记")).to_be_visible()
    code = page.locator("[data-receipt]").inner_text().strip()
    assert len(code.replace("-", "")) == 24
    shoot(page, artifacts, "bounty-2-receipt")
    page.get_by_role("button", name="确认").click()
    expect(page.get_by_role("alert")).to_contain_text("请确认您已抄写或保存回执码")
    page.get_by_label("我已保存回执码").check()
    page.get_by_role("button", name="确认").click()
    expect(page.get_by_role("status")).to_contain_text("已确认")

    # with the code, the tipster sees the tip's standing and nothing else
    check_status(page, live_server, code)
    expect(page.locator("[data-tip-state]")).to_have_text("已登记，正在审查")
    expect(page.get_by_text(TIPSTER_NAME)).to_have_count(0)

    # the deciding judge opens the tip from the queue and verifies it
    log_in(page, live_server, "judge")
    page.goto(f"{live_server}/staff/bounties/{bounty.public_id}")
    page.get_by_role("link", name="第1号").click()
    expect(page.get_by_text(TIPSTER_ID)).to_be_visible()
    page.get_by_label(re.compile("^结论")).select_option(TipVerdict.VERIFIED.value)
    page.get_by_role("button", name="记录审查结论").click()
    expect(page.locator(".flash.success")).to_have_text("已记录审查结论。")
    shoot(page, artifacts, "bounty-3-judge-verified")

    db.session.expire_all()
    assert db.session.execute(select(Tip)).scalar_one().verdict == TipVerdict.VERIFIED

    # and the tipster, checking again, learns the lead was verified
    check_status(page, live_server, code)
    expect(page.locator("[data-tip-state]")).to_have_text("线索经核实，符合领取条件")
    shoot(page, artifacts, "bounty-4-status-verified")
