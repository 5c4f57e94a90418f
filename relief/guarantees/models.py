"""Preservation applications secured by an insurer's guarantee, and the insurers' contracts."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from relief.cases.models import PartyKind
from relief.core.models import Money, TimestampMixin, enum_type, public_id_column
from relief.extensions import db
from relief.guarantees.rules import Exemption, PreservationKind, PropertyKind, ReleaseGround


class GuaranteeContract(TimestampMixin, db.Model):
    """An insurer's 诉讼财产保全责任保险 terms with the court scheme (DOMAIN.md A5).

    Market terms, not law: the rate and the minimum premium price each guarantee, and the
    exposure limit is the most the court lets the insurer guarantee at once without an
    approver's second signature.
    """

    __tablename__ = "guarantee_contracts"
    __table_args__ = (
        CheckConstraint("rate > 0 AND rate < 1", name="rate_is_a_fraction"),
        CheckConstraint("minimum_premium >= 0", name="minimum_not_negative"),
        CheckConstraint("exposure_limit > 0", name="limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("insurers.id"), unique=True)
    #: premium rate on the insured amount, e.g. 0.001 for 0.1%
    rate: Mapped[Decimal] = mapped_column(Numeric(8, 6, asdecimal=True))
    minimum_premium: Mapped[Decimal] = mapped_column(Money)
    #: outstanding guaranteed amount above which a new guarantee needs an approver
    exposure_limit: Mapped[Decimal] = mapped_column(Money)

    insurer = relationship("Insurer")


class GuaranteeStatus(enum.StrEnum):
    """Where a preservation and its guarantee stand (DOMAIN.md A10)."""

    REQUESTED = "requested"  #: filed; the guarantee request is with the insurer
    QUOTED = "quoted"  #: the insurer quoted a premium
    DECLINED = "declined"  #: the insurer will not guarantee it
    ISSUED = "issued"  #: policy and letter issued, before the judge
    AWAITING_APPROVAL = "awaiting_approval"  #: the judge accepts beyond the insurer's limit
    REJECTED = "rejected"  #: the court refused the guarantee (PresRules art. 6(3))
    ACCEPTED = "accepted"  #: security in place (or none required); waiting for the ruling
    RULED = "ruled"  #: preservation ordered, not yet carried out
    DISMISSED = "dismissed"  #: the court dismissed the application
    EXECUTED = "executed"  #: the measure is in place
    RELEASED = "released"  #: lifted (解除); the insurer's liability tail runs
    CONVERTED = "converted"  #: now an enforcement seizure; the liability tail runs
    CLAIMED = "claimed"  #: a judgment fixed the respondent's loss; claim sent to the insurer
    PAID = "paid"  #: the insurer paid the claim
    CLOSED = "closed"  #: the liability tail ended without a claim


#: states in which the preservation measure is in place and may expire
MEASURE_STATUSES = (GuaranteeStatus.EXECUTED,)
#: states in which the liability tail runs
TAIL_STATUSES = (GuaranteeStatus.RELEASED, GuaranteeStatus.CONVERTED)


class Guarantee(TimestampMixin, db.Model):
    """A preservation application and the guarantee securing it, from filing to the tail."""

    __tablename__ = "preservation_guarantees"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("security_required >= 0", name="security_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = public_id_column("grt")
    #: 财保 number given on filing, e.g. （2025）辽1103财保3号
    preservation_number: Mapped[str] = mapped_column(String(64), unique=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"))
    kind: Mapped[PreservationKind] = mapped_column(enum_type(PreservationKind, 24))
    urgent: Mapped[bool] = mapped_column(default=False)
    #: the suit (民初…) or title the preservation serves, if there is one yet
    main_case_number: Mapped[str] = mapped_column(String(64), default="")
    #: the enforcement case it belongs to (before enforcement, or after conversion)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_cases.id"), index=True)

    #: the amount to preserve (请求保全数额)
    amount: Mapped[Decimal] = mapped_column(Money)
    #: the disputed object's value, when the preserved property is that object
    disputed_object_value: Mapped[Decimal | None] = mapped_column(Money)
    property_kind: Mapped[PropertyKind] = mapped_column(enum_type(PropertyKind, 16))
    property_description: Mapped[str] = mapped_column(Text)
    exemption: Mapped[Exemption | None] = mapped_column(enum_type(Exemption, 32))
    security_required: Mapped[Decimal] = mapped_column(Money)
    court_fee: Mapped[Decimal] = mapped_column(Money)

    applicant_kind: Mapped[PartyKind] = mapped_column(enum_type(PartyKind, 16))
    applicant_name: Mapped[str] = mapped_column(String(128))
    #: validated 公民身份号码 or 统一社会信用代码; shown masked
    applicant_id_number: Mapped[str] = mapped_column(String(18))
    respondent_kind: Mapped[PartyKind] = mapped_column(enum_type(PartyKind, 16))
    respondent_name: Mapped[str] = mapped_column(String(128))
    respondent_id_number: Mapped[str] = mapped_column(String(18))

    filed_on: Mapped[date]
    filed_at: Mapped[datetime]
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[GuaranteeStatus] = mapped_column(enum_type(GuaranteeStatus, 24), index=True)

    #: the insurer asked for the guarantee; none when no security is required
    insurer_id: Mapped[int | None] = mapped_column(ForeignKey("insurers.id"), index=True)
    insured_amount: Mapped[Decimal | None] = mapped_column(Money)
    premium: Mapped[Decimal | None] = mapped_column(Money)
    quoted_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    policy_number: Mapped[str | None] = mapped_column(String(64))
    letter_number: Mapped[str | None] = mapped_column(String(64))
    guaranteed_amount: Mapped[Decimal | None] = mapped_column(Money)
    #: the day the letter was issued: the insurer is exposed from then on
    issued_on: Mapped[date | None]
    letter_document_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id"))

    #: the judge who accepted or rejected the guarantee, and why
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_reason: Mapped[str | None] = mapped_column(Text)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: when the security was in place (or the application accepted without one)
    accepted_at: Mapped[datetime | None]

    ruled_on: Mapped[date | None]
    ruling_reason: Mapped[str | None] = mapped_column(Text)
    executed_on: Mapped[date | None]
    #: the last day of the current measure; moves on with each renewal
    measure_expires_on: Mapped[date | None]
    renewals: Mapped[int] = mapped_column(default=0)

    released_on: Mapped[date | None]
    release_ground: Mapped[ReleaseGround | None] = mapped_column(enum_type(ReleaseGround, 24))
    converted_on: Mapped[date | None]
    #: the last day the insurer answers for a wrongful preservation
    liability_ends_on: Mapped[date | None]
    #: the first day the guarantee no longer counts in the insurer's exposure
    exposure_ends_on: Mapped[date | None] = mapped_column(index=True)

    claim_amount: Mapped[Decimal | None] = mapped_column(Money)
    claim_judgment_number: Mapped[str | None] = mapped_column(String(64))
    claimed_on: Mapped[date | None]
    paid_amount: Mapped[Decimal | None] = mapped_column(Money)
    paid_on: Mapped[date | None]
    transaction_reference: Mapped[str | None] = mapped_column(String(64))
    closed_on: Mapped[date | None]

    #: optimistic lock: two answers at once cannot both win
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it once)

    court = relationship("Court")
    case = relationship("EnforcementCase")
    insurer = relationship("Insurer")
    filed_by = relationship("User", foreign_keys=[filed_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    letter_document = relationship("IssuedDocument", foreign_keys=[letter_document_id])
