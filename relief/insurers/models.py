"""Insurers, their relief policies and their API clients."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from relief.core.models import Money, TimestampMixin, public_id_column
from relief.extensions import db


class Insurer(TimestampMixin, db.Model):
    __tablename__ = "insurers"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column("ins")
    #: full registered name, as printed on claims
    name: Mapped[str] = mapped_column(String(128), unique=True)
    short_name: Mapped[str] = mapped_column(String(32))

    relief_policies: Mapped[list[ReliefPolicy]] = relationship(
        back_populates="insurer", order_by="ReliefPolicy.starts_on"
    )


class ReliefPolicy(TimestampMixin, db.Model):
    """An enforcement-relief insurance policy (执行救助保险) bought by the court.

    Its limits come from the contract, not from law (DOMAIN.md C7; DESIGN.md §3).
    """

    __tablename__ = "relief_policies"
    __table_args__ = (
        CheckConstraint("ends_on > starts_on", name="period_not_empty"),
        CheckConstraint("per_case_limit > 0", name="per_case_limit_positive"),
        CheckConstraint("annual_aggregate >= per_case_limit", name="aggregate_covers_a_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column("pol")
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), index=True)
    policy_number: Mapped[str] = mapped_column(String(64), unique=True)
    starts_on: Mapped[date]
    #: last day of cover, inclusive
    ends_on: Mapped[date]
    per_case_limit: Mapped[Decimal] = mapped_column(Money)
    #: the most the insurer pays under this policy in its period
    annual_aggregate: Mapped[Decimal] = mapped_column(Money)
    #: whether the 36-month wage cap of 国家司法救助 also binds claims under this policy
    wage_cap_applies: Mapped[bool] = mapped_column(default=True)

    insurer: Mapped[Insurer] = relationship(back_populates="relief_policies")

    def covers(self, day: date) -> bool:
        """Whether the day falls inside the policy period."""
        return self.starts_on <= day <= self.ends_on


class ApiClient(TimestampMixin, db.Model):
    """A key pair with which one insurer's systems sign their API requests."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), index=True)
    #: public half, sent with every request
    key_id: Mapped[str] = mapped_column(String(64), unique=True)
    #: the shared secret, encrypted with the application's vault key
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    label: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[datetime | None]

    insurer: Mapped[Insurer] = relationship()
