"""Every change of state of a preservation and its guarantee goes through a function here.

Each function checks the move, writes the row, appends the audit entry and issues the letter
in the caller's transaction. It flushes but never commits: the view or API call commits once
everything succeeded, so a failure leaves the database as it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select

from relief.accounts.models import Role, User
from relief.cases.models import Court, EnforcementCase, PartyKind
from relief.core import audit, clock
from relief.core.deadlines import Deadline
from relief.core.errors import Conflict, Forbidden, OperationError
from relief.core.identity import InvalidIdentity, validate_party_id
from relief.core.models import utcnow
from relief.core.money import format_yuan
from relief.extensions import db
from relief.guarantees import rules
from relief.guarantees.models import (
    TAIL_STATUSES,
    Guarantee,
    GuaranteeContract,
    GuaranteeStatus,
)
from relief.insurers.models import Insurer

log = logging.getLogger(__name__)


class LetterRefused(OperationError):
    """The insurer's letter lacks mandatory items; ``problems`` names each of them."""

    def __init__(self, problems: list[rules.LetterProblem]):
        super().__init__(
            "担保书不符合要求：" + "".join(problem.message for problem in problems),
            field=problems[0].field,
        )
        self.problems = problems


@dataclass(frozen=True)
class PartyEntry:
    """A party as the clerk enters it."""

    kind: PartyKind
    name: str
    id_number: str


@dataclass(frozen=True)
class NewPreservation:
    """What a clerk enters when filing a preservation application."""

    kind: rules.PreservationKind
    urgent: bool
    amount: Decimal
    disputed_object_value: Decimal | None
    property_kind: rules.PropertyKind
    property_description: str
    exemption: rules.Exemption | None
    applicant: PartyEntry
    respondent: PartyEntry
    main_case_number: str
    filed_on: date


@dataclass(frozen=True)
class IssuedLetter:
    """What the insurer sends when it issues the policy and the letter."""

    policy_number: str
    letter_number: str
    letter: rules.Letter


# --- Reading -------------------------------------------------------------------------------


def contract_of(insurer: Insurer) -> GuaranteeContract | None:
    """The insurer's guarantee contract, if the court has one with it."""
    return db.session.execute(
        select(GuaranteeContract).where(GuaranteeContract.insurer_id == insurer.id)
    ).scalar_one_or_none()


def exposure(insurer_id: int, on: date) -> Decimal:
    """The insurer's outstanding guaranteed amount on a day.

    A guarantee counts from the day its letter is issued until its exposure ends: when the
    court refuses it or dismisses the application, when the insurer pays a claim on it, or
    after the last day of the liability tail. A released guarantee still counts while the
    tail runs (DOMAIN.md A10: release does not end the insurer's liability).
    """
    total = db.session.execute(
        select(func.coalesce(func.sum(Guarantee.guaranteed_amount), 0)).where(
            Guarantee.insurer_id == insurer_id,
            Guarantee.issued_on.is_not(None),
            Guarantee.issued_on <= on,
            or_(Guarantee.exposure_ends_on.is_(None), Guarantee.exposure_ends_on > on),
        )
    ).scalar_one()
    return Decimal(total).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Deadlines:
    """The deadlines of one preservation that are known so far."""

    ruling: Deadline | None
    ruling_source: str
    suit: Deadline | None
    renewal_alert_on: date | None
    renewal_alert: bool


def deadlines(guarantee: Guarantee, today: date | None = None) -> Deadlines:
    """The ruling deadline, the pre-suit window to sue and the renewal alert."""
    today = today or clock.today()
    kind = rules.PreservationKind(guarantee.kind)

    ruling = None
    if guarantee.accepted_at is not None:
        ruling = rules.ruling_due(_court_time(guarantee.accepted_at), kind, guarantee.urgent)

    suit = None
    if kind is rules.PreservationKind.PRE_SUIT and guarantee.executed_on is not None:
        suit = rules.suit_due(guarantee.executed_on)

    in_place = guarantee.status == GuaranteeStatus.EXECUTED
    expires = guarantee.measure_expires_on if in_place else None
    return Deadlines(
        ruling=ruling,
        ruling_source=rules.ruling_source(kind, guarantee.urgent),
        suit=suit,
        renewal_alert_on=rules.renewal_alert_on(expires) if expires else None,
        renewal_alert=rules.renewal_alert(expires, today),
    )


def renewals_due(today: date | None = None) -> list[Guarantee]:
    """Measures in place that expire within the renewal notice period (PresRules art. 18)."""
    today = today or clock.today()
    horizon = today + timedelta(days=rules.RENEWAL_NOTICE_DAYS)
    return list(
        db.session.execute(
            select(Guarantee)
            .where(
                Guarantee.status == GuaranteeStatus.EXECUTED,
                Guarantee.measure_expires_on >= today,
                Guarantee.measure_expires_on <= horizon,
            )
            .order_by(Guarantee.measure_expires_on, Guarantee.id)
        ).scalars()
    )


# --- The clerk files -----------------------------------------------------------------------


def file_application(
    entry: NewPreservation,
    *,
    court: Court,
    insurer: Insurer | None,
    case: EnforcementCase | None,
    clerk: User,
) -> Guarantee:
    """File a preservation application; the guarantee request goes to the chosen insurer."""
    _require_role(clerk, Role.CLERK, Role.ADMIN)
    if entry.filed_on > clock.today():
        raise OperationError("申请日期不能晚于今天。", field="filed_on")
    applicant_id = _party_id(entry.applicant, "applicant")
    respondent_id = _party_id(entry.respondent, "respondent")
    if applicant_id == respondent_id:
        raise OperationError("申请保全人与被保全人不能是同一人。", field="respondent_id_number")

    try:
        security = rules.security_amount(
            entry.kind,
            entry.amount,
            exemption=entry.exemption,
            disputed_object_value=entry.disputed_object_value,
        )
    except ValueError as error:
        raise OperationError(str(error), field="exemption") from None

    if security.amount > 0:
        if insurer is None:
            raise OperationError("需要提供担保，请选择出具保函的保险公司。", field="insurer")
        if contract_of(insurer) is None:
            raise OperationError(
                "该保险公司尚未登记诉讼财产保全责任保险合同，不能出具保函。", field="insurer"
            )
    else:
        insurer = None

    now = utcnow()
    guarantee = Guarantee(
        preservation_number=_next_number(court, entry.filed_on.year),
        court=court,
        kind=entry.kind,
        urgent=entry.urgent,
        main_case_number=entry.main_case_number,
        case=case,
        amount=entry.amount,
        disputed_object_value=entry.disputed_object_value,
        property_kind=entry.property_kind,
        property_description=entry.property_description,
        exemption=entry.exemption,
        security_required=security.amount,
        court_fee=rules.court_fee(entry.amount),
        applicant_kind=entry.applicant.kind,
        applicant_name=entry.applicant.name,
        applicant_id_number=applicant_id,
        respondent_kind=entry.respondent.kind,
        respondent_name=entry.respondent.name,
        respondent_id_number=respondent_id,
        filed_on=entry.filed_on,
        filed_at=now,
        filed_by=clerk,
        insurer=insurer,
        # without security the application goes straight to the ruling
        status=GuaranteeStatus.REQUESTED if insurer else GuaranteeStatus.ACCEPTED,
        accepted_at=None if insurer else now,
    )
    db.session.add(guarantee)
    db.session.flush()
    audit.record(
        "guarantee.filed",
        subject(guarantee),
        case=case.public_id if case else None,
        kind=entry.kind.value,
        amount=str(entry.amount),
        security=str(security.amount),
        insurer=insurer.public_id if insurer else None,
    )
    log.info("preservation %s filed (insurer %s)", guarantee.public_id, guarantee.insurer_id)
    return guarantee


def _party_id(party: PartyEntry, field: str) -> str:
    if not party.name.strip():
        raise OperationError("请填写姓名或名称。", field=f"{field}_name")
    try:
        return validate_party_id(party.id_number, party.kind)
    except InvalidIdentity as error:
        raise OperationError(error.reason, field=f"{field}_id_number") from None


def _next_number(court: Court, year: int) -> str:
    """The next 财保 number of the court for the year (SPC case-number rules)."""
    prefix = f"（{year}）{court.code or ''}财保"
    count = db.session.execute(
        select(func.count(Guarantee.id)).where(Guarantee.preservation_number.like(f"{prefix}%"))
    ).scalar_one()
    return f"{prefix}{count + 1}号"


# --- The insurer ---------------------------------------------------------------------------


def quote(
    guarantee: Guarantee, *, insurer: Insurer, insured_amount: Decimal | None = None
) -> Guarantee:
    """The insurer quotes: premium = max(minimum, rate × insured amount) from its contract.

    The insured amount defaults to the amount preserved, as insurers' guarantees usually
    cover (DOMAIN.md A2.6); it may not be below the security the court requires.
    """
    _require_insurer(guarantee, insurer)
    _require_status(guarantee, GuaranteeStatus.REQUESTED, GuaranteeStatus.QUOTED)
    contract = contract_of(insurer)
    if contract is None:
        raise Conflict("本保险公司尚未登记诉讼财产保全责任保险合同。")
    insured = guarantee.amount if insured_amount is None else insured_amount
    if insured < guarantee.security_required:
        raise OperationError(
            f"保险金额不得低于应提供的担保数额（{format_yuan(guarantee.security_required)}）。",
            field="insured_amount",
        )

    guarantee.insured_amount = insured
    guarantee.premium = rules.premium(insured, contract.rate, contract.minimum_premium)
    guarantee.quoted_at = utcnow()
    guarantee.status = GuaranteeStatus.QUOTED
    db.session.flush()
    audit.record(
        "guarantee.quoted",
        subject(guarantee),
        actor=_insurer_actor(insurer),
        insured_amount=str(insured),
        premium=str(guarantee.premium),
    )
    return guarantee


def decline(guarantee: Guarantee, reason: str, *, insurer: Insurer) -> Guarantee:
    """The insurer will not guarantee the application, with a reason the court reads."""
    _require_insurer(guarantee, insurer)
    _require_status(guarantee, GuaranteeStatus.REQUESTED, GuaranteeStatus.QUOTED)
    if not reason.strip():
        raise OperationError("请填写不予承保的理由。", field="reason")

    guarantee.status = GuaranteeStatus.DECLINED
    guarantee.decline_reason = reason.strip()
    db.session.flush()
    audit.record("guarantee.declined", subject(guarantee), actor=_insurer_actor(insurer))
    return guarantee


def issue_letter(guarantee: Guarantee, issued: IssuedLetter, *, insurer: Insurer) -> Guarantee:
    """The insurer issues the policy and the letter; a letter lacking an item is refused."""
    _require_insurer(guarantee, insurer)
    _require_status(guarantee, GuaranteeStatus.QUOTED)
    problems = rules.check_letter(
        issued.letter,
        security_required=guarantee.security_required,
        applicant_id_number=guarantee.applicant_id_number,
        respondent_id_number=guarantee.respondent_id_number,
    )
    if problems:
        raise LetterRefused(problems)
    numbers = {"policy_number": issued.policy_number, "letter_number": issued.letter_number}
    for field, value in numbers.items():
        if not value.strip():
            raise OperationError("此项为必填项。", field=field)

    guarantee.policy_number = issued.policy_number.strip()
    guarantee.letter_number = issued.letter_number.strip()
    guarantee.guaranteed_amount = issued.letter.guaranteed_amount
    guarantee.issued_on = clock.today()
    guarantee.status = GuaranteeStatus.ISSUED
    db.session.flush()
    audit.record(
        "guarantee.issued",
        subject(guarantee),
        actor=_insurer_actor(insurer),
        amount=str(guarantee.guaranteed_amount),
        policy_number=guarantee.policy_number,
    )

    from relief.guarantees import paperwork

    guarantee.letter_document = paperwork.issue_letter(guarantee)
    db.session.flush()
    return guarantee


def record_claim_payment(
    guarantee: Guarantee,
    *,
    amount: Decimal,
    paid_on: date,
    transaction_reference: str,
    insurer: Insurer,
) -> Guarantee:
    """The insurer reports that it paid the claim for wrongful preservation."""
    _require_insurer(guarantee, insurer)
    _require_status(guarantee, GuaranteeStatus.CLAIMED)
    if amount != guarantee.claim_amount:
        raise Conflict(
            f"支付金额（{format_yuan(amount)}）与判决确定的赔偿金额"
            f"（{format_yuan(guarantee.claim_amount)}）不一致。",
            field="amount",
        )
    if paid_on > clock.today():
        raise OperationError("支付日期不能晚于今天。", field="paid_on")
    if paid_on < guarantee.claimed_on:
        raise OperationError("支付日期不能早于索赔日期。", field="paid_on")
    reference = transaction_reference.strip()
    if not reference:
        raise OperationError("请填写交易流水号。", field="transaction_reference")

    guarantee.paid_amount = amount
    guarantee.paid_on = paid_on
    guarantee.transaction_reference = reference
    guarantee.status = GuaranteeStatus.PAID
    # the guarantee has answered for the loss: it no longer counts in the exposure
    guarantee.exposure_ends_on = paid_on
    guarantee.closed_on = paid_on
    db.session.flush()
    audit.record(
        "guarantee.claim_paid",
        subject(guarantee),
        actor=_insurer_actor(insurer),
        amount=str(amount),
        paid_on=paid_on.isoformat(),
    )
    return guarantee


# --- The court -----------------------------------------------------------------------------


def accept(guarantee: Guarantee, *, reason: str, judge: User) -> Guarantee:
    """The judge accepts the guarantee; beyond the insurer's exposure limit an approver must.

    The exposure counted is the insurer's on the day, this guarantee included (it counts
    from the day its letter was issued).
    """
    _require_role(judge, Role.JUDGE)
    _require_status(guarantee, GuaranteeStatus.ISSUED)

    guarantee.reviewed_by = judge
    guarantee.review_reason = reason.strip() or "担保书符合要求，予以接受。"
    contract = contract_of(guarantee.insurer)
    outstanding = exposure(guarantee.insurer_id, clock.today())
    if contract is None or outstanding > contract.exposure_limit:
        guarantee.status = GuaranteeStatus.AWAITING_APPROVAL
        db.session.flush()
        audit.record(
            "guarantee.acceptance_proposed",
            subject(guarantee),
            exposure=str(outstanding),
            limit=str(contract.exposure_limit) if contract else None,
        )
        return guarantee

    _accepted(guarantee)
    return guarantee


def approve_acceptance(guarantee: Guarantee, *, approver: User) -> Guarantee:
    """An approver, not the judge who proposed it, accepts a guarantee beyond the limit."""
    _require_role(approver, Role.APPROVER)
    _require_status(guarantee, GuaranteeStatus.AWAITING_APPROVAL)
    if guarantee.reviewed_by_id == approver.id:
        raise Forbidden("提出接受意见的人不能审批自己的意见（双人审批）。")

    guarantee.approved_by = approver
    _accepted(guarantee)
    return guarantee


def _accepted(guarantee: Guarantee) -> None:
    guarantee.status = GuaranteeStatus.ACCEPTED
    guarantee.accepted_at = utcnow()
    db.session.flush()
    audit.record(
        "guarantee.accepted",
        subject(guarantee),
        amount=str(guarantee.guaranteed_amount),
    )


def reject(guarantee: Guarantee, *, reason: str, user: User) -> Guarantee:
    """The judge (or the approver, beyond the limit) refuses the guarantee, with a reason."""
    _require_role(user, Role.JUDGE, Role.APPROVER)
    _require_status(guarantee, GuaranteeStatus.ISSUED, GuaranteeStatus.AWAITING_APPROVAL)
    if not reason.strip():
        raise OperationError("请填写不予接受的理由。", field="reason")

    guarantee.status = GuaranteeStatus.REJECTED
    guarantee.review_reason = reason.strip()
    guarantee.reviewed_by = user
    # the court hands the letter back: the insurer answers for nothing from today
    guarantee.exposure_ends_on = clock.today()
    db.session.flush()
    audit.record("guarantee.rejected", subject(guarantee))
    return guarantee


def rule(
    guarantee: Guarantee, *, granted: bool, ruled_on: date, reason: str, judge: User
) -> Guarantee:
    """The judge rules on the preservation: ordered, or the application dismissed."""
    _require_role(judge, Role.JUDGE)
    _require_status(guarantee, GuaranteeStatus.ACCEPTED)
    if ruled_on > clock.today():
        raise OperationError("裁定日期不能晚于今天。", field="ruled_on")
    if ruled_on < guarantee.filed_on:
        raise OperationError("裁定日期不能早于申请日期。", field="ruled_on")
    if not granted and not reason.strip():
        raise OperationError("驳回申请须写明理由。", field="reason")

    guarantee.ruled_on = ruled_on
    guarantee.ruling_reason = reason.strip() or None
    if granted:
        guarantee.status = GuaranteeStatus.RULED
    else:
        guarantee.status = GuaranteeStatus.DISMISSED
        # nothing was preserved, so nobody can suffer a loss from it
        if guarantee.issued_on is not None:
            guarantee.exposure_ends_on = ruled_on
    db.session.flush()
    audit.record(
        "guarantee.ruled" if granted else "guarantee.dismissed",
        subject(guarantee),
        ruled_on=ruled_on.isoformat(),
    )
    return guarantee


def record_execution(guarantee: Guarantee, *, executed_on: date, user: User) -> Guarantee:
    """The measure was carried out: its expiry (1, 2 or 3 years) starts to run."""
    _require_role(user, Role.CLERK, Role.JUDGE, Role.ADMIN)
    _require_status(guarantee, GuaranteeStatus.RULED)
    if executed_on > clock.today():
        raise OperationError("执行日期不能晚于今天。", field="executed_on")
    if executed_on < guarantee.ruled_on:
        raise OperationError("执行日期不能早于裁定日期。", field="executed_on")

    expires = rules.measure_expires(executed_on, rules.PropertyKind(guarantee.property_kind))
    guarantee.executed_on = executed_on
    guarantee.measure_expires_on = expires.due
    guarantee.status = GuaranteeStatus.EXECUTED
    db.session.flush()
    audit.record(
        "guarantee.executed",
        subject(guarantee),
        executed_on=executed_on.isoformat(),
        expires_on=expires.due.isoformat(),
    )
    return guarantee


def renew(guarantee: Guarantee, *, user: User) -> Guarantee:
    """Renew the measure (续行保全) for another period of the same length (PresRules 18)."""
    _require_role(user, Role.CLERK, Role.JUDGE, Role.ADMIN)
    _require_status(guarantee, GuaranteeStatus.EXECUTED)
    if guarantee.measure_expires_on < clock.today():
        raise Conflict("保全措施已到期，不能续行；须重新申请保全。")

    expires = rules.measure_expires(
        guarantee.measure_expires_on, rules.PropertyKind(guarantee.property_kind)
    )
    guarantee.measure_expires_on = expires.due
    guarantee.renewals += 1
    db.session.flush()
    audit.record("guarantee.renewed", subject(guarantee), expires_on=expires.due.isoformat())
    return guarantee


def release(
    guarantee: Guarantee, *, ground: rules.ReleaseGround, released_on: date, judge: User
) -> Guarantee:
    """Lift the preservation (解除, PresRules arts. 22–23); the liability tail starts."""
    _require_role(judge, Role.JUDGE)
    _require_status(guarantee, GuaranteeStatus.RULED, GuaranteeStatus.EXECUTED)
    _check_end_date(guarantee, released_on, "released_on")

    guarantee.status = GuaranteeStatus.RELEASED
    guarantee.released_on = released_on
    guarantee.release_ground = ground
    _start_tail(guarantee, released_on)
    audit.record(
        "guarantee.released",
        subject(guarantee),
        ground=ground.value,
        liability_ends_on=str(guarantee.liability_ends_on),
    )
    return guarantee


def convert(
    guarantee: Guarantee, *, case: EnforcementCase, converted_on: date, judge: User
) -> Guarantee:
    """The measure becomes an enforcement seizure of the case (PresRules art. 17).

    TODO: LN-Guide-2018 keeps the insurer liable until the later of the limitation period
    and the completion of enforcement; the tail here runs from the conversion only, because
    the completion of enforcement is not yet recorded on the case.
    """
    _require_role(judge, Role.JUDGE)
    _require_status(guarantee, GuaranteeStatus.EXECUTED)
    _check_end_date(guarantee, converted_on, "converted_on")

    guarantee.status = GuaranteeStatus.CONVERTED
    guarantee.converted_on = converted_on
    guarantee.case = case
    _start_tail(guarantee, converted_on)
    audit.record(
        "guarantee.converted",
        subject(guarantee),
        case=case.public_id,
        liability_ends_on=str(guarantee.liability_ends_on),
    )
    return guarantee


def _check_end_date(guarantee: Guarantee, day: date, field: str) -> None:
    if day > clock.today():
        raise OperationError("日期不能晚于今天。", field=field)
    if day < (guarantee.executed_on or guarantee.ruled_on):
        raise OperationError("日期不能早于保全裁定或执行日期。", field=field)


def _start_tail(guarantee: Guarantee, starts_on: date) -> None:
    if guarantee.issued_on is not None:
        last_day = rules.liability_ends(starts_on).due
        guarantee.liability_ends_on = last_day
        guarantee.exposure_ends_on = last_day + timedelta(days=1)
    db.session.flush()


def file_claim(
    guarantee: Guarantee,
    *,
    amount: Decimal,
    judgment_number: str,
    claimed_on: date,
    clerk: User,
) -> Guarantee:
    """A judgment fixed the respondent's loss from a wrongful preservation: claim it.

    The insurer pays within the guaranteed amount and only while its liability lasts.
    """
    _require_role(clerk, Role.CLERK, Role.ADMIN)
    _require_status(guarantee, *TAIL_STATUSES)
    if guarantee.issued_on is None:
        raise Conflict("本保全没有保险公司担保，无需向保险公司索赔。")
    if amount <= 0:
        raise OperationError("赔偿金额必须大于零。", field="amount")
    if amount > guarantee.guaranteed_amount:
        raise OperationError(
            f"保险公司仅在担保金额（{format_yuan(guarantee.guaranteed_amount)}）范围内赔偿。",
            field="amount",
        )
    if not judgment_number.strip():
        raise OperationError("请填写确定损失的生效判决文号。", field="judgment_number")
    if claimed_on > clock.today():
        raise OperationError("索赔日期不能晚于今天。", field="claimed_on")
    if claimed_on > guarantee.liability_ends_on:
        raise Conflict("保险责任期间已届满，不能再索赔。", field="claimed_on")

    guarantee.claim_amount = amount
    guarantee.claim_judgment_number = judgment_number.strip()
    guarantee.claimed_on = claimed_on
    guarantee.status = GuaranteeStatus.CLAIMED
    db.session.flush()
    audit.record("guarantee.claimed", subject(guarantee), amount=str(amount))
    return guarantee


def close_expired(guarantee: Guarantee, *, user: User) -> Guarantee:
    """Close a guarantee whose liability tail ended without a claim."""
    _require_role(user, Role.CLERK, Role.ADMIN)
    _require_status(guarantee, *TAIL_STATUSES)
    today = clock.today()
    if guarantee.liability_ends_on is not None and today <= guarantee.liability_ends_on:
        raise Conflict(
            f"保险责任期间至{guarantee.liability_ends_on.isoformat()}届满，届满前不能结案。"
        )

    guarantee.status = GuaranteeStatus.CLOSED
    guarantee.closed_on = today
    db.session.flush()
    audit.record("guarantee.closed", subject(guarantee))
    return guarantee


# --- Contracts -----------------------------------------------------------------------------


def set_contract(
    insurer: Insurer,
    *,
    rate: Decimal,
    minimum_premium: Decimal,
    exposure_limit: Decimal,
    user: User | None = None,
) -> GuaranteeContract:
    """Record or change an insurer's guarantee terms (administrators and the CLI)."""
    if user is not None:
        _require_role(user, Role.ADMIN)
    if not Decimal("0") < rate < Decimal("1"):
        raise OperationError("费率应大于0且小于1（例如0.001表示0.1%）。", field="rate")
    if minimum_premium < 0:
        raise OperationError("最低保费不能为负数。", field="minimum_premium")
    if exposure_limit <= 0:
        raise OperationError("担保余额上限必须大于零。", field="exposure_limit")

    contract = contract_of(insurer) or GuaranteeContract(insurer=insurer)
    contract.rate = rate
    contract.minimum_premium = minimum_premium
    contract.exposure_limit = exposure_limit
    db.session.add(contract)
    db.session.flush()
    audit.record(
        "guarantee.contract_saved",
        f"insurer:{insurer.public_id}",
        rate=str(rate),
        minimum_premium=str(minimum_premium),
        exposure_limit=str(exposure_limit),
    )
    return contract


# --- Guards --------------------------------------------------------------------------------


def subject(guarantee: Guarantee) -> str:
    """The audit subject of a guarantee."""
    return f"guarantee:{guarantee.public_id}"


def _insurer_actor(insurer: Insurer) -> str:
    return f"insurer:{insurer.public_id}"


def _court_time(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; they are UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(clock.COURT_TIMEZONE)


def _require_role(user: User, *roles: Role) -> None:
    if not user.has_role(*roles):
        raise Forbidden("您的角色不能执行此操作。")


def _require_status(guarantee: Guarantee, *allowed: GuaranteeStatus) -> None:
    if guarantee.status not in allowed:
        raise Conflict("该保全申请当前的状态不允许此操作，请刷新页面查看最新状态。")


def _require_insurer(guarantee: Guarantee, insurer: Insurer) -> None:
    if guarantee.insurer_id != insurer.id:
        raise Forbidden("该保全担保不属于本保险公司。")
