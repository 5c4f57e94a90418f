"""The relief story in a real browser: what the clerk, the judge and the approver see and do.

The HTTP tests already prove the rules; these prove the pages work for a person: the upload
controls, the forms keeping what was typed, the buttons, and Chinese drawn as characters
rather than boxes.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageChops
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from relief.accounts.models import Role, User
from relief.assistance import operations
from relief.assistance.models import ApplicationStatus, ReliefApplication
from relief.assistance.rules import Category
from relief.cases.models import EnforcementCase, Outcome, PartyKind
from relief.core import clock
from relief.extensions import db
from tests.conftest import SAMPLE_EXPORT
from tests.factories import PASSWORD, load_liaoning_wages, make_case, make_insurer, make_user

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FONTS_NOT_REGISTERED = (
    "relief.fonts is not registered: add its blueprint to _register_blueprints in "
    "relief/__init__.py, or pages show boxes on machines without a CJK font"
)
#: characters from the pages, each drawn alone to compare their pixels
CHINESE_SAMPLE = "救助决定符合条件"


def log_in(page: Page, base_url: str, username: str) -> None:
    """Log in through the login form, as a person would."""
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()


def log_out(page: Page) -> None:
    """Log out with the button in the header."""
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()


def shoot(page: Page, folder: Path, name: str) -> None:
    """A full-page screenshot once the web font has loaded, for a person to look at."""
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def staff() -> None:
    """The three officials of the story, the insurer's policy and the wage figures."""
    for username, role in [
        ("clerk", Role.CLERK),
        ("judge", Role.JUDGE),
        ("approver", Role.APPROVER),
    ]:
        make_user(username, role)
    make_insurer("人保盘锦")
    load_liaoning_wages()


def test_relief_from_import_to_approval_in_the_browser(app, live_server, page, artifacts):
    staff()
    db.session.commit()

    # the clerk uploads the court's export and sees the rows it rejects before confirming
    log_in(page, live_server, "clerk")
    page.get_by_role("link", name="导入案件").click()
    page.get_by_label("导出文件").set_input_files(SAMPLE_EXPORT)
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_role("heading", name="导入预览")).to_be_visible()
    expect(page.locator("[data-count=imported]")).to_have_text("300")
    expect(page.locator("[data-count=rejected]")).to_have_text("5")
    expect(page.get_by_role("heading", name="被拒绝的行")).to_be_visible()
    expect(page.locator("table tbody tr")).not_to_have_count(0)
    shoot(page, artifacts, "1-import-preview")
    assert db.session.scalar(select(func.count(EnforcementCase.id))) == 0

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("status")).to_contain_text("导入完成：导入 300")
    assert db.session.scalar(select(func.count(EnforcementCase.id))) == 300

    # the clerk opens a terminated case of a natural person with money still owed
    case = next(
        case
        for case in db.session.execute(
            select(EnforcementCase)
            .where(EnforcementCase.outcome == Outcome.TERMINATED_ROUND)
            .order_by(EnforcementCase.id)
        ).scalars()
        if case.applicant.kind == PartyKind.PERSON and case.unpaid_amount > Decimal("80000")
    )
    # the judge's account is the one named as 承办人 in the export: the case lands in their queue
    judge = db.session.execute(select(User).where(User.username == "judge")).scalar_one()
    judge.display_name = case.judge_name
    db.session.commit()
    page.goto(f"{live_server}/cases/{case.public_id}")
    expect(page.get_by_role("heading", name=case.case_number)).to_be_visible()

    # ...and files the application with a proof of hardship
    page.get_by_role("link", name="为申请执行人提交救助申请").click()
    page.get_by_label("家庭人口（人）").fill("3")
    page.get_by_label("家庭月收入（元）").fill("1,200.00")
    page.get_by_label("申请救助金额（元）").fill("60000")
    page.get_by_label("生活困难情况说明").fill("交通事故致二级伤残，无劳动能力。")
    page.get_by_label("生活困难证明（村居委会或单位出具）").set_input_files(
        {"name": "困难证明.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}
    )
    shoot(page, artifacts, "2-filing-form")
    page.get_by_role("button", name="提交申请").click()

    verdict = page.locator("h2", has_text="资格审查")
    expect(verdict.locator(".badge")).to_have_text("符合条件")
    expect(page.locator("strong", has_text="可救助上限：¥")).to_be_visible()
    expect(page.get_by_role("link", name="困难证明.pdf")).to_be_visible()
    application_url = page.url
    shoot(page, artifacts, "3-application-filed")
    log_out(page)

    # the judge finds it in the queue and proposes 50,000
    log_in(page, live_server, "judge")
    relief_number = db.session.execute(select(ReliefApplication.relief_number)).scalar_one()
    page.get_by_role("link", name=relief_number).first.click()
    assert page.url == application_url
    shoot(page, artifacts, "3b-judge-proposal-form")
    page.get_by_label("拟救助金额（元）").fill("50000")
    page.get_by_label(re.compile("^理由")).fill("申请人因交通事故致残，被执行人无财产可供执行。")
    page.get_by_role("button", name="提交审批").click()
    expect(page.locator(".flash.success")).to_have_text("救助意见已提交审批。")
    expect(page.locator("h1 .badge")).to_have_text("待审批")
    log_out(page)

    # the approver approves: the decision is issued and listed on the application
    log_in(page, live_server, "approver")
    page.locator("tbody td a").first.click()
    assert page.url == application_url
    page.get_by_role("button", name="批准并出具救助决定书").click()
    expect(page.locator("h1 .badge")).to_have_text("已批准")
    decision_link = page.get_by_role("link", name="国家司法救助决定书")
    expect(decision_link).to_be_visible()
    shoot(page, artifacts, "4-application-approved")

    decision = page.request.get(live_server + decision_link.get_attribute("href"))
    assert decision.ok
    assert decision.body().startswith(b"%PDF-")
    application = db.session.execute(select(ReliefApplication)).scalar_one()
    assert application.status == ApplicationStatus.APPROVED
    assert application.proposed_amount == Decimal("50000.00")


def test_clerk_finds_a_case_by_its_number(app, live_server, page, artifacts):
    staff()
    wanted, _other = make_case(), make_case()
    db.session.commit()

    # the form sends its empty 执行法院 and 结案方式 choices (全部) along with the number
    log_in(page, live_server, "clerk")
    page.get_by_role("link", name="执行案件").click()
    page.get_by_label("案号、当事人姓名或证件号码").fill(wanted.case_number)
    page.get_by_role("button", name="查询").click()
    shoot(page, artifacts, "0-case-search")

    expect(page.get_by_text("共 1 件")).to_be_visible()
    expect(page.get_by_label("案号、当事人姓名或证件号码")).to_have_value(wanted.case_number)
    page.get_by_role("link", name=wanted.case_number).click()
    expect(page.get_by_role("heading", name=wanted.case_number)).to_be_visible()


def test_invalid_amount_is_named_beside_its_field_and_nothing_is_saved(
    app, live_server, page, artifacts
):
    staff()
    case = make_case()
    db.session.commit()

    log_in(page, live_server, "clerk")
    page.goto(f"{live_server}/relief/new?case_id={case.public_id}")
    page.get_by_label("救助类别").select_option(Category.MAINTENANCE.value)
    page.get_by_label("家庭人口（人）").fill("4")
    page.get_by_label("家庭月收入（元）").fill("900")
    page.get_by_label("申请救助金额（元）").fill("abc")
    page.get_by_label("生活困难情况说明").fill("无固定收入，独自抚养两个孩子。")
    page.get_by_label("生活困难证明（村居委会或单位出具）").set_input_files(
        {"name": "困难证明.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}
    )
    page.get_by_role("button", name="提交申请").click()

    # the message stands under the amount, and the field is marked
    amount = page.locator(".field", has=page.get_by_label("申请救助金额（元）"))
    expect(amount).to_have_class("field has-error")
    expect(amount.get_by_role("alert")).to_have_text(
        "请输入有效金额，例如 50000 或 50,000.00（最多两位小数）。"
    )
    expect(page.locator(".flash.error")).to_have_text("申请未提交，请按提示修改标红的项目。")
    # a browser cannot keep a chosen file across the round trip: the clerk is told so
    expect(page.locator("fieldset .flash.warning")).to_have_text(
        "申请未提交，已选择的文件没有保存：请重新选择后再提交。"
    )
    shoot(page, artifacts, "5-filing-form-invalid-amount")

    # everything else the clerk typed is still there
    expect(page.get_by_label("申请救助金额（元）")).to_have_value("abc")
    expect(page.get_by_label("救助类别")).to_have_value(Category.MAINTENANCE.value)
    expect(page.get_by_label("家庭人口（人）")).to_have_value("4")
    expect(page.get_by_label("家庭月收入（元）")).to_have_value("900")
    expect(page.get_by_label("生活困难情况说明")).to_have_value("无固定收入，独自抚养两个孩子。")

    # nothing was saved: no application, no stored proof
    assert db.session.scalar(select(func.count(ReliefApplication.id))) == 0
    proofs = Path(app.config["UPLOAD_FOLDER"]) / "proofs"
    assert not proofs.exists() or not any(proofs.iterdir())


# --- Chinese as characters, not boxes ------------------------------------------------------


def open_filed_application(page: Page, base_url: str) -> None:
    """Log in as the clerk and open an application filed for a new case."""
    clerk = make_user("clerk", Role.CLERK)
    _, policy, _, _ = make_insurer("人保盘锦")
    load_liaoning_wages()
    case = make_case()
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
            circumstances="交通事故致二级伤残，无劳动能力。",
            exclusions=frozenset(),
            filed_on=clock.today(),
        ),
        clerk=clerk,
    )
    db.session.commit()

    log_in(page, base_url, "clerk")
    page.goto(f"{base_url}/relief/{application.public_id}")
    expect(page.get_by_role("heading", name="资格审查")).to_be_visible()


def glyph_images(page: Page, text: str) -> list[Image.Image]:
    """Draw each character of ``text`` alone in the page's own font stack; return the pixels.

    Every character gets a box of the same size at a whole-pixel position, so that two
    identical glyphs give identical pixels.
    """
    page.evaluate(
        """text => {
            const row = document.createElement('div');
            row.id = 'glyph-probe';
            for (const character of text) {
                const box = document.createElement('span');
                box.textContent = character;
                box.style.cssText = 'display: inline-block; width: 48px; height: 48px; '
                    + 'font-size: 32px; line-height: 48px; overflow: hidden';
                row.appendChild(box);
            }
            document.querySelector('main').prepend(row);
        }""",
        text,
    )
    page.evaluate("document.fonts.ready.then(() => true)")
    boxes = page.locator("#glyph-probe span")
    return [Image.open(io.BytesIO(boxes.nth(i).screenshot())) for i in range(boxes.count())]


def distinct(images: list[Image.Image]) -> int:
    """How many of the images differ in at least one pixel from all the others."""
    kept: list[Image.Image] = []
    for image in images:
        if not any(
            image.size == other.size and ImageChops.difference(image, other).getbbox() is None
            for other in kept
        ):
            kept.append(image)
    return len(kept)


def web_font_status(page: Page) -> list[str]:
    """The load status of every Noto Sans SC face the page declares."""
    return page.evaluate(
        """() => document.fonts.ready.then(fonts => [...fonts]
            .filter(face => face.family.replace(/"/g, '') === 'Noto Sans SC')
            .map(face => face.status))"""
    )


def test_web_font_is_served_once_and_then_cached(app, client):
    assert "fonts" in app.blueprints, FONTS_NOT_REGISTERED

    response = client.get("/static/fonts/NotoSansSC-Regular.otf")
    assert response.status_code == 200
    assert response.mimetype == "font/otf"
    assert response.get_data().startswith(b"OTTO")  # OpenType with CFF outlines
    assert response.cache_control.public
    assert response.cache_control.max_age == 365 * 24 * 3600
    etag = response.headers["ETag"]
    response.close()

    again = client.get("/static/fonts/NotoSansSC-Regular.otf", headers={"If-None-Match": etag})
    assert again.status_code == 304
    again.close()


def test_application_page_draws_chinese_with_the_web_font(app, live_server, page, artifacts):
    assert "fonts" in app.blueprints, FONTS_NOT_REGISTERED
    open_filed_application(page, live_server)

    assert web_font_status(page) == ["loaded"]
    assert page.evaluate("document.fonts.check('16px \"Noto Sans SC\"', '救助')")
    shoot(page, artifacts, "6-application-page")

    # a box is the same for every missing character; real glyphs all differ
    assert distinct(glyph_images(page, CHINESE_SAMPLE)) == len(CHINESE_SAMPLE)


def test_glyph_check_sees_boxes_when_the_web_font_is_missing(app, live_server, page, artifacts):
    # the control for the test above: without the font, the same check must fail
    page.route("**/fonts/NotoSansSC-Regular.otf", lambda route: route.abort())
    open_filed_application(page, live_server)

    assert web_font_status(page) == ["error"]
    shoot(page, artifacts, "7-application-page-without-web-font")
    assert distinct(glyph_images(page, CHINESE_SAMPLE)) == 1
