"""Changing the holiday table, and the calendar every deadline of the court is counted on."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from relief.core import audit
from relief.core.deadlines import ChineseCalendar
from relief.core.errors import OperationError
from relief.extensions import db
from relief.holidays.models import HolidayOverride


def court_calendar() -> ChineseCalendar:
    """The State Council schedule with the administrators' overrides on top."""
    overrides = db.session.execute(select(HolidayOverride.day, HolidayOverride.is_workday))
    return ChineseCalendar(overrides={day: is_workday for day, is_workday in overrides})


def set_override(day: date, is_workday: bool, note: str) -> HolidayOverride:
    """Set whether offices work on a day, replacing any earlier entry for it."""
    override = db.session.execute(
        select(HolidayOverride).where(HolidayOverride.day == day)
    ).scalar_one_or_none()
    if override is None:
        override = HolidayOverride(day=day)
        db.session.add(override)
    override.is_workday = is_workday
    override.note = note
    db.session.flush()

    audit.record("holiday.set", f"holiday:{day.isoformat()}", is_workday=is_workday, note=note)
    return override


def remove_override(day: date) -> None:
    """Drop the entry for a day, so the holiday package decides again."""
    override = db.session.execute(
        select(HolidayOverride).where(HolidayOverride.day == day)
    ).scalar_one_or_none()
    if override is None:
        raise OperationError("该日期没有设置。", field="day")

    db.session.delete(override)
    db.session.flush()
    audit.record("holiday.removed", f"holiday:{day.isoformat()}")
