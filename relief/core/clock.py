"""The court's clock: today's date and the time in China, in one place tests can move."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

COURT_TIMEZONE = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current time in the court's timezone."""
    return datetime.now(COURT_TIMEZONE)


def today() -> date:
    """Today's date where the court sits (not the server's UTC date)."""
    return now().date()
