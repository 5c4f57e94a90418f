"""The court's bounty pages: filing, the decision, the tips queue, recoveries and payouts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from relief.accounts.models import Role
from relief.bounties import operations, rules
from relief.bounties.models import (
    Bounty,
    BountyPayout,
    BountyStatus,
    InsuranceStatus,
    PayoutStatus,
    Tip,
    TipAttachment,
)
from relief.bounties.schemas import BountySchema, MarkSchema, ReasonSchema, TipRecoverySchema
from relief.cases.models import EnforcementCase, PartyRole
from relief.core import audit, clock, uploads
from relief.core.errors import OperationError
from relief.extensions import db
from relief.insurers.models import Insurer
from relief.web import roles_required

blueprint = Blueprint("bounties", __name__, url_prefix="/staff/bounties")

STAFF = (Role.CLERK, Role.JUDGE, Role.APPROVER, Role.ADMIN)

STATUS_LABELS = {
    BountyStatus.FILED: lazy_gettext("待承办法官决定"),
    BountyStatus.GRANTED: lazy_gettext("已发布"),
    BountyStatus.REJECTED: lazy_gettext("不予悬赏"),
    BountyStatus.ENDED: lazy_gettext("已结束"),
}
INSURANCE_LABELS = {
    InsuranceStatus.PENDING: lazy_gettext("待保险公司报价"),
    InsuranceStatus.QUOTED: lazy_gettext("保险公司已报价"),
    InsuranceStatus.INSURED: lazy_gettext("已承保"),
    InsuranceStatus.DECLINED: lazy_gettext("保险公司拒保"),
}
PAYOUT_LABELS = {
    PayoutStatus.PROPOSED: lazy_gettext("待审批"),
    PayoutStatus.APPROVED: lazy_gettext("已审批，待保险公司支付"),
    PayoutStatus.PAID: lazy_gettext("保险公司已支付"),
}
VERDICT_LABELS = {
    rules.TipVerdict.PENDING: lazy_gettext("待审查"),
    rules.TipVerdict.ALREADY_KNOWN: lazy_gettext("法院已掌握该线索"),
    rules.TipVerdict.VERIFIED: lazy_gettext("新线索，经核实"),
    rules.TipVerdict.NOT_VERIFIABLE: lazy_gettext("无法核实"),
    rules.TipVerdict.EXCLUDED: lazy_gettext("举报人不得领取悬赏金"),
}


@blueprint.record_once
def _on_register(state) -> None:
    from relief.bounties import timeline, workspace

    timeline.register()
    workspace.register()


@blueprint.app_context_processor
def _labels() -> dict:
    return {
        "BOUNTY_STATUS_LABELS": STATUS_LABELS,
        "INSURANCE_LABELS": INSURANCE_LABELS,
        "PAYOUT_LABELS": PAYOUT_LABELS,
        "VERDICT_LABELS": VERDICT_LABELS,
        "EXCLUSION_LABELS_BOUNTY": rules.EXCLUSION_LABELS,
        "CHANNEL_LABELS": rules.CHANNEL_LABELS,
        "KIND_LABELS": rules.KIND_LABELS,
    }


# --- Lists and filing ----------------------------------------------------------------------


@blueprint.get("/")
@roles_required(*STAFF)
def index():
    """All bounties, the earliest decision due first."""
    bounties = db.session.execute(
        select(Bounty)
        .options(selectinload(Bounty.case), selectinload(Bounty.tips))
        .order_by(Bounty.decision_due_on, Bounty.id)
    ).scalars()
    return render_template("bounties/index.html", bounties=list(bounties), today=clock.today())


@blueprint.route("/new", methods=["GET", "POST"])
@roles_required(Role.CLERK, Role.ADMIN)
def new():
    """The clerk files the applicant's written bounty application."""
    case = _case_or_404(request.args.get("case_id", ""))
    insurers = list(db.session.execute(select(Insurer).order_by(Insurer.id)).scalars())
    errors: dict = {}

    if request.method == "POST":
        try:
            bounty = _file(case, insurers)
        except ValidationError as error:
            errors = error.messages
        except OperationError as error:
            errors = _errors_of(error)
        else:
            db.session.commit()
            flash(_("已提交悬赏申请 %(number)s。", number=bounty.notice_number), "success")
            return redirect(url_for("bounties.show", public_id=bounty.public_id))
        db.session.rollback()

    return (
        render_template(
            "bounties/new.html",
            case=case,
            applicants=case.parties_in(PartyRole.APPLICANT),
            insurers=insurers,
            errors=errors,
            today=clock.today(),
            due=rules.decision_due(clock.today()),
        ),
        422 if errors else 200,
    )


def _file(case: EnforcementCase, insurers: list[Insurer]) -> Bounty:
    form = request.form.to_dict()
    form["channels"] = request.form.getlist("channels")
    entry = BountySchema().load(form)

    party = next((p for p in case.parties if p.id == entry["party"]), None)
    if party is None:
        raise ValidationError({"party": ["请选择本案的申请执行人。"]})
    insurer = next((i for i in insurers if i.id == entry["insurer"]), None)
    if insurer is None:
        raise ValidationError({"insurer": ["请选择承保悬赏保险的保险公司。"]})

    return operations.file_bounty(
        case,
        party,
        insurer,
        operations.NewBounty(
            kind=entry["kind"],
            method=entry["method"],
            fixed_amount=entry["fixed_amount"],
            rate=entry["rate"],
            cap=entry["cap"],
            channels=[channel.value for channel in entry["channels"]],
            undertaking=entry["undertaking"],
            published_details=entry["published_details"],
            filed_on=entry["filed_on"],
        ),
        clerk=current_user,
    )


# --- One bounty ----------------------------------------------------------------------------


@blueprint.get("/<public_id>")
@roles_required(*STAFF)
def show(public_id: str):
    """The bounty, its decision, insurance, the tips queue (no identities) and payouts."""
    return _show(_bounty_or_404(public_id), {}, 200)


def _show(bounty: Bounty, errors: dict, status: int):
    return (
        render_template(
            "bounties/show.html",
            bounty=bounty,
            case=bounty.case,
            outcomes=operations.outcomes(bounty),
            terms_text=rules.describe(bounty.terms),
            errors=errors,
            today=clock.today(),
            is_decider=bounty.decided_by_id == current_user.id,
        ),
        status,
    )


@blueprint.post("/<public_id>/grant")
@roles_required(Role.JUDGE)
def grant(public_id: str):
    """The judge grants the bounty: the notice is issued and published."""
    return _act(public_id, operations.grant, _("已准许悬赏，悬赏公告已出具并公开发布。"))


@blueprint.post("/<public_id>/reject")
@roles_required(Role.JUDGE)
def reject(public_id: str):
    """The judge refuses to publish the bounty."""
    return _act(public_id, operations.reject, _("已决定不予悬赏。"))


@blueprint.post("/<public_id>/withdraw")
@roles_required(Role.CLERK, Role.ADMIN)
def withdraw(public_id: str):
    """The applicant withdrew the bounty."""
    bounty = _bounty_or_404(public_id)
    try:
        operations.withdraw(bounty, clerk=current_user)
    except OperationError as error:
        db.session.rollback()
        return _show(_bounty_or_404(public_id), _errors_of(error), 409)
    db.session.commit()
    flash(_("悬赏已撤回，公开页面显示已结束。"), "success")
    return redirect(url_for("bounties.show", public_id=public_id))


def _act(public_id: str, operation, done: str):
    bounty = _bounty_or_404(public_id)
    try:
        entry = ReasonSchema().load(request.form)
        operation(bounty, judge=current_user, reason=entry["reason"])
    except (ValidationError, OperationError) as error:
        db.session.rollback()
        return _show(_bounty_or_404(public_id), _errors_of(error), 422)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("bounties.show", public_id=public_id))


# --- Tips: the deciding judge --------------------------------------------------------------


@blueprint.get("/tips/<tip_id>")
@roles_required(Role.JUDGE)
def tip(tip_id: str):
    """One tip in clear, for the deciding judge; every opening is recorded."""
    found = _tip_or_404(tip_id)
    return _tip_page(found, {}, 200)


def _tip_page(found: Tip, errors: dict, status: int):
    try:
        clear = operations.reveal_tip(found, judge=current_user)
    except OperationError:
        db.session.rollback()
        abort(403)
    db.session.commit()
    bounty = found.bounty
    return (
        render_template(
            "bounties/tip.html",
            tip=found,
            bounty=bounty,
            clear=clear,
            outcome=operations.outcomes(bounty)[found.id],
            computed=operations.compute_payout(found),
            recovered=operations.recovered_through(found),
            earlier=[t for t in bounty.tips if t.sequence < found.sequence],
            errors=errors,
            today=clock.today(),
        ),
        status,
    )


@blueprint.post("/tips/<tip_id>/mark")
@roles_required(Role.JUDGE)
def mark(tip_id: str):
    """The judge records a finding on the tip."""
    found = _tip_or_404(tip_id)
    try:
        entry = MarkSchema().load(request.form)
        same = None
        if entry["same_lead_as"]:
            same = db.session.execute(
                select(Tip).where(Tip.public_id == entry["same_lead_as"])
            ).scalar_one_or_none()
            if same is None:
                raise OperationError("请选择本悬赏中更早登记的举报。", field="same_lead_as")
        operations.mark_tip(
            found,
            entry["verdict"],
            judge=current_user,
            exclusion=entry["exclusion"],
            same_lead_as=same,
            note=entry["note"],
        )
    except (ValidationError, OperationError) as error:
        db.session.rollback()
        return _tip_page(_tip_or_404(tip_id), _errors_of(error), 422)
    db.session.commit()
    flash(_("已记录审查结论。"), "success")
    return redirect(url_for("bounties.tip", tip_id=tip_id))


@blueprint.post("/tips/<tip_id>/recovery")
@roles_required(Role.JUDGE)
def recovery(tip_id: str):
    """Record money recovered on the case through the tip's lead."""
    found = _tip_or_404(tip_id)
    try:
        entry = TipRecoverySchema().load(request.form)
        operations.record_tip_recovery(
            found, entry["amount"], entry["received_on"], official=current_user
        )
    except (ValidationError, OperationError) as error:
        db.session.rollback()
        return _tip_page(_tip_or_404(tip_id), _errors_of(error), 422)
    db.session.commit()
    flash(_("已登记通过该线索执行到位的款项。"), "success")
    return redirect(url_for("bounties.tip", tip_id=tip_id))


@blueprint.post("/tips/<tip_id>/payout")
@roles_required(Role.JUDGE)
def propose_payout(tip_id: str):
    """The judge proposes the computed payout for an approver to sign."""
    found = _tip_or_404(tip_id)
    try:
        operations.propose_payout(found, judge=current_user)
    except OperationError as error:
        db.session.rollback()
        return _tip_page(_tip_or_404(tip_id), _errors_of(error), 422)
    db.session.commit()
    flash(_("悬赏金已提交审批。"), "success")
    return redirect(url_for("bounties.tip", tip_id=tip_id))


@blueprint.get("/attachments/<int:attachment_id>")
@roles_required(Role.JUDGE)
def attachment(attachment_id: int):
    """A tip's attachment, for the deciding judge (served with its sniffed type)."""
    found = db.session.get(TipAttachment, attachment_id) or abort(404)
    if found.tip.bounty.decided_by_id != current_user.id:
        abort(403)
    audit.record("tip.attachment_viewed", f"tip:{found.tip.public_id}", attachment=found.id)
    db.session.commit()
    return send_file(
        uploads.path_of(operations.ATTACHMENTS, found.storage_key),
        mimetype=found.content_type,
        download_name=f"tip-attachment-{found.id}",
    )


# --- Payouts: the approver -----------------------------------------------------------------


@blueprint.post("/payouts/<payout_id>/approve")
@roles_required(Role.APPROVER)
def approve_payout(payout_id: str):
    """A second official signs the payout; the result notice goes to the insurer."""
    payout = db.session.execute(
        select(BountyPayout).where(BountyPayout.public_id == payout_id)
    ).scalar_one_or_none() or abort(404)
    public_id = payout.bounty.public_id
    try:
        operations.approve_payout(payout, approver=current_user)
    except OperationError as error:
        db.session.rollback()
        return _show(_bounty_or_404(public_id), _errors_of(error), 422)
    db.session.commit()
    flash(_("悬赏金已审批，悬赏结果通知书已出具并发送保险公司。"), "success")
    return redirect(url_for("bounties.show", public_id=public_id))


# --- Helpers -------------------------------------------------------------------------------


def _errors_of(error: Exception) -> dict:
    if isinstance(error, ValidationError):
        return error.messages
    return {getattr(error, "field", None) or "_general": [getattr(error, "message", str(error))]}


def _case_or_404(public_id: str) -> EnforcementCase:
    return db.one_or_404(select(EnforcementCase).where(EnforcementCase.public_id == public_id))


def _bounty_or_404(public_id: str) -> Bounty:
    return db.one_or_404(select(Bounty).where(Bounty.public_id == public_id))


def _tip_or_404(tip_id: str) -> Tip:
    return db.one_or_404(select(Tip).where(Tip.public_id == tip_id))
