"""Relief (国家司法救助) applications, the insurer's claims, and clawbacks."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from relief.core.models import Money, TimestampMixin, enum_type, public_id_column
from relief.extensions import db


class WageFigure(db.Model):
    """A published provincial average wage, the base of the relief cap (DOMAIN.md E1)."""

    __tablename__ = "wage_figures"
    __table_args__ = (
        UniqueConstraint("province", "year", "series"),
        CheckConstraint("annual_amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    province: Mapped[str] = mapped_column(String(16))
    #: the statistic year the figure describes, not the year it was published
    year: Mapped[int]
    #: which series: see relief.assistance.rules.WageSeries
    series: Mapped[str] = mapped_column(String(32))
    annual_amount: Mapped[Decimal] = mapped_column(Money)
    source: Mapped[str] = mapped_column(Text, default="")


class ApplicationStatus(enum.StrEnum):
    FILED = "filed"  #: filed by a clerk, waiting for the judge
    PROPOSED = "proposed"  #: the judge proposed an amount; waiting for the approver
    RETURNED = "returned"  #: the approver sent it back to the judge
    APPROVED = "approved"  #: granted; the claim went to the insurer
    DECLINED = "declined"  #: the judge found it not eligible


#: states in which an application still counts as the one relief of its (case, applicant)
ACTIVE_STATUSES = (
    ApplicationStatus.FILED,
    ApplicationStatus.PROPOSED,
    ApplicationStatus.RETURNED,
    ApplicationStatus.APPROVED,
)


class ReliefApplication(TimestampMixin, db.Model):
    __tablename__ = "relief_applications"
    __table_args__ = (
        # One relief per (case, applicant): ReliefOpinion art. 2. A declined application
        # does not block a new one with better evidence.
        Index(
            "uq_relief_applications_one_per_case_applicant",
            "case_id",
            "party_id",
            unique=True,
            sqlite_where=text("status <> 'declined'"),
            postgresql_where=text("status <> 'declined'"),
        ),
        CheckConstraint("household_size >= 1", name="household_not_empty"),
        CheckConstraint("amount_requested > 0", name="amount_requested_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column("app")
    #: 司救执 case number given on filing
    relief_number: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_cases.id"), index=True)
    #: the applicant for enforcement who asks for relief
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    policy_id: Mapped[int] = mapped_column(ForeignKey("relief_policies.id"))
    #: eligibility category, ReliefOpinion art. 3 (see rules.Category)
    category: Mapped[str] = mapped_column(String(32))
    household_size: Mapped[int]
    household_monthly_income: Mapped[Decimal] = mapped_column(Money)
    #: compensation or assistance already received from any source
    compensation_received: Mapped[Decimal] = mapped_column(Money)
    amount_requested: Mapped[Decimal] = mapped_column(Money)
    #: the applicant's situation in the clerk's words
    circumstances: Mapped[str] = mapped_column(Text, default="")
    #: exclusion grounds the clerk found (rules.Exclusion values)
    exclusions: Mapped[list] = mapped_column(JSON, default=list)
    filed_on: Mapped[date]
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: 10 working days from filing (DOMAIN.md C5)
    decision_due_on: Mapped[date]
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_type(ApplicationStatus, 16),
        default=ApplicationStatus.FILED,
        index=True,
    )

    proposed_amount: Mapped[Decimal | None] = mapped_column(Money)
    proposal_reason: Mapped[str | None] = mapped_column(Text)
    #: why the judge proposes relief although the case has no 终本 ruling
    termination_override_reason: Mapped[str | None] = mapped_column(Text)
    #: "especially serious" (ReliefOpinion): lets the amount exceed the wage cap
    especially_serious: Mapped[bool] = mapped_column(default=False)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime | None]

    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    #: the eligibility verdict as it stood when the amount was proposed and approved
    eligibility_snapshot: Mapped[dict | None] = mapped_column(JSON)

    #: optimistic lock: two approvers acting at once cannot both win
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it once)

    case = relationship("EnforcementCase")
    party = relationship("Party")
    policy = relationship("ReliefPolicy")
    filed_by = relationship("User", foreign_keys=[filed_by_id])
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    proofs: Mapped[list[ProofDocument]] = relationship(
        back_populates="application", order_by="ProofDocument.id"
    )
    claim: Mapped[ReliefClaim | None] = relationship(back_populates="application")
    #: the documents issued on the application, for loading with many applications at once
    documents = relationship("IssuedDocument", viewonly=True, order_by="IssuedDocument.id")


class ProofDocument(TimestampMixin, db.Model):
    """A proof uploaded with an application (ReliefProc materials, DOMAIN.md C4.4)."""

    __tablename__ = "proof_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("relief_applications.id"), index=True)
    #: which material it proves (rules.ProofKind)
    kind: Mapped[str] = mapped_column(String(32))
    #: the name the uploader gave the file; shown, never used as a path
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    #: name of the stored file inside the upload folder
    storage_key: Mapped[str] = mapped_column(String(96), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    application: Mapped[ReliefApplication] = relationship(back_populates="proofs")


class ClaimStatus(enum.StrEnum):
    SUBMITTED = "submitted"  #: sent to the insurer, waiting for its answer
    ACCEPTED = "accepted"  #: the insurer accepted it and will pay
    REJECTED = "rejected"  #: the insurer refused it, with a reason
    PAID = "paid"  #: the insurer paid


class ReliefClaim(TimestampMixin, db.Model):
    """The claim to the insurer made from an approved relief application."""

    __tablename__ = "relief_claims"
    __table_args__ = (
        UniqueConstraint("insurer_id", "transaction_reference"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column("clm")
    application_id: Mapped[int] = mapped_column(ForeignKey("relief_applications.id"), unique=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("relief_policies.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[ClaimStatus] = mapped_column(
        enum_type(ClaimStatus, 16),
        default=ClaimStatus.SUBMITTED,
        index=True,
    )
    submitted_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    paid_amount: Mapped[Decimal | None] = mapped_column(Money)
    paid_on: Mapped[date | None]
    transaction_reference: Mapped[str | None] = mapped_column(String(64))
    #: relief recovered from later enforcement and owed back to the insurer
    clawed_back: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))

    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it once)

    application: Mapped[ReliefApplication] = relationship(back_populates="claim")
    insurer = relationship("Insurer")
    policy = relationship("ReliefPolicy")
    clawbacks: Mapped[list[Clawback]] = relationship(back_populates="claim", order_by="Clawback.id")

    @property
    def outstanding_clawback(self) -> Decimal:
        """Relief paid that later recoveries have not yet returned."""
        return (self.paid_amount or Decimal("0.00")) - self.clawed_back


class Clawback(TimestampMixin, db.Model):
    """Relief deducted from a later recovery and owed back to the insurer (DOMAIN.md C6)."""

    __tablename__ = "clawbacks"
    __table_args__ = (
        UniqueConstraint("claim_id", "recovery_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("relief_claims.id"), index=True)
    recovery_id: Mapped[int] = mapped_column(ForeignKey("recoveries.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    #: the insurer the money is owed to (relief insurance: subrogation, DESIGN.md §3)
    owed_to_insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"))
    settled_on: Mapped[date | None]

    claim: Mapped[ReliefClaim] = relationship(back_populates="clawbacks")
    recovery = relationship("Recovery")
