"""Courts, enforcement cases, their parties and recoveries."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from relief.core.models import Money, TimestampMixin, enum_type, public_id_column, zero
from relief.extensions import db


class Court(db.Model):
    __tablename__ = "courts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: court code in case numbers (辽11, 辽1103, ...)
    code: Mapped[str | None] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)


class Outcome(enum.StrEnum):
    """How an enforcement case stands or ended (结案方式)."""

    OPEN = "open"  #: 未结
    COMPLETED = "completed"  #: 执行完毕
    TERMINATED_ROUND = "terminated_round"  #: 终结本次执行程序 (终本)
    TERMINATED = "terminated"  #: 终结执行


class PartyKind(enum.StrEnum):
    PERSON = "person"  #: 自然人
    ORGANISATION = "organisation"  #: 法人或其他组织


class PartyRole(enum.StrEnum):
    APPLICANT = "applicant"  #: 申请执行人
    RESPONDENT = "respondent"  #: 被执行人


class EnforcementCase(TimestampMixin, db.Model):
    __tablename__ = "enforcement_cases"
    __table_args__ = (
        CheckConstraint("recovered_amount <= target_amount", name="recovered_within_target"),
        CheckConstraint("recovered_amount >= 0", name="recovered_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column("case")
    #: 案号, normalised to full-width brackets
    case_number: Mapped[str] = mapped_column(String(64), unique=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"))
    filed_on: Mapped[date]
    #: 案由
    cause: Mapped[str] = mapped_column(String(128))
    #: 执行依据: the judgment or other title being enforced
    basis_document: Mapped[str] = mapped_column(String(128))
    #: 申请执行标的金额
    target_amount: Mapped[Decimal] = mapped_column(Money)
    #: 实际到位金额, all recoveries so far
    recovered_amount: Mapped[Decimal] = mapped_column(Money, default=zero)
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome, 24))
    closed_on: Mapped[date | None]
    #: 承办人, the judge in charge as named in the court's export
    judge_name: Mapped[str] = mapped_column(String(64))

    court: Mapped[Court] = relationship()
    parties: Mapped[list[Party]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Party.id"
    )
    recoveries: Mapped[list[Recovery]] = relationship(back_populates="case", order_by="Recovery.id")

    @property
    def unpaid_amount(self) -> Decimal:
        """What the judgment still awards and nobody has paid."""
        return self.target_amount - self.recovered_amount

    def parties_in(self, role: PartyRole) -> list[Party]:
        """The parties on one side of the case."""
        return [party for party in self.parties if party.role == role]

    @property
    def applicant(self) -> Party | None:
        """The first applicant for enforcement."""
        applicants = self.parties_in(PartyRole.APPLICANT)
        return applicants[0] if applicants else None

    @property
    def respondent(self) -> Party | None:
        """The first judgment debtor."""
        respondents = self.parties_in(PartyRole.RESPONDENT)
        return respondents[0] if respondents else None


class Party(db.Model):
    __tablename__ = "parties"
    __table_args__ = (UniqueConstraint("case_id", "role", "id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_cases.id"))
    role: Mapped[PartyRole] = mapped_column(enum_type(PartyRole, 16))
    kind: Mapped[PartyKind] = mapped_column(enum_type(PartyKind, 16))
    name: Mapped[str] = mapped_column(String(128))
    #: 公民身份号码 (GB 11643) or 统一社会信用代码 (GB 32100), validated on entry
    id_number: Mapped[str] = mapped_column(String(18), index=True)

    case: Mapped[EnforcementCase] = relationship(back_populates="parties")


class Recovery(TimestampMixin, db.Model):
    """Money recovered from the debtor and recorded on the case after import."""

    __tablename__ = "recoveries"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_cases.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    received_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[EnforcementCase] = relationship(back_populates="recoveries")
