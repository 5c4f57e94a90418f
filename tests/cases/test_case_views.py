"""The case pages over HTTP: the workspace, search, the inquiry form, refusals and roles."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from relief.accounts.models import Role
from relief.cases import operations as ops
from relief.cases.models import EnforcementCase, InquiryResult, Outcome, PropertyKind, Stage
from relief.cases.rules import months_before
from relief.core import clock
from relief.extensions import db
from tests.factories import csrf_token, login, make_case, make_user


def judge_case(judge, **changes) -> EnforcementCase:
    """A case of the judge's in the inquiry stage, filed about six months ago."""
    case = make_case(unpaid="30000.00", outcome=Outcome.OPEN)
    case.judge_name = judge.display_name
    case.filed_on = changes.pop("filed_on", months_before(clock.today(), 6) + timedelta(days=3))
    ops.start_inquiry(case, reason="发起网络查控", user=judge)
    return case


@pytest.fixture
def judge(app):
    return make_user("judge", Role.JUDGE)


def test_the_judges_workspace_lists_their_deadlines_overdue_first(client, judge):
    due_soon = judge_case(judge)
    overdue = judge_case(judge, filed_on=date(2025, 1, 6))
    someone_elses = judge_case(judge)
    someone_elses.judge_name = "王芳"
    db.session.commit()

    login(client, "judge")
    page = client.get("/").get_data(as_text=True)

    assert page.index(overdue.case_number) < page.index(due_soon.case_number)
    assert someone_elses.case_number not in page
    assert "已逾期" in page


def test_recording_the_last_kind_moves_the_case_to_the_ordinary_track(client, judge):
    case = judge_case(judge)
    for kind in [PropertyKind.DEPOSITS, PropertyKind.VEHICLES, PropertyKind.REAL_ESTATE]:
        ops.record_inquiry_result(case, kind, None, clock.today(), user=judge)
    db.session.commit()
    login(client, "judge")
    url = f"/cases/{case.public_id}"

    client.post(
        f"{url}/inquiry-results",
        data={
            "kind": "securities",
            "found": "0",
            "received_on": clock.today().isoformat(),
            "csrf_token": csrf_token(client, url),
        },
    )
    response = client.post(
        f"{url}/inquiry-results",
        data={
            "kind": "other",
            "found": "0",
            "received_on": clock.today().isoformat(),
            "csrf_token": csrf_token(client, url),
        },
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert 'data-stage="ordinary"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(EnforcementCase, case.id).stage == Stage.ORDINARY


def test_deposits_found_without_an_amount_are_refused_next_to_the_field(client, judge):
    case = judge_case(judge)
    db.session.commit()
    login(client, "judge")
    url = f"/cases/{case.public_id}"

    response = client.post(
        f"{url}/inquiry-results",
        data={
            "kind": "deposits",
            "found": "1",
            "received_on": clock.today().isoformat(),
            "csrf_token": csrf_token(client, url),
        },
    )

    assert response.status_code == 422
    assert "查到存款的，请填写冻结金额。" in response.get_data(as_text=True)
    assert db.session.execute(select(InquiryResult)).first() is None


def test_an_illegal_move_over_http_shows_the_reason_and_changes_nothing(client, judge):
    case = judge_case(judge)  # still in inquiry: no disposal yet
    db.session.commit()
    login(client, "judge")
    url = f"/cases/{case.public_id}"

    response = client.post(
        f"{url}/disposal", data={"reason": "拍卖房产", "csrf_token": csrf_token(client, url)}
    )

    assert response.status_code == 422
    assert "不能转为“评估拍卖/强制处置”" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(EnforcementCase, case.id).stage == Stage.INQUIRY


def test_a_clerk_cannot_rule_termination(client, judge):
    case = judge_case(judge)
    make_user("clerk", Role.CLERK)
    db.session.commit()
    login(client, "clerk")
    url = f"/cases/{case.public_id}"

    response = client.post(f"{url}/terminate", data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 403


def test_forms_without_the_csrf_token_are_refused(client, judge):
    case = judge_case(judge)
    db.session.commit()
    login(client, "judge")

    response = client.post(f"/cases/{case.public_id}/inquiry-results", data={"kind": "other"})
    assert response.status_code == 400


def test_termination_over_http_produces_the_ruling_and_the_rechecks(client, judge):
    case = judge_case(judge, filed_on=date(2025, 3, 4))
    for kind in PropertyKind:
        ops.record_inquiry_result(case, kind, None, date(2025, 3, 20), user=judge)
    for measure in ("report_order", "consumption_restriction"):
        ops.record_measure(case, ops.MeasureKind(measure), date(2025, 3, 5), user=judge)
    db.session.commit()
    login(client, "judge")
    url = f"/cases/{case.public_id}"

    response = client.post(
        f"{url}/terminate",
        data={
            "ruled_on": "2025-08-31",
            "investigation_exhausted": "1",
            "investigation_summary": "未发现可供执行的财产",
            "applicant_informed_on": "2025-08-25",
            "applicant_view": "同意",
            "applicant_agrees": "1",
            "csrf_token": csrf_token(client, url),
        },
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "终结本次执行程序裁定书" in page
    assert "2026-02-28" in page  # the first re-check
    [ruling_url] = re.findall(r'href="(/documents/[^"]+\.pdf)"', page)
    ruling = client.get(ruling_url)
    assert ruling.mimetype == "application/pdf"
    assert ruling.data.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("q=侯平华", True),
        ("q=211103196907273165", True),
        ("stage=inquiry", True),
        ("stage=closed", False),
        ("judge=judge-name", True),
        ("judge=王芳", False),
        ("filed_from=2025-01-01&filed_to=2025-01-31", True),
        ("filed_from=2025-02-01", False),
    ],
)
def test_search_filters(client, judge, query, found):
    case = judge_case(judge, filed_on=date(2025, 1, 6))
    db.session.commit()
    login(client, "judge")

    page = client.get(f"/cases/?{query}").get_data(as_text=True)

    assert (case.case_number in page) is found


def test_lists_mask_identity_numbers_and_a_reversed_range_is_explained(client, judge):
    judge_case(judge)
    db.session.commit()
    login(client, "judge")

    page = client.get("/cases/").get_data(as_text=True)
    assert "211103196907273165" not in page
    assert "2111**********3165" in page

    page = client.get("/cases/?filed_from=2025-02-01&filed_to=2025-01-01").get_data(as_text=True)
    assert "结束日期不能早于开始日期。" in page


def test_recheck_due_appears_in_the_clerks_queue(client, judge):
    case = make_case(outcome=Outcome.TERMINATED_ROUND)
    rechecks = ops.schedule_rechecks(case, case.closed_on)
    make_user("clerk", Role.CLERK)
    db.session.commit()
    login(client, "clerk")

    page = client.get("/").get_data(as_text=True)

    # closed on 1 September 2024: the first re-checks are long overdue
    assert "第1次复查" in page and rechecks[0].due_on.isoformat() in page
