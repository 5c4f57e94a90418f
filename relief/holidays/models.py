"""Days whose working status an administrator has set by hand."""

from __future__ import annotations

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from relief.core.models import TimestampMixin
from relief.extensions import db


class HolidayOverride(TimestampMixin, db.Model):
    """A day off or a 调休 working day the holiday package lacks or gets wrong."""

    __tablename__ = "holiday_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    is_workday: Mapped[bool]
    #: where it comes from, e.g. 国办发明电〔2026〕1号
    note: Mapped[str] = mapped_column(String(200), default="")
