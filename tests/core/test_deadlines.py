"""Legal periods (DOMAIN.md E6), checked against the State Council schedules by hand.

Expected values are worked out in the comments from the published holiday notices, not
taken from the function's output.
"""

from datetime import date, datetime, timedelta, timezone

import pytest

from relief.core.deadlines import DEFAULT_CALENDAR, ChineseCalendar, Unit, deadline


def test_relief_decision_over_national_day_2025():
    # Filed Friday 2025-09-26; the filing day does not count. 2025 schedule: Sunday 09-28 is
    # a 调休 working day, 10-01..10-08 are off, Saturday 10-11 is a 调休 working day.
    #   09-27 Sat off    09-28 Sun  1   09-29 Mon  2   09-30 Tue  3
    #   10-01..10-08 off 10-09 Thu  4   10-10 Fri  5   10-11 Sat  6
    #   10-12 Sun off    10-13 Mon  7   10-14 Tue  8   10-15 Wed  9   10-16 Thu 10
    result = deadline(date(2025, 9, 26), 10, Unit.WORKDAY)

    assert result.due == date(2025, 10, 16)
    assert result.rolled_over_from is None
    assert "调休上班日计入" in result.rule
    assert "尚未载入" not in result.rule


def test_notify_to_collect_two_working_days_after_holiday_start():
    # Transfer on Tuesday 2025-09-30: 10-01..10-08 are off, so 10-09 and 10-10.
    assert deadline(date(2025, 9, 30), 2, Unit.WORKDAY).due == date(2025, 10, 10)


def test_workdays_from_a_day_off():
    # Saturday 2025-03-08 does not count; the first working day after it is Monday 03-10.
    assert deadline(date(2025, 3, 8), 1, Unit.WORKDAY).due == date(2025, 3, 10)


def test_five_days_ending_on_saturday_roll_to_monday():
    # Monday 2025-03-03 + 5 days = Saturday 03-08, an ordinary weekend -> Monday 03-10.
    result = deadline(date(2025, 3, 3), 5, Unit.DAY)

    assert result.due == date(2025, 3, 10)
    assert result.rolled_over_from == date(2025, 3, 8)
    assert "民事诉讼法第八十五条" in result.rule
    assert "周六、周日按休假日处理" in result.rule


def test_five_days_ending_on_a_working_day_stay():
    # Friday 2025-03-07 is the fifth day after Sunday 03-02.
    result = deadline(date(2025, 3, 2), 5, Unit.DAY)

    assert result.due == date(2025, 3, 7)
    assert result.rolled_over_from is None


def test_days_ending_in_spring_festival_roll_past_it():
    # 2025 Spring Festival: 01-28..02-04 off (Sunday 01-26 and Saturday 02-08 worked).
    # Friday 01-24 + 5 days = Wednesday 01-29, a holiday -> first working day 02-05.
    result = deadline(date(2025, 1, 24), 5, Unit.DAY)

    assert result.due == date(2025, 2, 5)
    assert result.rolled_over_from == date(2025, 1, 29)


def test_roll_over_stops_on_a_make_up_working_saturday():
    # 2025-10-08 is the last day of the National Day break; 10-09 is the next working day
    # (not 10-08 as a "7-day break" would suggest). Monday 2025-09-29 + 9 days = 10-08.
    result = deadline(date(2025, 9, 29), 9, Unit.DAY)

    assert result.due == date(2025, 10, 9)
    assert result.rolled_over_from == date(2025, 10, 8)

    # Saturday 2025-10-11 is a 调休 working day, so a period ending on it is not moved.
    result = deadline(date(2025, 10, 6), 5, Unit.DAY)

    assert result.due == date(2025, 10, 11)
    assert result.rolled_over_from is None


@pytest.mark.parametrize(
    ("start", "months", "due"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: 02-29 is the month's last day
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # no 02-31 -> 02-28, a Friday, worked
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # a Thursday, worked
        (date(2025, 3, 15), 1, date(2025, 4, 15)),  # the corresponding date, a Tuesday
        (date(2024, 11, 30), 3, date(2025, 2, 28)),  # across a year end
    ],
)
def test_months_end_on_the_corresponding_date(start, months, due):
    result = deadline(start, months, Unit.MONTH)

    assert result.due == due
    assert result.rolled_over_from is None
    assert "民法典第二百零一条至第二百零三条" in result.rule


def test_years():
    # 2024-02-29 + 1 year: no 2025-02-29 -> 02-28 (Friday).
    assert deadline(date(2024, 2, 29), 1, Unit.YEAR).due == date(2025, 2, 28)

    # Two years to apply for enforcement from 2023-10-01: 2025-10-01 is National Day ->
    # the first working day after the break, Thursday 2025-10-09.
    result = deadline(date(2023, 10, 1), 2, Unit.YEAR)

    assert result.due == date(2025, 10, 9)
    assert result.rolled_over_from == date(2025, 10, 1)
    assert "期间以年计算的" in result.rule


def test_termination_rechecks_every_six_months_for_five_years():
    # 终本 on 2024-08-31: re-checks at +6k months, each counted from the termination date
    # (not from the previous re-check, which would drift to the 28th after February).
    expected = {
        1: date(2025, 2, 28),  # Friday
        2: date(2025, 9, 1),  # 2025-08-31 is a Sunday -> Monday
        3: date(2026, 2, 28),  # a Saturday, but a 调休 working day after Spring Festival 2026
        4: date(2026, 8, 31),  # Monday
        5: date(2027, 3, 1),  # 2027-02-28 is a Sunday; 2027 not loaded, weekends only
        6: date(2027, 8, 31),  # Tuesday
        7: date(2028, 2, 29),  # leap year, Tuesday
        8: date(2028, 8, 31),  # Thursday
        9: date(2029, 2, 28),  # Wednesday
        10: date(2029, 8, 31),  # Friday
    }

    results = {k: deadline(date(2024, 8, 31), 6 * k, Unit.MONTH) for k in expected}

    assert {k: result.due for k, result in results.items()} == expected
    assert results[3].rolled_over_from is None
    assert results[5].rolled_over_from == date(2027, 2, 28)
    assert "尚未载入" not in results[4].rule
    assert "2027年节假日安排尚未载入，按周末计算" in results[5].rule


def test_48_hours_count_from_the_next_full_hour():
    result = deadline(datetime(2025, 3, 3, 9, 20), 48, Unit.HOUR)

    assert result.due == datetime(2025, 3, 5, 10, 0)
    assert result.rolled_over_from is None
    assert "从次时起算" in result.rule


def test_an_event_on_the_hour_still_starts_the_count_at_the_next_hour():
    # "开始的时不计算在内": the 09:00-10:00 hour is the starting hour.
    assert deadline(datetime(2025, 3, 3, 9, 0), 48, Unit.HOUR).due == datetime(2025, 3, 5, 10)


def test_hours_are_not_rolled_over_a_holiday():
    # 2025-09-30 20:15 -> count from 21:00 -> 2025-10-02 21:00, inside National Day.
    result = deadline(datetime(2025, 9, 30, 20, 15), 48, Unit.HOUR)

    assert result.due == datetime(2025, 10, 2, 21, 0)
    assert result.rolled_over_from is None


def test_hours_keep_the_time_zone():
    shanghai = timezone(timedelta(hours=8))
    result = deadline(datetime(2025, 3, 3, 23, 59, tzinfo=shanghai), 48, Unit.HOUR)

    assert result.due == datetime(2025, 3, 6, 0, 0, tzinfo=shanghai)


def test_unloaded_year_falls_back_to_weekends_and_says_so():
    # Sunday 2026-12-27 + 5 days = Friday 2027-01-01. New Year's Day is a holiday every
    # year, but without a 2027 schedule only weekends are known, so the day stands.
    result = deadline(date(2026, 12, 27), 5, Unit.DAY)

    assert result.due == date(2027, 1, 1)
    assert result.rolled_over_from is None
    assert result.rule.endswith("2027年节假日安排尚未载入，按周末计算")


def test_admin_override_for_an_unloaded_year():
    calendar = ChineseCalendar({date(2027, 1, 1): False})

    result = deadline(date(2026, 12, 27), 5, Unit.DAY, calendar)

    # Friday 01-01 is off, then the weekend -> Monday 2027-01-04.
    assert result.due == date(2027, 1, 4)
    assert result.rolled_over_from == date(2027, 1, 1)
    assert "尚未载入" not in result.rule


def test_admin_override_make_up_working_day_counts_as_workday():
    # Suppose the 2027 notice made Saturday 2027-01-09 a 调休 working day.
    calendar = ChineseCalendar({date(2027, 1, 1): False, date(2027, 1, 9): True})

    # From Thursday 2026-12-31: 01-01 off, 01-02/03 weekend, 01-04..01-08 are days 1-5,
    # Saturday 01-09 is day 6, Sunday off, Monday 01-11 is day 7.
    result = deadline(date(2026, 12, 31), 7, Unit.WORKDAY, calendar)

    assert result.due == date(2027, 1, 11)
    assert "尚未载入" not in result.rule


def test_workdays_into_an_unloaded_year_say_so():
    # From Thursday 2026-12-31 without a 2027 table: 01-01 counts as day 1 (Friday).
    result = deadline(date(2026, 12, 31), 1, Unit.WORKDAY)

    assert result.due == date(2027, 1, 1)
    assert "2027年节假日安排尚未载入" in result.rule


def test_override_corrects_a_known_year():
    # A one-off closure on Monday 2025-03-10 moves the Saturday 03-08 deadline to Tuesday.
    calendar = ChineseCalendar({date(2025, 3, 10): False})

    assert deadline(date(2025, 3, 3), 5, Unit.DAY, calendar).due == date(2025, 3, 11)


def test_calendar_knows():
    assert DEFAULT_CALENDAR.knows(2025)
    assert not DEFAULT_CALENDAR.knows(2027)
    assert ChineseCalendar({date(2027, 10, 1): False}).knows(2027)


def test_default_calendar_is_used_without_one():
    start = date(2025, 9, 26)

    assert deadline(start, 10, Unit.WORKDAY) == deadline(start, 10, Unit.WORKDAY, ChineseCalendar())


class NeverWorking:
    """A broken holiday table that marks every day off."""

    def is_workday(self, day):
        return False

    def knows(self, year):
        return True


def test_a_calendar_without_working_days_fails_instead_of_looping():
    with pytest.raises(ValueError, match="no working day"):
        deadline(date(2025, 3, 3), 5, Unit.DAY, NeverWorking())
    with pytest.raises(ValueError, match="no working day"):
        deadline(date(2025, 3, 3), 5, Unit.WORKDAY, NeverWorking())


def test_wrong_inputs_are_refused():
    with pytest.raises(TypeError, match="datetime"):
        deadline(date(2025, 3, 3), 48, Unit.HOUR)
    with pytest.raises(TypeError, match="date"):
        deadline(datetime(2025, 3, 3, 9, 20), 5, Unit.DAY)
    with pytest.raises(ValueError, match="at least one"):
        deadline(date(2025, 3, 3), 0, Unit.DAY)
    with pytest.raises(TypeError, match="whole number"):
        deadline(date(2025, 3, 3), 1.5, Unit.DAY)
