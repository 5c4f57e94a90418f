"""Column types and mixins shared by every feature's models."""

import enum
import secrets
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Enum, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def new_public_id(prefix: str) -> str:
    """Return an opaque identifier for outside parties, e.g. ``clm_3q9...``.

    Database ids never leave the application: they leak volumes and invite guessing.
    """
    return f"{prefix}_{secrets.token_urlsafe(12)}"


# Money: NUMERIC(14, 2) round-trips as Decimal on SQLite and PostgreSQL alike.
Money = Numeric(14, 2, asdecimal=True)


class TimestampMixin:
    """Creation and last-change times, stored in UTC."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def zero() -> Decimal:
    """Return a fresh zero amount in yuan."""
    return Decimal("0.00")


def public_id_column(prefix: str) -> Mapped[str]:
    """A unique opaque id column with the given prefix."""
    return mapped_column(
        String(32), unique=True, default=lambda: new_public_id(prefix), nullable=False
    )


def enum_type(enum_class: type[enum.Enum], length: int) -> Enum:
    """A VARCHAR column holding the enum's values (``"declined"``), not its member names.

    Values are what SQL written by hand (partial indexes, reports) and other readers of the
    database expect to see.
    """
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
