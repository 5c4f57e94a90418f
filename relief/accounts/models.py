"""Staff and insurer accounts."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from relief.core.models import TimestampMixin, enum_type
from relief.extensions import db


class Role(enum.StrEnum):
    """What a user may do; one role per account."""

    CLERK = "clerk"  #: files cases and applications, imports exports
    JUDGE = "judge"  #: decides and proposes
    APPROVER = "approver"  #: second signature on money
    INSURER = "insurer"  #: an insurer's staff, sees only that insurer's records
    ADMIN = "admin"  #: users, reference tables, settings


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: login name, unique
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: the name printed on decisions and shown in the audit trail
    display_name: Mapped[str] = mapped_column(String(64))
    #: argon2 hash
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, 16))
    #: for insurer staff: the insurer whose records they may see
    insurer_id: Mapped[int | None] = mapped_column(ForeignKey("insurers.id"))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]

    insurer = relationship("Insurer")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def has_role(self, *roles: Role) -> bool:
        """Whether the user holds one of the given roles."""
        return self.role in roles
