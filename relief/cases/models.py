"""Courts, enforcement cases, their parties and recoveries."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
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


class Stage(enum.StrEnum):
    """Where a case stands in the court's enforcement workflow (DOMAIN.md D, DESIGN.md §2)."""

    FILED = "filed"  #: 立案
    INQUIRY = "inquiry"  #: 网络查控
    QUICK = "quick"  #: 快执: deposits found cover what is owed
    ORDINARY = "ordinary"  #: 普执
    DISPOSAL = "disposal"  #: 评估拍卖 / 强制处置
    TERMINATED_ROUND = "terminated_round"  #: 终本, under the five-year watch
    CLOSED = "closed"  #: 执行完毕 or 终结执行 (the outcome says which)


#: stages of a case still being enforced
OPEN_STAGES = frozenset({Stage.FILED, Stage.INQUIRY, Stage.QUICK, Stage.ORDINARY, Stage.DISPOSAL})


def stage_for_outcome(outcome: Outcome | str | None, current: Stage | None = None) -> Stage:
    """The stage that agrees with an outcome, keeping the current one where it already does.

    The court's export carries only the outcome (结案方式): an open case is taken to be at
    its filing until someone records the inquiry, a closed one as closed.
    """
    if outcome is None or Outcome(outcome) == Outcome.OPEN:
        return current if current in OPEN_STAGES else Stage.FILED
    if Outcome(outcome) == Outcome.TERMINATED_ROUND:
        return Stage.TERMINATED_ROUND
    return Stage.CLOSED


def _stage_default(context) -> str:
    # Core inserts (the importer's bulk insert) give only the outcome.
    return stage_for_outcome(context.get_current_parameters().get("outcome")).value


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
        # The case list shows the newest filings first, all of them or those of one status or
        # judge (cases/views.py): each order has its index, so a page reads 25 entries.
        Index("ix_enforcement_cases_filed_on_id", "filed_on", "id"),
        Index("ix_enforcement_cases_outcome_filed_on_id", "outcome", "filed_on", "id"),
        Index("ix_enforcement_cases_stage_filed_on_id", "stage", "filed_on", "id"),
        Index("ix_enforcement_cases_judge_name_filed_on_id", "judge_name", "filed_on", "id"),
        # The beginning of a case number (cases/search.py); equality has the unique index.
        Index(
            "ix_enforcement_cases_case_number_prefix",
            "case_number",
            postgresql_ops={"case_number": "text_pattern_ops"},
        ),
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
    #: where the case stands; kept in step with ``outcome`` (see stage_for_outcome)
    stage: Mapped[Stage] = mapped_column(enum_type(Stage, 24), default=_stage_default, index=True)
    #: the 终本 case this 执恢 case resumes
    resumed_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("enforcement_cases.id"), index=True
    )

    court: Mapped[Court] = relationship()
    resumed_from: Mapped[EnforcementCase | None] = relationship(
        remote_side="EnforcementCase.id", back_populates="resumptions"
    )
    resumptions: Mapped[list[EnforcementCase]] = relationship(back_populates="resumed_from")
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


@event.listens_for(EnforcementCase.outcome, "set")
def _stage_follows_outcome(case: EnforcementCase, outcome, _old, _initiator) -> None:
    # The importer and the factories set the outcome alone; the operations set the stage
    # first, so this changes nothing for them.
    case.stage = stage_for_outcome(outcome, case.stage)


class Party(db.Model):
    __tablename__ = "parties"
    __table_args__ = (
        UniqueConstraint("case_id", "role", "id_number"),
        # case search (cases/search.py) finds a name from its start
        Index("ix_parties_name_prefix", "name", postgresql_ops={"name": "text_pattern_ops"}),
    )

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


class PropertyKind(enum.StrEnum):
    """What the online query-and-control system (网络查控) searches (TermRules art. 3)."""

    DEPOSITS = "deposits"  #: 存款
    VEHICLES = "vehicles"  #: 车辆
    REAL_ESTATE = "real_estate"  #: 不动产
    SECURITIES = "securities"  #: 证券
    OTHER = "other"  #: 其他（网络资金、保险、公积金等）


class InquiryResult(TimestampMixin, db.Model):
    """What the online inquiry found of one kind of property; the latest per kind counts."""

    __tablename__ = "inquiry_results"
    __table_args__ = (CheckConstraint("amount_found >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_cases.id"), index=True)
    kind: Mapped[PropertyKind] = mapped_column(enum_type(PropertyKind, 16))
    found: Mapped[bool]
    #: for deposits the balance frozen; for other kinds the value as far as known
    amount_found: Mapped[Decimal] = mapped_column(Money, default=zero)
    received_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class MeasureKind(enum.StrEnum):
    """Enforcement measures the 终本 checklist asks about (TermRules arts. 1-3)."""

    REPORT_ORDER = "report_order"  #: 执行通知及报告财产令已送达
    CONSUMPTION_RESTRICTION = "consumption_restriction"  #: 限制消费令
    DISHONEST_LIST = "dishonest_list"  #: 纳入失信被执行人名单
    ONLINE_INQUIRY = "online_inquiry"  #: 网络查控
    ONSITE_INQUIRY = "onsite_inquiry"  #: 实地调查
    LEADS_CHECKED = "leads_checked"  #: 核查申请执行人提供的财产线索
    SEARCH = "search"  #: 搜查
    AUDIT = "audit"  #: 审计
    BOUNTY = "bounty"  #: 公告悬赏
    SANCTION = "sanction"  #: 罚款、拘留等强制措施


class Measure(TimestampMixin, db.Model):
    """An enforcement measure taken on a case; other features record theirs here too."""

    __tablename__ = "enforcement_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_cases.id"), index=True)
    kind: Mapped[MeasureKind] = mapped_column(enum_type(MeasureKind, 32))
    taken_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    #: the record behind it when another feature took it, e.g. "bounty:bty_x"
    reference: Mapped[str | None] = mapped_column(String(96))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Termination(TimestampMixin, db.Model):
    """The 终本 ruling and the checklist answers it was made on (TermRules arts. 1, 5, 6)."""

    __tablename__ = "terminations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_cases.id"), unique=True)
    ruled_on: Mapped[date]
    #: when the applicant was told the status, the measures and the consequences (art. 5)
    applicant_informed_on: Mapped[date]
    #: the applicant's view as recorded (art. 5)
    applicant_view: Mapped[str] = mapped_column(Text)
    #: the applicant signed a confirmation (CPL-Interp art. 517(1))
    applicant_agrees: Mapped[bool]
    #: without it: the collegial panel reviewed and the president approved
    panel_approved: Mapped[bool] = mapped_column(default=False)
    #: the judge's account of the investigation and why it is exhausted
    investigation_summary: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("issued_documents.id"))

    case: Mapped[EnforcementCase] = relationship()


class RecheckResult(enum.StrEnum):
    PENDING = "pending"  #: not done yet
    NOTHING = "nothing"  #: nothing new found
    FOUND = "found"  #: property found: resumption proposed
    CANCELLED = "cancelled"  #: no longer needed (the case was resumed)


class Recheck(TimestampMixin, db.Model):
    """One of the ten property re-checks after 终本 (TermRules art. 9(2), DOMAIN.md D3)."""

    __tablename__ = "property_rechecks"
    __table_args__ = (UniqueConstraint("case_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_cases.id"), index=True)
    #: k of termination date + 6k months, 1 to 10
    sequence: Mapped[int]
    due_on: Mapped[date] = mapped_column(index=True)
    result: Mapped[RecheckResult] = mapped_column(
        enum_type(RecheckResult, 16), default=RecheckResult.PENDING, index=True
    )
    done_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(Text, default="")
    applicant_notified_on: Mapped[date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[EnforcementCase] = relationship()
