"""Bounties: the insurer's contract terms, the bounty and its insurance, tips and payouts."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from relief.bounties.rules import AmountMethod, BountyKind, Exclusion, Terms, TipVerdict
from relief.core.models import Money, TimestampMixin, enum_type, public_id_column, utcnow
from relief.extensions import db

#: a rate such as 0.1000 (10%): four decimals are enough for any contract
Rate = Numeric(5, 4, asdecimal=True)


class BountyContract(TimestampMixin, db.Model):
    """An insurer's bounty-insurance terms (DESIGN.md §3); defaults from DOMAIN.md B2."""

    __tablename__ = "bounty_contracts"
    __table_args__ = (
        CheckConstraint("property_cap > 0", name="property_cap_positive"),
        CheckConstraint("whereabouts_cap > 0", name="whereabouts_cap_positive"),
        CheckConstraint("premium_rate > 0 AND premium_rate <= 1", name="premium_rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), unique=True)
    property_cap: Mapped[Decimal] = mapped_column(Money)
    whereabouts_cap: Mapped[Decimal] = mapped_column(Money)
    #: share of the maximum bounty charged as premium
    premium_rate: Mapped[Decimal] = mapped_column(Rate)
    policy_months: Mapped[int] = mapped_column(default=12)

    insurer = relationship("Insurer")


class BountyStatus(enum.StrEnum):
    FILED = "filed"  #: filed by a clerk, waiting for the judge's decision
    GRANTED = "granted"  #: granted and published
    REJECTED = "rejected"  #: the judge refused to publish it
    ENDED = "ended"  #: no longer open: see end_reason


class EndReason(enum.StrEnum):
    RECOVERED = "recovered"  #: the judgment is fully satisfied
    EXPIRED = "expired"  #: the policy or the publication period ended
    WITHDRAWN = "withdrawn"  #: the applicant withdrew it


class InsuranceStatus(enum.StrEnum):
    PENDING = "pending"  #: the insurer has not answered yet
    QUOTED = "quoted"  #: the insurer quoted a premium
    INSURED = "insured"  #: the insurer issued the policy
    DECLINED = "declined"  #: the insurer declined to insure it


class Bounty(TimestampMixin, db.Model):
    """An applicant's bounty on an enforcement case (InvRules arts. 21–24)."""

    __tablename__ = "bounties"
    __table_args__ = (
        UniqueConstraint("insurer_id", "policy_number"),
        CheckConstraint("fixed_amount IS NULL OR fixed_amount > 0", name="fixed_positive"),
        CheckConstraint("cap IS NULL OR cap > 0", name="cap_positive"),
        CheckConstraint("rate IS NULL OR (rate > 0 AND rate <= 1)", name="rate_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column("bty")
    #: number printed on the notice
    notice_number: Mapped[str] = mapped_column(String(80), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_cases.id"), index=True)
    #: the applicant for enforcement who offers the bounty
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    #: the insurer whose bounty insurance and contract caps apply
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), index=True)

    kind: Mapped[BountyKind] = mapped_column(enum_type(BountyKind, 16))
    method: Mapped[AmountMethod] = mapped_column(enum_type(AmountMethod, 16))
    fixed_amount: Mapped[Decimal | None] = mapped_column(Money)
    rate: Mapped[Decimal | None] = mapped_column(Rate)
    cap: Mapped[Decimal | None] = mapped_column(Money)
    #: publication channels (InvRules art. 22(2)): values of views.CHANNELS
    channels: Mapped[list] = mapped_column(JSON, default=list)
    #: the applicant undertook in writing to pay the bounty (InvRules art. 21(1)(2))
    undertaking: Mapped[bool] = mapped_column(default=False)
    #: what the notice publishes about the debtor besides name (last address, vehicle...)
    published_details: Mapped[str] = mapped_column(Text, default="")

    filed_on: Mapped[date]
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: 10 calendar days from filing (InvRules art. 21(2))
    decision_due_on: Mapped[date]
    status: Mapped[BountyStatus] = mapped_column(
        enum_type(BountyStatus, 16), default=BountyStatus.FILED, index=True
    )
    #: the judge who decided; the only official who sees tipsters' identities
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    #: last day tips are taken: the policy's end, or a year after the grant until insured
    expires_on: Mapped[date | None]
    end_reason: Mapped[EndReason | None] = mapped_column(enum_type(EndReason, 16))
    ended_at: Mapped[datetime | None]
    notice_document_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id"))

    insurance_status: Mapped[InsuranceStatus] = mapped_column(
        enum_type(InsuranceStatus, 16), default=InsuranceStatus.PENDING
    )
    premium: Mapped[Decimal | None] = mapped_column(Money)
    policy_number: Mapped[str | None] = mapped_column(String(64))
    policy_starts_on: Mapped[date | None]
    policy_ends_on: Mapped[date | None]
    insurance_declined_reason: Mapped[str | None] = mapped_column(Text)

    #: optimistic lock: two decisions at once cannot both win
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it once)

    case = relationship("EnforcementCase")
    party = relationship("Party")
    insurer = relationship("Insurer")
    filed_by = relationship("User", foreign_keys=[filed_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    notice_document = relationship("IssuedDocument")
    tips: Mapped[list[Tip]] = relationship(back_populates="bounty", order_by="Tip.sequence")
    payouts: Mapped[list[BountyPayout]] = relationship(
        back_populates="bounty", order_by="BountyPayout.id"
    )

    @property
    def terms(self) -> Terms:
        """The terms as the rules read them."""
        return Terms(
            kind=self.kind,
            method=self.method,
            fixed_amount=self.fixed_amount,
            rate=self.rate,
            cap=self.cap,
        )

    def open_on(self, day: date) -> bool:
        """Whether tips are taken on the day: granted, not ended, not past its last day."""
        return self.status == BountyStatus.GRANTED and (
            self.expires_on is None or day <= self.expires_on
        )


class Tip(TimestampMixin, db.Model):
    """A tip from the public. Identity, contact and lead are encrypted (InvRules art. 23(2))."""

    __tablename__ = "bounty_tips"
    __table_args__ = (UniqueConstraint("bounty_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column("tip")
    bounty_id: Mapped[int] = mapped_column(ForeignKey("bounties.id"), index=True)
    #: registration order within the bounty (InvRules art. 23(1))
    sequence: Mapped[int]
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    lead_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    name_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    phone_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    #: SHA-256 of the receipt code; the code itself is never stored
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_confirmed_at: Mapped[datetime | None]
    #: a ground of exclusion the case's own parties show (rules.screen_tipster)
    suspected_exclusion: Mapped[Exclusion | None] = mapped_column(enum_type(Exclusion, 24))

    verdict: Mapped[TipVerdict] = mapped_column(
        enum_type(TipVerdict, 16), default=TipVerdict.PENDING
    )
    exclusion: Mapped[Exclusion | None] = mapped_column(enum_type(Exclusion, 24))
    same_lead_as_id: Mapped[int | None] = mapped_column(ForeignKey("bounty_tips.id"))
    #: the judge's note; shown to the court only
    verdict_note: Mapped[str | None] = mapped_column(Text)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime | None]

    bounty: Mapped[Bounty] = relationship(back_populates="tips")
    same_lead_as = relationship("Tip", remote_side=[id])
    attachments: Mapped[list[TipAttachment]] = relationship(
        back_populates="tip", order_by="TipAttachment.id"
    )
    additions: Mapped[list[TipAddition]] = relationship(
        back_populates="tip", order_by="TipAddition.id"
    )
    recoveries: Mapped[list[TipRecovery]] = relationship(
        back_populates="tip", order_by="TipRecovery.id"
    )


class TipAddition(db.Model):
    """Information the tipster added later with the receipt code; encrypted like the lead."""

    __tablename__ = "bounty_tip_additions"

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("bounty_tips.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    text_encrypted: Mapped[bytes] = mapped_column(LargeBinary)

    tip: Mapped[Tip] = relationship(back_populates="additions")


class TipAttachment(db.Model):
    """A photo or PDF sent with a tip, type checked by content (relief.core.uploads)."""

    __tablename__ = "bounty_tip_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("bounty_tips.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    #: name of the stored file inside the upload folder
    storage_key: Mapped[str] = mapped_column(String(96), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    tip: Mapped[Tip] = relationship(back_populates="attachments")


class TipRecovery(db.Model):
    """A recovery on the case that the tip's lead led to."""

    __tablename__ = "bounty_tip_recoveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("bounty_tips.id"), index=True)
    recovery_id: Mapped[int] = mapped_column(ForeignKey("recoveries.id"), unique=True)

    tip: Mapped[Tip] = relationship(back_populates="recoveries")
    recovery = relationship("Recovery")


class PayoutStatus(enum.StrEnum):
    PROPOSED = "proposed"  #: the judge computed it; waiting for the approver
    APPROVED = "approved"  #: signed; the result notice went to the insurer
    PAID = "paid"  #: the insurer paid the tipster


class BountyPayout(TimestampMixin, db.Model):
    """A bounty paid to a tipster: proposed by the judge, approved by another official."""

    __tablename__ = "bounty_payouts"
    __table_args__ = (
        UniqueConstraint("insurer_id", "transaction_reference"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column("bpo")
    bounty_id: Mapped[int] = mapped_column(ForeignKey("bounties.id"), index=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("bounty_tips.id"), index=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    #: the recovered total and the reasons of rules.payout, as computed
    computation: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[PayoutStatus] = mapped_column(
        enum_type(PayoutStatus, 16), default=PayoutStatus.PROPOSED, index=True
    )
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    result_document_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id"))
    #: when the insurer first asked for the payee's identity (recorded act, B1.7)
    payee_disclosed_at: Mapped[datetime | None]
    paid_amount: Mapped[Decimal | None] = mapped_column(Money)
    paid_on: Mapped[date | None]
    transaction_reference: Mapped[str | None] = mapped_column(String(64))

    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it once)

    bounty: Mapped[Bounty] = relationship(back_populates="payouts")
    tip: Mapped[Tip] = relationship()
    insurer = relationship("Insurer")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    result_document = relationship("IssuedDocument")
