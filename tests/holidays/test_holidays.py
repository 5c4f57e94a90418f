"""The holiday table: deadlines at National Day, Spring Festival and a 调休 Saturday, and the
administrator's overrides for a year the package does not know."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from relief.accounts.models import Role
from relief.core.deadlines import Unit, deadline
from relief.extensions import db
from relief.holidays.models import HolidayOverride
from relief.holidays.operations import court_calendar, set_override
from tests.factories import csrf_token, login, make_user


def test_seven_days_into_national_day_end_after_the_whole_holiday(app):
    # 24 Sep 2025 + 7 days = 1 Oct; 1-8 Oct 2025 are off, so the period ends on 9 October
    due = deadline(date(2025, 9, 24), 7, Unit.DAY, court_calendar())
    assert (due.due, due.rolled_over_from) == (date(2025, 10, 9), date(2025, 10, 1))


def test_a_period_ending_in_the_spring_festival_ends_when_work_resumes(app):
    # 8 Feb 2026 + 7 days = Sunday 15 Feb, first day of the holiday (15-23 Feb 2026)
    assert deadline(date(2026, 2, 8), 7, Unit.DAY, court_calendar()).due == date(2026, 2, 24)


def test_a_tiaoxiu_saturday_is_a_working_day(app):
    # Saturday 28 Sep 2025 is a make-up working day: a period ending on it does not roll
    assert deadline(date(2025, 9, 21), 7, Unit.DAY, court_calendar()).due == date(2025, 9, 28)
    # and it counts as a working day: two working days after Friday 26 Sep are 28 and 29 Sep
    assert deadline(date(2025, 9, 26), 2, Unit.WORKDAY, court_calendar()).due == date(2025, 9, 29)


def test_an_override_teaches_the_calendar_a_year_the_package_lacks(app):
    # 2027 is beyond chinese_calendar 1.11: Friday 1 Oct 2027 counts as a working day
    assert deadline(date(2027, 9, 24), 7, Unit.DAY, court_calendar()).due == date(2027, 10, 1)

    for day in range(1, 8):
        set_override(date(2027, 10, day), False, "国庆节")
    set_override(date(2027, 10, 9), True, "国庆节调休上班")

    due = deadline(date(2027, 9, 24), 7, Unit.DAY, court_calendar())
    assert due.due == date(2027, 10, 8)
    assert "2027年节假日安排尚未载入" not in due.rule
    assert deadline(date(2027, 10, 8), 1, Unit.WORKDAY, court_calendar()).due == date(2027, 10, 9)


def test_an_override_corrects_the_package(app):
    set_override(date(2025, 10, 8), True, "更正")
    assert deadline(date(2025, 9, 24), 7, Unit.DAY, court_calendar()).due == date(2025, 10, 8)


@pytest.fixture
def admin_client(client, app):
    make_user("admin", Role.ADMIN)
    db.session.commit()
    login(client, "admin")
    return client


def test_admin_sets_and_removes_a_day_in_the_browser_form(admin_client):
    url = "/admin/holidays/"
    response = admin_client.post(
        url,
        data={
            "day": "2027-02-06",
            "is_workday": "1",
            "note": "国务院办公厅关于2027年部分节假日安排的通知",
            "csrf_token": csrf_token(admin_client, url),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    [override] = db.session.execute(select(HolidayOverride)).scalars()
    assert (override.day, override.is_workday) == (date(2027, 2, 6), True)

    admin_client.post(
        f"{url}remove", data={"day": "2027-02-06", "csrf_token": csrf_token(admin_client, url)}
    )
    db.session.expire_all()
    assert db.session.execute(select(HolidayOverride)).first() is None


def test_a_day_without_its_source_is_refused(admin_client):
    url = "/admin/holidays/"
    response = admin_client.post(
        url,
        data={"day": "2027-02-06", "is_workday": "0", "csrf_token": csrf_token(admin_client, url)},
    )

    assert response.status_code == 422
    assert "此项为必填项。" in response.get_data(as_text=True)
    assert db.session.execute(select(HolidayOverride)).first() is None
