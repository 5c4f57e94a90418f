"""Every change of state of a relief application or claim goes through a function here.

Each function checks the move, writes the rows, appends the audit entry and issues the
documents in the caller's transaction. It flushes but never commits: the view or API call
commits once everything succeeded, so a failure leaves the database as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from relief.accounts.models import Role, User
from relief.assistance import rules
from relief.assistance.models import (
    ACTIVE_STATUSES,
    ApplicationStatus,
    ClaimStatus,
    Clawback,
    ReliefApplication,
    ReliefClaim,
    WageFigure,
)
from relief.cases.models import EnforcementCase, Outcome, Party, PartyKind, PartyRole, Recovery
from relief.cases.operations import recovery_recorded
from relief.core import audit, clock
from relief.core.case_numbers import parse_case_number
from relief.core.deadlines import Unit, deadline
from relief.core.errors import Conflict, Forbidden, OperationError
from relief.core.models import utcnow
from relief.core.money import format_yuan
from relief.extensions import db
from relief.insurers.models import Insurer, ReliefPolicy

#: proof kinds that show the household's living difficulty (DOMAIN.md C4.5)
HARDSHIP_PROOF = "hardship"


@dataclass(frozen=True)
class NewApplication:
    """What a clerk enters when filing a relief application."""

    category: rules.Category
    household_size: int
    household_monthly_income: Decimal
    compensation_received: Decimal
    amount_requested: Decimal
    circumstances: str
    exclusions: frozenset[rules.Exclusion]
    filed_on: date


# --- Reading the facts -------------------------------------------------------------------


def wage_base(decision_year: int) -> rules.WageBase | None:
    """The wage figure for a decision taken in the given year (DESIGN.md §3).

    The previous calendar year's figure, or else the latest year loaded before it.
    """
    series = rules.WageSeries(
        current_app.config.get("RELIEF_WAGE_SERIES", rules.DEFAULT_WAGE_SERIES)
    )
    wanted_year = decision_year - 1
    figure = db.session.execute(
        select(WageFigure)
        .where(
            WageFigure.province == rules.PROVINCE,
            WageFigure.series == series.value,
            WageFigure.year <= wanted_year,
        )
        .order_by(WageFigure.year.desc())
        .limit(1)
    ).scalar_one_or_none()
    if figure is None:
        return None
    return rules.WageBase(
        province=figure.province,
        series=series,
        year=figure.year,
        annual_amount=figure.annual_amount,
        wanted_year=wanted_year,
    )


def aggregate_used(policy: ReliefPolicy, excluding: ReliefClaim | None = None) -> Decimal:
    """What the policy has already committed to claims the insurer has not rejected."""
    query = select(func.coalesce(func.sum(ReliefClaim.amount), 0)).where(
        ReliefClaim.policy_id == policy.id,
        ReliefClaim.status != ClaimStatus.REJECTED,
    )
    if excluding is not None:
        query = query.where(ReliefClaim.id != excluding.id)
    return Decimal(db.session.execute(query).scalar_one())


def has_prior_relief(case: EnforcementCase, party: Party, excluding_id: int | None) -> bool:
    """Whether another active application exists for the same case and applicant."""
    query = select(ReliefApplication.id).where(
        ReliefApplication.case_id == case.id,
        ReliefApplication.party_id == party.id,
        ReliefApplication.status.in_(ACTIVE_STATUSES),
    )
    if excluding_id is not None:
        query = query.where(ReliefApplication.id != excluding_id)
    return db.session.execute(query.limit(1)).first() is not None


def facts_for(
    application: ReliefApplication,
    *,
    override_reason: str | None = None,
    especially_serious: bool | None = None,
) -> rules.ReliefFacts:
    """Gather the plain values the eligibility rules need for one application."""
    case = application.case
    policy = application.policy
    today = clock.today()
    if override_reason is None:
        override_reason = application.termination_override_reason
    if especially_serious is None:
        especially_serious = application.especially_serious

    return rules.ReliefFacts(
        applicant_is_person=application.party.kind == PartyKind.PERSON,
        category=rules.Category(application.category),
        case_terminated_round=case.outcome == Outcome.TERMINATED_ROUND,
        unpaid_amount=case.unpaid_amount,
        prior_relief=has_prior_relief(case, application.party, application.id),
        exclusions=frozenset(rules.Exclusion(value) for value in application.exclusions),
        termination_required=current_app.config.get("RELIEF_TERMINATION_REQUIRED", True),
        termination_override_reason=override_reason,
        has_hardship_proof=any(proof.kind == HARDSHIP_PROOF for proof in application.proofs),
        wage=wage_base(today.year) if policy.wage_cap_applies else None,
        per_case_limit=policy.per_case_limit,
        aggregate_remaining=policy.annual_aggregate - aggregate_used(policy),
        policy_in_force=policy.covers(today),
        especially_serious=especially_serious,
    )


def assess(application: ReliefApplication, **overrides) -> rules.Assessment:
    """Run the eligibility rules on an application as it stands now."""
    return rules.assess(facts_for(application, **overrides))


# --- The clerk -----------------------------------------------------------------------------


def file_application(
    case: EnforcementCase,
    party: Party,
    policy: ReliefPolicy,
    entry: NewApplication,
    *,
    clerk: User,
) -> ReliefApplication:
    """File a relief application for an applicant of an enforcement case."""
    _require_role(clerk, Role.CLERK, Role.ADMIN)
    if party.case_id != case.id or party.role != PartyRole.APPLICANT:
        raise OperationError("申请人必须是本案的申请执行人。", field="party")
    if party.kind != PartyKind.PERSON:
        raise OperationError("国家司法救助仅限自然人，法人或其他组织不能申请。", field="party")
    if has_prior_relief(case, party, excluding_id=None):
        raise Conflict(
            "该申请人在本案中已有救助申请或已获救助（一案一人只救助一次）。", field="party"
        )
    if entry.filed_on > clock.today():
        raise OperationError("申请日期不能晚于今天。", field="filed_on")

    application = ReliefApplication(
        relief_number=_next_relief_number(case, entry.filed_on.year),
        case=case,
        party=party,
        policy=policy,
        category=entry.category.value,
        household_size=entry.household_size,
        household_monthly_income=entry.household_monthly_income,
        compensation_received=entry.compensation_received,
        amount_requested=entry.amount_requested,
        circumstances=entry.circumstances,
        exclusions=sorted(exclusion.value for exclusion in entry.exclusions),
        filed_on=entry.filed_on,
        filed_by=clerk,
        decision_due_on=decision_due_on(entry.filed_on),
    )
    db.session.add(application)
    db.session.flush()
    audit.record(
        "relief.filed",
        _subject(application),
        case=case.public_id,
        amount_requested=str(entry.amount_requested),
    )
    return application


def decision_due_on(filed_on: date) -> date:
    """The decision is due 10 working days after filing (DOMAIN.md C5)."""
    from relief.holidays.operations import court_calendar

    # the administrators' holiday corrections count here as for every other deadline
    return deadline(
        filed_on, rules.DECISION_WORKING_DAYS, Unit.WORKDAY, calendar=court_calendar()
    ).due


def _next_relief_number(case: EnforcementCase, year: int) -> str:
    """The next 司救执 number of the case's court for the year (SPC case-number rules)."""
    court_code = parse_case_number(case.case_number).court_code
    prefix = f"（{year}）{court_code}司救执"
    count = db.session.execute(
        select(func.count(ReliefApplication.id)).where(
            ReliefApplication.relief_number.like(f"{prefix}%")
        )
    ).scalar_one()
    return f"{prefix}{count + 1}号"


# --- The judge -----------------------------------------------------------------------------


def propose(
    application: ReliefApplication,
    *,
    amount: Decimal,
    reason: str,
    judge: User,
    override_reason: str | None = None,
    especially_serious: bool = False,
) -> rules.Assessment:
    """The judge proposes an amount; the proposal waits for an approver."""
    _require_role(judge, Role.JUDGE)
    _require_status(application, ApplicationStatus.FILED, ApplicationStatus.RETURNED)
    if not reason.strip():
        raise OperationError("请填写拟救助的理由。", field="reason")

    assessment = assess(
        application,
        override_reason=override_reason or None,
        especially_serious=especially_serious,
    )
    if assessment.verdict == rules.Verdict.NOT_ELIGIBLE:
        failed = [r.message for r in assessment.reasons if r.check == rules.Check.FAILED]
        raise Conflict("不符合救助条件：" + "".join(failed))
    problem = rules.check_amount(amount, assessment.cap, especially_serious)
    if problem:
        raise OperationError(problem, field="amount")

    application.proposed_amount = amount
    application.proposal_reason = reason.strip()
    application.termination_override_reason = override_reason or None
    application.especially_serious = especially_serious
    application.proposed_by = judge
    application.proposed_at = utcnow()
    application.status = ApplicationStatus.PROPOSED
    application.eligibility_snapshot = assessment.as_dict()
    db.session.flush()
    audit.record(
        "relief.proposed",
        _subject(application),
        amount=str(amount),
        verdict=assessment.verdict.value,
        especially_serious=especially_serious,
    )
    return assessment


def decline(application: ReliefApplication, *, reason: str, judge: User) -> None:
    """The judge finds the application not eligible and closes it with reasons."""
    _require_role(judge, Role.JUDGE)
    _require_status(application, ApplicationStatus.FILED, ApplicationStatus.RETURNED)
    if not reason.strip():
        raise OperationError("请填写不予救助的理由。", field="reason")

    application.status = ApplicationStatus.DECLINED
    application.decision_reason = reason.strip()
    application.decided_by = judge
    application.decided_at = utcnow()
    application.eligibility_snapshot = assess(application).as_dict()
    db.session.flush()
    audit.record("relief.declined", _subject(application))


# --- The approver --------------------------------------------------------------------------


def return_to_judge(application: ReliefApplication, *, reason: str, approver: User) -> None:
    """The approver sends a proposal back to the judge with reasons."""
    _require_approver(application, approver)
    if not reason.strip():
        raise OperationError("请填写退回的理由。", field="reason")

    application.status = ApplicationStatus.RETURNED
    application.decision_reason = reason.strip()
    application.decided_by = approver
    application.decided_at = utcnow()
    db.session.flush()
    audit.record("relief.returned", _subject(application))


def approve(application: ReliefApplication, *, reason: str, approver: User) -> ReliefClaim:
    """The approver grants the proposed relief: the claim goes to the insurer."""
    _require_approver(application, approver)

    # the aggregate or the case may have moved since the proposal: check again
    assessment = assess(application)
    if assessment.verdict == rules.Verdict.NOT_ELIGIBLE:
        failed = [r.message for r in assessment.reasons if r.check == rules.Check.FAILED]
        raise Conflict("不符合救助条件：" + "".join(failed))
    problem = rules.check_amount(
        application.proposed_amount, assessment.cap, application.especially_serious
    )
    if problem:
        raise Conflict(problem)

    application.status = ApplicationStatus.APPROVED
    application.decision_reason = reason.strip() or "同意承办法官的救助意见。"
    application.decided_by = approver
    application.decided_at = utcnow()
    application.eligibility_snapshot = assessment.as_dict()
    claim = ReliefClaim(
        application=application,
        insurer_id=application.policy.insurer_id,
        policy=application.policy,
        amount=application.proposed_amount,
        submitted_at=utcnow(),
    )
    db.session.add(claim)
    db.session.flush()
    audit.record(
        "relief.approved",
        _subject(application),
        claim=claim.public_id,
        amount=str(claim.amount),
    )

    from relief.assistance import paperwork

    paperwork.issue_decision_and_claim(application, claim, issued_by=approver)
    _notify_insurer("claim.submitted", claim, amount=str(claim.amount))
    return claim


# --- The insurer ---------------------------------------------------------------------------


def accept_claim(claim: ReliefClaim, *, insurer: Insurer) -> ReliefClaim:
    """The insurer accepts a submitted claim and will pay it."""
    _require_insurer(claim, insurer)
    _require_claim_status(claim, ClaimStatus.SUBMITTED)

    claim.status = ClaimStatus.ACCEPTED
    claim.answered_at = utcnow()
    db.session.flush()
    audit.record("claim.accepted", _claim_subject(claim), actor=f"insurer:{insurer.public_id}")
    return claim


def reject_claim(claim: ReliefClaim, reason: str, *, insurer: Insurer) -> ReliefClaim:
    """The insurer refuses a submitted claim, with a reason the court will read."""
    _require_insurer(claim, insurer)
    _require_claim_status(claim, ClaimStatus.SUBMITTED)
    if not reason or not reason.strip():
        raise OperationError("请填写拒赔理由。", field="reason")

    claim.status = ClaimStatus.REJECTED
    claim.rejection_reason = reason.strip()
    claim.answered_at = utcnow()
    db.session.flush()
    audit.record("claim.rejected", _claim_subject(claim), actor=f"insurer:{insurer.public_id}")
    return claim


def record_payment(
    claim: ReliefClaim,
    *,
    amount: Decimal,
    paid_on: date,
    transaction_reference: str,
    insurer: Insurer,
) -> ReliefClaim:
    """The insurer reports that it paid an accepted claim; the applicant is told to collect."""
    _require_insurer(claim, insurer)
    _require_claim_status(claim, ClaimStatus.ACCEPTED)
    if amount != claim.amount:
        raise Conflict(
            f"支付金额（{format_yuan(amount)}）与核定的救助金额（{format_yuan(claim.amount)}）不一致。",
            field="amount",
        )
    if paid_on > clock.today():
        raise OperationError("支付日期不能晚于今天。", field="paid_on")
    if claim.answered_at and paid_on < claim.submitted_at.date():
        raise OperationError("支付日期不能早于理赔申请提交日期。", field="paid_on")
    reference = transaction_reference.strip()
    if not reference:
        raise OperationError("请填写交易流水号。", field="transaction_reference")
    duplicate = db.session.execute(
        select(ReliefClaim.id).where(
            ReliefClaim.insurer_id == claim.insurer_id,
            ReliefClaim.transaction_reference == reference,
        )
    ).first()
    if duplicate:
        raise Conflict("该交易流水号已用于另一笔理赔。", field="transaction_reference")

    claim.status = ClaimStatus.PAID
    claim.paid_amount = amount
    claim.paid_on = paid_on
    claim.transaction_reference = reference
    db.session.flush()
    audit.record(
        "claim.paid",
        _claim_subject(claim),
        actor=f"insurer:{insurer.public_id}",
        amount=str(amount),
        paid_on=paid_on.isoformat(),
    )

    from relief.assistance import paperwork

    paperwork.issue_collection_notice(claim.application, claim)
    _notify_insurer("claim.paid", claim, amount=str(amount), paid_on=paid_on.isoformat())
    return claim


# --- Clawback ------------------------------------------------------------------------------


@recovery_recorded.connect
def claw_back_relief(case: EnforcementCase, recovery: Recovery, **_: object) -> None:
    """Deduct relief already paid from a later recovery, owed back to the insurer (C6).

    deduct = min(what is left of the recovery, relief paid − already clawed back), claim by
    claim in the order they were paid.
    """
    claims = db.session.execute(
        select(ReliefClaim)
        .join(ReliefApplication)
        .where(ReliefApplication.case_id == case.id, ReliefClaim.status == ClaimStatus.PAID)
        .order_by(ReliefClaim.paid_on, ReliefClaim.id)
    ).scalars()

    left = recovery.amount
    for claim in claims:
        deduct = min(left, claim.outstanding_clawback)
        if deduct <= 0:
            continue
        db.session.add(
            Clawback(
                claim=claim,
                recovery=recovery,
                amount=deduct,
                owed_to_insurer_id=claim.insurer_id,
            )
        )
        claim.clawed_back += deduct
        left -= deduct
        audit.record(
            "claim.clawed_back",
            _claim_subject(claim),
            amount=str(deduct),
            case=case.public_id,
        )
        _notify_insurer(
            "claim.clawback_due",
            claim,
            amount=str(deduct),
            outstanding=str(claim.outstanding_clawback),
        )
    db.session.flush()


# --- Guards --------------------------------------------------------------------------------


def _require_role(user: User, *roles: Role) -> None:
    if not user.has_role(*roles):
        raise Forbidden("您的角色不能执行此操作。")


def _require_status(application: ReliefApplication, *allowed: ApplicationStatus) -> None:
    if application.status not in allowed:
        raise Conflict("该申请当前的状态不允许此操作，请刷新页面查看最新状态。")


def _require_approver(application: ReliefApplication, approver: User) -> None:
    _require_role(approver, Role.APPROVER)
    _require_status(application, ApplicationStatus.PROPOSED)
    if application.proposed_by_id == approver.id:
        raise Forbidden("提出救助意见的人不能审批自己的意见（双人审批）。")


def _require_insurer(claim: ReliefClaim, insurer: Insurer) -> None:
    if claim.insurer_id != insurer.id:
        raise Forbidden("该理赔申请不属于本保险公司。")


def _require_claim_status(claim: ReliefClaim, *allowed: ClaimStatus) -> None:
    if claim.status not in allowed:
        raise Conflict(f"理赔申请当前状态为“{claim.status.value}”，不允许此操作。")


def _subject(application: ReliefApplication) -> str:
    return f"relief_application:{application.public_id}"


def _claim_subject(claim: ReliefClaim) -> str:
    return f"relief_claim:{claim.public_id}"


def _notify_insurer(event_type: str, claim: ReliefClaim, **data: str) -> None:
    """Queue the event for the claim's insurer in the current transaction (the outbox)."""
    # imported here: the partner API's blueprints import this module
    from insurer_api import events

    insurer = db.session.get(Insurer, claim.insurer_id)
    events.emit(event_type, insurer, {"claim_id": claim.public_id, **data})
