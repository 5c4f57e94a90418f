"""Legal deadlines: counting periods in hours, days, working days, months and years.

The rules are those of DOMAIN.md E6: the starting hour or day is not counted (CPL art. 85(2),
民法典 art. 201); month and year periods end on the corresponding date, or the last day of
the month when there is none (民法典 art. 202); a period in days, months or years that ends
on a day off ends on the next working day instead (CPL art. 85(3), 民法典 art. 203).

Which days are working days comes from a calendar object. This module knows nothing of the
database: callers that hold an admin-entered holiday table pass it in as overrides.
"""

import calendar as gregorian
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Protocol

import chinese_calendar


class Unit(StrEnum):
    """The unit a legal period is counted in."""

    HOUR = "hour"
    DAY = "day"
    WORKDAY = "workday"
    MONTH = "month"
    YEAR = "year"


class WorkCalendar(Protocol):
    """Tells working days from days off, and which years it has a schedule for."""

    def is_workday(self, day: date, /) -> bool:
        """Whether offices work on this day (调休 make-up days included)."""
        ...

    def knows(self, year: int, /) -> bool:
        """Whether the holiday schedule of this year is loaded."""
        ...


class ChineseCalendar:
    """The State Council holiday schedule from chinese_calendar, plus admin overrides."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        # {day: is_workday}: a later year's schedule, or a correction to the package's data.
        self.overrides = dict(overrides or {})
        self._override_years = {day.year for day in self.overrides}

    def is_workday(self, day: date) -> bool:
        """Whether offices work on this day; weekends only for a year nobody has loaded."""
        if day in self.overrides:
            return self.overrides[day]

        # chinese_calendar answers with is_holiday == not is_workday, and its is_workday is
        # True on 调休 make-up Saturdays and Sundays, which is what periods need.
        if _package_knows(day.year):
            return chinese_calendar.is_workday(day)

        return day.weekday() < 5

    def knows(self, year: int) -> bool:
        """Whether this year's holidays come from the package or from the overrides."""
        return year in self._override_years or _package_knows(year)


@cache
def _package_knows(year: int) -> bool:
    """Whether the installed chinese_calendar has data for this year."""
    # The package raises for a year outside its data (2004-2026 in 1.11); asking it keeps
    # this right when a newer release adds years.
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


#: The calendar used when a caller passes none: the package's data only, no overrides.
DEFAULT_CALENDAR = ChineseCalendar()


@dataclass(frozen=True)
class Deadline:
    """The last day (or hour) of a period, the rule applied, and any roll-over."""

    #: The last day of the period (it ends at 24:00), or for HOUR the moment it ends.
    due: date | datetime
    #: The rule applied and its source, in Chinese, fit to quote in a document.
    rule: str
    #: The day the period would have ended on before the holiday roll-over, if any.
    rolled_over_from: date | None = None


RULE_HOUR = (
    "期间以时计算的，开始的时不计算在内，从次时起算，期满不因节假日顺延"
    "（民事诉讼法第八十五条第二款；最高人民法院关于适用《中华人民共和国民事诉讼法》的解释"
    "第一百二十五条）"
)
RULE_DAY = (
    "期间以日计算的，开始的日不计算在内，从次日起算；期间届满的最后一日是法定休假日的，"
    "以法定休假日后的第一日为期间的最后一日（民事诉讼法第八十五条；民法典第二百零一条、"
    "第二百零三条）"
)
RULE_MONTH = (
    "期间以{unit}计算的，开始的日不计算在内，到期月的对应日为期间的最后一日，没有对应日的，"
    "月末日为期间的最后一日；期间届满的最后一日是法定休假日的，以法定休假日后的第一日为"
    "期间的最后一日（民法典第二百零一条至第二百零三条；民事诉讼法第八十五条）"
)
RULE_WORKDAY = (
    "期间以工作日计算的，开始的日不计算在内，从次日起算，周末和法定节假日不计入，"
    "调休上班日计入（民法典第二百零一条；国务院办公厅当年节假日安排）"
)
# Weekends as days off is court practice rather than statute text (DOMAIN.md E6, [M]).
RULE_WEEKENDS = "周六、周日按休假日处理，调休上班日按工作日处理"

# A bound on the roll-over, so a calendar that marks every day off fails instead of looping.
MAX_ROLL_OVER_DAYS = 366


def deadline(
    start: date | datetime,
    amount: int,
    unit: Unit,
    calendar: WorkCalendar | None = None,
) -> Deadline:
    """Compute when a period of `amount` units counted from `start` ends (DOMAIN.md E6).

    `start` is the day (for HOUR, the moment) of the event that starts the period; it is
    not counted. HOUR needs a datetime and is never rolled over; the other units need a
    date. Raises TypeError for a wrong start type and ValueError for an amount below one.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"a period is a whole number of units, not {amount!r}")
    if amount < 1:
        raise ValueError(f"a period is at least one unit long, not {amount}")

    unit = Unit(unit)
    if calendar is None:
        calendar = DEFAULT_CALENDAR

    if unit is Unit.HOUR:
        if not isinstance(start, datetime):
            raise TypeError("a period in hours starts at a datetime, not a date")
        return _hours(start, amount)

    # A datetime here is usually a UTC timestamp whose date may not be the local day;
    # the caller must decide which day the event happened on.
    if isinstance(start, datetime) or not isinstance(start, date):
        raise TypeError(f"a period in {unit.value}s starts on a date, not {start!r}")

    if unit is Unit.WORKDAY:
        return _workdays(start, amount, calendar)

    if unit is Unit.DAY:
        end = start + timedelta(days=amount)
        rule = RULE_DAY
    else:
        months = amount if unit is Unit.MONTH else 12 * amount
        end = _add_months(start, months)
        rule = RULE_MONTH.format(unit="月" if unit is Unit.MONTH else "年")

    due, consulted = _roll_over(end, calendar)
    return Deadline(
        due=due,
        rule=_with_notes(f"{rule}。{RULE_WEEKENDS}", consulted, calendar),
        rolled_over_from=end if due != end else None,
    )


def _hours(start: datetime, amount: int) -> Deadline:
    """Count whole hours from the hour after the one in which `start` falls."""
    # The hour the event happens in is not counted even when it happens on the hour:
    # 09:20 and 09:00 both start the count at 10:00.
    first_hour = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return Deadline(due=first_hour + timedelta(hours=amount), rule=RULE_HOUR)


def _workdays(start: date, amount: int, calendar: WorkCalendar) -> Deadline:
    """Count `amount` working days after `start`, the last one being the due day."""
    day = start
    consulted = []
    remaining = amount
    days_off_in_a_row = 0

    while remaining:
        day += timedelta(days=1)
        consulted.append(day)
        if calendar.is_workday(day):
            remaining -= 1
            days_off_in_a_row = 0
        else:
            days_off_in_a_row += 1
            if days_off_in_a_row > MAX_ROLL_OVER_DAYS:
                raise ValueError(f"the calendar has no working day in the year before {day}")

    return Deadline(due=day, rule=_with_notes(RULE_WORKDAY, consulted, calendar))


def _add_months(start: date, months: int) -> date:
    """The corresponding day `months` later, or that month's last day (民法典 art. 202)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last_day = gregorian.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def _roll_over(end: date, calendar: WorkCalendar) -> tuple[date, list[date]]:
    """Move a last day that is not a working day to the next working day."""
    day = end
    consulted = [day]

    while not calendar.is_workday(day):
        if (day - end).days >= MAX_ROLL_OVER_DAYS:
            raise ValueError(f"the calendar has no working day within a year after {end}")
        day += timedelta(days=1)
        consulted.append(day)

    return day, consulted


def _with_notes(rule: str, consulted: Iterable[date], calendar: WorkCalendar) -> str:
    """Append a warning for each year whose holidays were needed but are not loaded."""
    unknown = sorted({day.year for day in consulted if not calendar.knows(day.year)})
    if not unknown:
        return rule

    years = "、".join(f"{year}年" for year in unknown)
    return f"{rule}。{years}节假日安排尚未载入，按周末计算"
