"""Every change of state of a bounty, its tips, its insurance and its payouts.

Each function checks the move, writes the rows, appends the audit entry and issues the
documents in the caller's transaction. It flushes but never commits: the view or API call
commits once everything succeeded, so a failure leaves the database as it was.

Tipsters' identities, contact details and leads are encrypted before they reach a row and
are never passed to the audit trail or a log: entries carry public ids and amounts only.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from relief.accounts.models import Role, User
from relief.bounties import rules
from relief.bounties.models import (
    Bounty,
    BountyContract,
    BountyPayout,
    BountyStatus,
    EndReason,
    InsuranceStatus,
    PayoutStatus,
    Tip,
    TipAddition,
    TipAttachment,
    TipRecovery,
)
from relief.cases.models import EnforcementCase, MeasureKind, Party, PartyRole
from relief.cases.operations import (
    RecoveryError,
    record_measure,
    record_recovery,
    recovery_recorded,
)
from relief.core import audit, clock, uploads, vault
from relief.core.errors import Conflict, Forbidden, OperationError
from relief.core.models import utcnow
from relief.core.money import format_yuan
from relief.extensions import db
from relief.insurers.models import Insurer

#: where tip attachments are stored inside the upload folder
ATTACHMENTS = "tips"

#: at most this many files with one tip or one addition
MAX_ATTACHMENTS = 5

#: 15 random bytes: 120 bits, written as 24 base32 characters in six groups of four
RECEIPT_BYTES = 15
RECEIPT_LENGTH = RECEIPT_BYTES * 8 // 5
_LOOKALIKES = str.maketrans("018", "OIB")


@dataclass(frozen=True)
class NewBounty:
    """What a clerk enters from the applicant's written application."""

    kind: rules.BountyKind
    method: rules.AmountMethod
    fixed_amount: Decimal | None
    rate: Decimal | None
    cap: Decimal | None
    channels: list[str]
    undertaking: bool
    published_details: str
    filed_on: date


@dataclass(frozen=True)
class Tipster:
    """Who sent a tip; held only in memory until encrypted."""

    name: str
    id_number: str
    phone: str


# --- Contracts -----------------------------------------------------------------------------


def contract_for(insurer: Insurer) -> BountyContract:
    """The insurer's bounty contract, created with the defaults of DOMAIN.md B2 if missing."""
    contract = db.session.execute(
        select(BountyContract).where(BountyContract.insurer_id == insurer.id)
    ).scalar_one_or_none()
    if contract is None:
        contract = BountyContract(
            insurer_id=insurer.id,
            property_cap=rules.DEFAULT_PROPERTY_CAP,
            whereabouts_cap=rules.DEFAULT_WHEREABOUTS_CAP,
            premium_rate=rules.DEFAULT_PREMIUM_RATE,
            policy_months=rules.DEFAULT_POLICY_MONTHS,
        )
        db.session.add(contract)
        db.session.flush()
    return contract


def caps_of(contract: BountyContract) -> rules.Caps:
    """The contract's caps as the rules read them."""
    return rules.Caps(property=contract.property_cap, whereabouts=contract.whereabouts_cap)


# --- The clerk -----------------------------------------------------------------------------


def file_bounty(
    case: EnforcementCase, party: Party, insurer: Insurer, entry: NewBounty, *, clerk: User
) -> Bounty:
    """File the applicant's written bounty application (InvRules art. 21(1))."""
    _require_role(clerk, Role.CLERK, Role.ADMIN)
    if party.case_id != case.id or party.role != PartyRole.APPLICANT:
        raise OperationError("悬赏申请人必须是本案的申请执行人。", field="party")
    if not entry.undertaking:
        raise OperationError(
            "申请书须载明申请执行人自愿支付悬赏金的承诺。" + rules.SOURCE_APPLICATION,
            field="undertaking",
        )
    if not entry.channels:
        raise OperationError("请选择至少一种悬赏公告发布方式。", field="channels")
    if entry.filed_on > clock.today():
        raise OperationError("申请日期不能晚于今天。", field="filed_on")
    if case.unpaid_amount <= 0:
        raise Conflict("该案已全部执行到位，无须悬赏。", field="party")

    terms = rules.Terms(entry.kind, entry.method, entry.fixed_amount, entry.rate, entry.cap)
    problems = rules.check_terms(terms, caps_of(contract_for(insurer)))
    if problems:
        raise OperationError(problems[0].message, field=problems[0].field)

    fixed = entry.method == rules.AmountMethod.FIXED
    bounty = Bounty(
        notice_number=_next_notice_number(case),
        case=case,
        party=party,
        insurer=insurer,
        kind=entry.kind,
        method=entry.method,
        fixed_amount=entry.fixed_amount if fixed else None,
        rate=None if fixed else entry.rate,
        cap=None if fixed else entry.cap,
        channels=list(entry.channels),
        undertaking=True,
        published_details=entry.published_details.strip(),
        filed_on=entry.filed_on,
        filed_by=clerk,
        decision_due_on=rules.decision_due(entry.filed_on).due,
    )
    db.session.add(bounty)
    db.session.flush()
    audit.record(
        "bounty.filed",
        _subject(bounty),
        case=case.public_id,
        kind=entry.kind.value,
        maximum=str(rules.maximum_bounty(terms)),
    )
    return bounty


def withdraw(bounty: Bounty, *, clerk: User) -> None:
    """The applicant withdraws the bounty; the public page says it ended."""
    _require_role(clerk, Role.CLERK, Role.ADMIN)
    _require_status(bounty, BountyStatus.FILED, BountyStatus.GRANTED)
    _end(bounty, EndReason.WITHDRAWN)


def _next_notice_number(case: EnforcementCase) -> str:
    count = db.session.execute(
        select(func.count(Bounty.id)).where(Bounty.case_id == case.id)
    ).scalar_one()
    return f"{case.case_number}悬赏公告第{count + 1}号"


# --- The judge: decision -------------------------------------------------------------------


def grant(bounty: Bounty, *, judge: User, reason: str = "") -> None:
    """Grant the bounty: the notice is issued and the public page opens (art. 22)."""
    _require_role(judge, Role.JUDGE)
    _require_status(bounty, BountyStatus.FILED)
    if bounty.case.unpaid_amount <= 0:
        raise Conflict("该案已全部执行到位，不再悬赏。")

    today = clock.today()
    bounty.status = BountyStatus.GRANTED
    bounty.decided_by = judge
    bounty.decided_at = utcnow()
    bounty.decision_reason = reason.strip() or None
    # until a policy says otherwise, the notice stands for the policy period's default
    bounty.expires_on = rules.add_months(today, rules.DEFAULT_POLICY_MONTHS)
    db.session.flush()
    audit.record("bounty.granted", _subject(bounty), expires_on=bounty.expires_on.isoformat())

    # a published bounty is one of the investigation measures the 终本 checklist counts
    record_measure(bounty.case, MeasureKind.BOUNTY, today, reference=_subject(bounty), user=judge)

    from relief.bounties import paperwork

    bounty.notice_document = paperwork.issue_notice(bounty, issued_by=judge)
    db.session.flush()


def reject(bounty: Bounty, *, judge: User, reason: str) -> None:
    """Refuse to publish the bounty, with reasons."""
    _require_role(judge, Role.JUDGE)
    _require_status(bounty, BountyStatus.FILED)
    if not reason.strip():
        raise OperationError("请填写不予悬赏的理由。", field="reason")

    bounty.status = BountyStatus.REJECTED
    bounty.decided_by = judge
    bounty.decided_at = utcnow()
    bounty.decision_reason = reason.strip()
    db.session.flush()
    audit.record("bounty.rejected", _subject(bounty))


def end_if_expired(bounty: Bounty) -> bool:
    """End a granted bounty whose last day has passed; say whether it did."""
    # TODO: nothing calls this on a schedule yet; until a daily job does, a lapsed notice
    # shows as lapsed (public.state_of) and refuses tips, but its row stays GRANTED.
    if bounty.status != BountyStatus.GRANTED or bounty.expires_on is None:
        return False
    if clock.today() <= bounty.expires_on:
        return False
    _end(bounty, EndReason.EXPIRED)
    return True


def _end(bounty: Bounty, reason: EndReason) -> None:
    bounty.status = BountyStatus.ENDED
    bounty.end_reason = reason
    bounty.ended_at = utcnow()
    db.session.flush()
    audit.record("bounty.ended", _subject(bounty), reason=reason.value)


@recovery_recorded.connect
def _end_on_full_recovery(case: EnforcementCase, recovery, **_) -> None:
    """A judgment fully satisfied ends its open bounties (nothing left to find)."""
    if case.unpaid_amount > 0:
        return
    open_bounties = db.session.execute(
        select(Bounty).where(
            Bounty.case_id == case.id,
            Bounty.status.in_((BountyStatus.FILED, BountyStatus.GRANTED)),
        )
    ).scalars()
    for bounty in open_bounties:
        _end(bounty, EndReason.RECOVERED)


# --- The public: tips ----------------------------------------------------------------------


def submit_tip(bounty: Bounty, lead: str, tipster: Tipster, files: list) -> tuple[Tip, str]:
    """Register a tip in arrival order; return it with its receipt code (shown once).

    ``tipster`` must already be validated. Files are checked by content; if anything fails,
    the files already written are removed and nothing is kept.
    """
    if not bounty.open_on(clock.today()):
        raise Conflict("该悬赏已结束或已过期，不再接受举报。")
    if not lead.strip():
        raise OperationError("请填写线索内容。", field="lead")

    # the row lock orders concurrent tips on PostgreSQL; SQLite writes one at a time
    db.session.execute(select(Bounty.id).where(Bounty.id == bounty.id).with_for_update())
    sequence = (
        db.session.execute(
            select(func.coalesce(func.max(Tip.sequence), 0)).where(Tip.bounty_id == bounty.id)
        ).scalar_one()
        + 1
    )
    code = new_receipt_code()
    case = bounty.case
    tip = Tip(
        bounty=bounty,
        sequence=sequence,
        lead_encrypted=_seal(lead.strip()),
        name_encrypted=_seal(tipster.name),
        id_number_encrypted=_seal(tipster.id_number),
        phone_encrypted=_seal(tipster.phone),
        receipt_hash=receipt_hash(code),
        suspected_exclusion=rules.screen_tipster(
            tipster.id_number,
            [party.id_number for party in case.parties_in(PartyRole.RESPONDENT)],
            [party.id_number for party in case.parties_in(PartyRole.APPLICANT)],
        ),
    )
    db.session.add(tip)
    db.session.flush()
    _attach(tip, files)
    audit.record(
        "tip.registered",
        _tip_subject(tip),
        actor="public",
        bounty=bounty.public_id,
        sequence=sequence,
        attachments=len(tip.attachments),
    )
    return tip, code


def confirm_receipt(tip: Tip) -> None:
    """The tipster confirmed having saved the receipt code."""
    if tip.receipt_confirmed_at is None:
        tip.receipt_confirmed_at = utcnow()
        db.session.flush()
        audit.record("tip.receipt_confirmed", _tip_subject(tip), actor="public")


def tip_by_receipt(code: str) -> Tip | None:
    """The tip a receipt code belongs to, or None for a wrong code."""
    normalised = normalise_receipt(code)
    if len(normalised) != RECEIPT_LENGTH:
        return None
    return db.session.execute(
        select(Tip).where(Tip.receipt_hash == receipt_hash(normalised))
    ).scalar_one_or_none()


def add_information(tip: Tip, text: str, files: list) -> TipAddition:
    """The tipster adds to the lead with the receipt code, while the bounty is open."""
    if not tip.bounty.open_on(clock.today()):
        raise Conflict("该悬赏已结束，不能再补充线索。")
    if not text.strip() and not any(getattr(upload, "filename", "") for upload in files):
        raise OperationError("请填写补充内容或选择文件。", field="text")

    addition = TipAddition(tip=tip, text_encrypted=_seal(text.strip()))
    db.session.add(addition)
    db.session.flush()
    _attach(tip, files)
    audit.record("tip.information_added", _tip_subject(tip), actor="public")
    return addition


def new_receipt_code() -> str:
    """A fresh receipt code of 120 bits, grouped for reading aloud: ABCD-EFGH-..."""
    return _encode_code(secrets.token_bytes(RECEIPT_BYTES))


def normalise_receipt(code: str) -> str:
    """The code without separators and in capitals, as typed in any way.

    Base32 has no 0, 1 or 8: read aloud or copied by hand they can only mean O, I and B.
    """
    text = "".join(ch for ch in (code or "").upper() if ch.isascii() and ch.isalnum())
    return text.translate(_LOOKALIKES)


def receipt_hash(code: str) -> str:
    """SHA-256 of the normalised code; 120 random bits need no slow hash."""
    return hashlib.sha256(normalise_receipt(code).encode()).hexdigest()


def _encode_code(raw: bytes) -> str:
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def _attach(tip: Tip, files: list) -> None:
    """Store the files sent with a tip; on any failure remove what was written."""
    uploads_given = [upload for upload in files if upload and upload.filename]
    if len(uploads_given) > MAX_ATTACHMENTS:
        raise OperationError(f"每次最多上传{MAX_ATTACHMENTS}个文件。", field="attachments")

    stored = []
    try:
        for upload in uploads_given:
            try:
                saved = uploads.store(upload, ATTACHMENTS)
            except uploads.UploadError as error:
                raise OperationError(f"附件：{error}", field="attachments") from None
            stored.append(saved)
            db.session.add(
                TipAttachment(
                    tip=tip,
                    content_type=saved.content_type,
                    size=saved.size,
                    sha256=saved.sha256,
                    storage_key=saved.storage_key,
                )
            )
        db.session.flush()
    except Exception:
        for saved in stored:
            uploads.discard(ATTACHMENTS, saved.storage_key)
        raise


# --- The judge: tips -----------------------------------------------------------------------


def reveal_tip(tip: Tip, *, judge: User) -> dict[str, str]:
    """The tip's lead and tipster in clear, for the deciding judge only; the view is recorded."""
    _require_deciding_judge(tip.bounty, judge)
    audit.record("tip.identity_viewed", _tip_subject(tip), bounty=tip.bounty.public_id)
    return {
        "lead": _open(tip.lead_encrypted),
        "name": _open(tip.name_encrypted),
        "id_number": _open(tip.id_number_encrypted),
        "phone": _open(tip.phone_encrypted),
        "additions": [
            {"at": addition.added_at, "text": _open(addition.text_encrypted)}
            for addition in tip.additions
        ],
    }


def mark_tip(
    tip: Tip,
    verdict: rules.TipVerdict,
    *,
    judge: User,
    exclusion: rules.Exclusion | None = None,
    same_lead_as: Tip | None = None,
    note: str = "",
) -> None:
    """The judge records a finding on the tip (InvRules arts. 23–24)."""
    _require_deciding_judge(tip.bounty, judge)
    if tip.bounty.status not in (BountyStatus.GRANTED, BountyStatus.ENDED):
        raise Conflict("悬赏未发布，不能审查举报。")
    if verdict == rules.TipVerdict.PENDING:
        raise OperationError("请选择审查结论。", field="verdict")
    if verdict == rules.TipVerdict.EXCLUDED and exclusion is None:
        raise OperationError("请选择举报人不得领取悬赏金的情形。", field="exclusion")
    if same_lead_as is not None and (
        same_lead_as.bounty_id != tip.bounty_id or same_lead_as.sequence >= tip.sequence
    ):
        raise OperationError("只能选择本悬赏中更早登记的举报。", field="same_lead_as")
    if any(payout.tip_id == tip.id for payout in tip.bounty.payouts):
        raise Conflict("该举报已有悬赏金发放记录，不能更改审查结论。")

    tip.verdict = verdict
    tip.exclusion = exclusion if verdict == rules.TipVerdict.EXCLUDED else None
    tip.same_lead_as = same_lead_as
    tip.verdict_note = note.strip() or None
    tip.marked_by_id = judge.id
    tip.marked_at = utcnow()
    db.session.flush()
    audit.record(
        "tip.marked",
        _tip_subject(tip),
        verdict=verdict.value,
        exclusion=tip.exclusion.value if tip.exclusion else None,
        same_lead_as=same_lead_as.public_id if same_lead_as else None,
    )


def outcomes(bounty: Bounty) -> dict[int, rules.TipOutcome]:
    """Each tip's standing under the payee rule."""
    return rules.settle_leads(
        rules.TipFacts(
            id=tip.id,
            sequence=tip.sequence,
            verdict=tip.verdict,
            same_lead_as=tip.same_lead_as_id,
            exclusion=tip.exclusion,
        )
        for tip in bounty.tips
    )


def record_tip_recovery(
    tip: Tip, amount: Decimal, received_on: date, *, official: User, note: str = ""
) -> TipRecovery:
    """Record money recovered on the case through the tip's lead (the deciding judge)."""
    _require_deciding_judge(tip.bounty, official)
    if tip.bounty.kind != rules.BountyKind.PROPERTY:
        raise Conflict("下落线索悬赏不按执行到位款计算。")
    if tip.verdict != rules.TipVerdict.VERIFIED:
        raise Conflict("只有经核实的新线索才能登记通过该线索执行到位的款项。")
    if received_on > clock.today():
        raise OperationError("到位日期不能晚于今天。", field="received_on")

    try:
        recovery = record_recovery(
            tip.bounty.case,
            amount,
            received_on,
            note=note or f"悬赏线索第{tip.sequence}号",
            recorded_by_id=official.id,
        )
    except RecoveryError as error:
        raise OperationError(str(error), field="amount") from None
    link = TipRecovery(tip=tip, recovery=recovery)
    db.session.add(link)
    db.session.flush()
    audit.record(
        "tip.recovery_attributed", _tip_subject(tip), recovery=recovery.id, amount=str(amount)
    )
    return link


def recovered_through(tip: Tip) -> Decimal:
    """Everything recovered through the tip's lead so far."""
    return sum((link.recovery.amount for link in tip.recoveries), Decimal("0.00"))


def compute_payout(tip: Tip) -> rules.Payout:
    """What the tip's payee is owed now under the notice's terms."""
    bounty = tip.bounty
    standing = outcomes(bounty)[tip.id]
    if not standing.payable:
        return rules.Payout(Decimal("0.00"), [standing.reason])
    already = sum((payout.amount for payout in bounty.payouts), Decimal("0.00"))
    return rules.payout(bounty.terms, recovered_through(tip), already)


# --- Payouts: four eyes --------------------------------------------------------------------


def propose_payout(tip: Tip, *, judge: User) -> BountyPayout:
    """The judge proposes the computed payout; an approver must sign it."""
    _require_deciding_judge(tip.bounty, judge)
    bounty = tip.bounty
    if bounty.insurance_status != InsuranceStatus.INSURED:
        # TODO: an uninsured bounty is paid by the applicant out of the enforcement money
        # (InvRules art. 24(2)); that deduction is not built, so only insured bounties pay.
        raise Conflict("该悬赏尚未投保悬赏保险，不能通过保险公司发放悬赏金。")
    if any(payout.status == PayoutStatus.PROPOSED for payout in bounty.payouts):
        raise Conflict("该悬赏已有待审批的悬赏金，请先审批。")

    computed = compute_payout(tip)
    if computed.amount <= 0:
        raise Conflict("按悬赏公告计算，当前无应发放的悬赏金：" + "".join(computed.reasons))

    payout = BountyPayout(
        bounty=bounty,
        tip=tip,
        insurer_id=bounty.insurer_id,
        amount=computed.amount,
        computation={"recovered": str(recovered_through(tip)), "reasons": computed.reasons},
        proposed_by_id=judge.id,
    )
    db.session.add(payout)
    db.session.flush()
    audit.record("payout.proposed", _payout_subject(payout), amount=str(payout.amount))
    return payout


def approve_payout(payout: BountyPayout, *, approver: User) -> None:
    """A second official signs the payout; the result notice goes to the insurer."""
    _require_role(approver, Role.APPROVER)
    if payout.proposed_by_id == approver.id:
        raise Forbidden("不能审批自己提出的悬赏金。")
    if payout.status != PayoutStatus.PROPOSED:
        raise Conflict("该悬赏金不在待审批状态。")

    # recoveries or verdicts may have moved since the proposal: the amount must still hold
    others = sum((p.amount for p in payout.bounty.payouts if p.id != payout.id), Decimal("0.00"))
    standing = outcomes(payout.bounty)[payout.tip_id]
    recomputed = rules.payout(payout.bounty.terms, recovered_through(payout.tip), others)
    if not standing.payable or recomputed.amount < payout.amount:
        raise Conflict("举报审查结论或执行到位金额已变化，请承办法官重新计算。")

    payout.status = PayoutStatus.APPROVED
    payout.approved_by_id = approver.id
    payout.approved_at = utcnow()
    db.session.flush()
    audit.record("payout.approved", _payout_subject(payout), amount=str(payout.amount))

    from relief.bounties import paperwork

    payout.result_document = paperwork.issue_result(payout, issued_by=approver)
    db.session.flush()


# --- The insurer ---------------------------------------------------------------------------


def quote(bounty: Bounty, *, insurer: Insurer, premium: Decimal | None = None) -> Decimal:
    """The insurer quotes the premium; by default its contract rate × the maximum bounty."""
    _require_insurer(bounty, insurer)
    if bounty.status != BountyStatus.GRANTED:
        raise Conflict("只有已发布的悬赏才能投保。")
    if bounty.insurance_status not in (InsuranceStatus.PENDING, InsuranceStatus.QUOTED):
        raise Conflict("该悬赏已承保或已拒保。")

    if premium is None:
        premium = rules.premium(bounty.terms, contract_for(insurer).premium_rate)
    if premium <= 0:
        raise OperationError("保费必须大于零。", field="premium")
    bounty.premium = premium
    bounty.insurance_status = InsuranceStatus.QUOTED
    db.session.flush()
    audit.record(
        "bounty.quoted", _subject(bounty), actor=_insurer_actor(insurer), premium=str(premium)
    )
    return premium


def issue_policy(
    bounty: Bounty,
    *,
    insurer: Insurer,
    policy_number: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> None:
    """The insurer issues the bounty policy; the notice stays open until the policy ends."""
    _require_insurer(bounty, insurer)
    if bounty.status != BountyStatus.GRANTED:
        raise Conflict("只有已发布的悬赏才能投保。")
    if bounty.insurance_status != InsuranceStatus.QUOTED:
        raise Conflict("请先报价，再出具保单。")
    number = (policy_number or "").strip()
    if not number:
        raise OperationError("请填写保单号。", field="policy_number")

    starts_on = starts_on or clock.today()
    ends_on = ends_on or rules.add_months(
        starts_on, contract_for(insurer).policy_months
    ) - timedelta(days=1)
    if ends_on <= starts_on:
        raise OperationError("保险期间的终止日期须晚于起始日期。", field="ends_on")
    duplicate = db.session.execute(
        select(Bounty.id).where(Bounty.insurer_id == insurer.id, Bounty.policy_number == number)
    ).first()
    if duplicate:
        raise Conflict("该保单号已用于另一件悬赏。", field="policy_number")

    bounty.policy_number = number
    bounty.policy_starts_on = starts_on
    bounty.policy_ends_on = ends_on
    bounty.expires_on = ends_on
    bounty.insurance_status = InsuranceStatus.INSURED
    db.session.flush()
    audit.record(
        "bounty.insured",
        _subject(bounty),
        actor=_insurer_actor(insurer),
        policy_number=number,
        ends_on=ends_on.isoformat(),
    )


def decline_insurance(bounty: Bounty, *, insurer: Insurer, reason: str) -> None:
    """The insurer declines to insure the bounty."""
    _require_insurer(bounty, insurer)
    if bounty.insurance_status not in (InsuranceStatus.PENDING, InsuranceStatus.QUOTED):
        raise Conflict("该悬赏已承保或已拒保。")
    if not (reason or "").strip():
        raise OperationError("请填写拒保理由。", field="reason")

    bounty.insurance_status = InsuranceStatus.DECLINED
    bounty.insurance_declined_reason = reason.strip()
    db.session.flush()
    audit.record("bounty.insurance_declined", _subject(bounty), actor=_insurer_actor(insurer))


def disclose_payee(payout: BountyPayout, *, insurer: Insurer) -> dict[str, str]:
    """The payee's identity and contact, for the insurer that pays; the act is recorded."""
    if payout.insurer_id != insurer.id:
        raise Forbidden("无权查看。")
    if payout.status not in (PayoutStatus.APPROVED, PayoutStatus.PAID):
        raise Conflict("悬赏金经审批后才能查看领取人信息。")

    if payout.payee_disclosed_at is None:
        payout.payee_disclosed_at = utcnow()
    db.session.flush()
    audit.record("payout.payee_disclosed", _payout_subject(payout), actor=_insurer_actor(insurer))
    tip = payout.tip
    return {
        "name": _open(tip.name_encrypted),
        "id_number": _open(tip.id_number_encrypted),
        "phone": _open(tip.phone_encrypted),
    }


def record_payout_payment(
    payout: BountyPayout,
    *,
    insurer: Insurer,
    amount: Decimal,
    paid_on: date,
    transaction_reference: str,
) -> None:
    """The insurer reports that it paid the tipster the approved amount."""
    if payout.insurer_id != insurer.id:
        raise Forbidden("无权操作。")
    if payout.status != PayoutStatus.APPROVED:
        raise Conflict("该悬赏金不在待支付状态。")
    if amount != payout.amount:
        raise Conflict(
            f"支付金额（{format_yuan(amount)}）与核定的悬赏金（{format_yuan(payout.amount)}）不一致。",
            field="amount",
        )
    if paid_on > clock.today():
        raise OperationError("支付日期不能晚于今天。", field="paid_on")
    reference = (transaction_reference or "").strip()
    if not reference:
        raise OperationError("请填写交易流水号。", field="transaction_reference")
    duplicate = db.session.execute(
        select(BountyPayout.id).where(
            BountyPayout.insurer_id == insurer.id,
            BountyPayout.transaction_reference == reference,
        )
    ).first()
    if duplicate:
        raise Conflict("该交易流水号已用于另一笔悬赏金。", field="transaction_reference")

    payout.status = PayoutStatus.PAID
    payout.paid_amount = amount
    payout.paid_on = paid_on
    payout.transaction_reference = reference
    db.session.flush()
    audit.record(
        "payout.paid", _payout_subject(payout), actor=_insurer_actor(insurer), amount=str(amount)
    )


# --- Helpers -------------------------------------------------------------------------------


def _seal(text: str) -> bytes:
    return vault.encrypt(text.encode())


def _open(token: bytes) -> str:
    return vault.decrypt(token).decode()


def _require_role(user: User, *roles: Role) -> None:
    if not user.has_role(*roles):
        raise Forbidden("您没有权限执行此操作。")


def _require_deciding_judge(bounty: Bounty, judge: User) -> None:
    # tipsters' identities are the deciding judge's alone (InvRules art. 23(2); DESIGN.md §5)
    if judge.role != Role.JUDGE or bounty.decided_by_id != judge.id:
        raise Forbidden("只有决定该悬赏的承办法官可以处理举报。")


def _require_status(bounty: Bounty, *statuses: BountyStatus) -> None:
    if bounty.status not in statuses:
        raise Conflict("该悬赏当前的状态不允许此操作。")


def _require_insurer(bounty: Bounty, insurer: Insurer) -> None:
    if bounty.insurer_id != insurer.id:
        raise Forbidden("无权操作。")


def _insurer_actor(insurer: Insurer) -> str:
    return f"insurer:{insurer.public_id}"


def _subject(bounty: Bounty) -> str:
    return f"bounty:{bounty.public_id}"


def _tip_subject(tip: Tip) -> str:
    return f"tip:{tip.public_id}"


def _payout_subject(payout: BountyPayout) -> str:
    return f"bounty_payout:{payout.public_id}"
