"""Staff pages of preservations and their guarantees, and the insurer staff's read-only view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from relief.accounts.models import Role
from relief.cases.models import Court, EnforcementCase
from relief.core import clock
from relief.core.case_numbers import normalise_case_number
from relief.core.errors import OperationError
from relief.documents.models import IssuedDocument
from relief.extensions import db
from relief.guarantees import operations, rules, timeline
from relief.guarantees.models import Guarantee, GuaranteeContract, GuaranteeStatus
from relief.guarantees.schemas import (
    ClaimSchema,
    ContractSchema,
    ConversionSchema,
    ExecutionSchema,
    PreservationSchema,
    ReasonSchema,
    ReleaseSchema,
    RulingSchema,
)
from relief.insurers.models import Insurer
from relief.web import roles_required

blueprint = Blueprint("guarantees", __name__, url_prefix="/guarantees")

STAFF = (Role.CLERK, Role.JUDGE, Role.APPROVER, Role.ADMIN)

timeline.register()

GUARANTEE_STATUS_LABELS = {
    GuaranteeStatus.REQUESTED: lazy_gettext("待保险公司报价"),
    GuaranteeStatus.QUOTED: lazy_gettext("保险公司已报价"),
    GuaranteeStatus.DECLINED: lazy_gettext("保险公司不予承保"),
    GuaranteeStatus.ISSUED: lazy_gettext("保函已出具，待法官审查"),
    GuaranteeStatus.AWAITING_APPROVAL: lazy_gettext("超出担保余额上限，待审批"),
    GuaranteeStatus.REJECTED: lazy_gettext("法院不予接受担保"),
    GuaranteeStatus.ACCEPTED: lazy_gettext("担保已接受，待裁定"),
    GuaranteeStatus.RULED: lazy_gettext("已裁定保全，待执行"),
    GuaranteeStatus.DISMISSED: lazy_gettext("已裁定驳回申请"),
    GuaranteeStatus.EXECUTED: lazy_gettext("保全措施已执行"),
    GuaranteeStatus.RELEASED: lazy_gettext("已解除保全，保险责任期间内"),
    GuaranteeStatus.CONVERTED: lazy_gettext("已转为执行措施，保险责任期间内"),
    GuaranteeStatus.CLAIMED: lazy_gettext("保全错误索赔中"),
    GuaranteeStatus.PAID: lazy_gettext("保险公司已赔付"),
    GuaranteeStatus.CLOSED: lazy_gettext("已结案"),
}


@blueprint.app_context_processor
def _labels() -> dict:
    return {
        "GUARANTEE_STATUS_LABELS": GUARANTEE_STATUS_LABELS,
        "PRESERVATION_KIND_LABELS": rules.PRESERVATION_KIND_LABELS,
        "PROPERTY_KIND_LABELS": rules.PROPERTY_KIND_LABELS,
        "EXEMPTION_LABELS": rules.EXEMPTION_LABELS,
        "EXEMPTION_ARTICLES": rules.EXEMPTION_ARTICLES,
        "RELEASE_GROUND_LABELS": rules.RELEASE_GROUND_LABELS,
    }


# --- Lists ---------------------------------------------------------------------------------


@blueprint.get("/")
@roles_required(*STAFF)
def index():
    """All preservations, renewals due first; each insurer's exposure on the chosen day."""
    on = _day_argument()
    guarantees = db.session.execute(
        select(Guarantee)
        .options(selectinload(Guarantee.insurer))
        .order_by(Guarantee.filed_at.desc(), Guarantee.id.desc())
    ).scalars()
    return render_template(
        "guarantees/index.html",
        guarantees=list(guarantees),
        renewals=operations.renewals_due(),
        exposures=_exposures(on),
        on=on,
    )


@blueprint.get("/insurer")
@roles_required(Role.INSURER)
def insurer_view():
    """The guarantees of the viewer's insurer, and its exposure, and nobody else's."""
    on = _day_argument()
    guarantees = db.session.execute(
        select(Guarantee)
        .where(Guarantee.insurer_id == current_user.insurer_id)
        .order_by(Guarantee.filed_at.desc(), Guarantee.id.desc())
    ).scalars()
    contract = db.session.execute(
        select(GuaranteeContract).where(GuaranteeContract.insurer_id == current_user.insurer_id)
    ).scalar_one_or_none()
    return render_template(
        "guarantees/insurer.html",
        guarantees=list(guarantees),
        exposure=operations.exposure(current_user.insurer_id, on),
        contract=contract,
        on=on,
    )


# --- Filing --------------------------------------------------------------------------------


@blueprint.route("/new", methods=["GET", "POST"])
@roles_required(Role.CLERK, Role.ADMIN)
def new():
    """The clerk files a preservation application; the request goes to the insurer."""
    errors: dict = {}
    if request.method == "POST":
        try:
            guarantee = _file()
        except ValidationError as error:
            errors = error.messages
        except OperationError as error:
            errors = _errors_of(error)
        else:
            db.session.commit()
            flash(_("已提交保全申请 %(number)s。", number=guarantee.preservation_number), "success")
            return redirect(url_for("guarantees.show", public_id=guarantee.public_id))
        db.session.rollback()

    return (
        render_template(
            "guarantees/new.html",
            options={
                "court": [(court.id, court.name) for court in _courts()],
                "kind": list(rules.PRESERVATION_KIND_LABELS.items()),
                "property_kind": list(rules.PROPERTY_KIND_LABELS.items()),
                "insurer": [(i.id, i.short_name) for i in _insurers_with_contract()],
            },
            errors=errors,
            today=clock.today(),
        ),
        422 if errors else 200,
    )


def _file() -> Guarantee:
    entry = PreservationSchema().load(request.form)
    court = db.session.get(Court, entry["court"])
    if court is None:
        raise ValidationError({"court": ["请选择受理法院。"]})
    insurer = db.session.get(Insurer, entry["insurer"]) if entry["insurer"] else None
    case = _case_by_number(entry["case_number"], "case_number") if entry["case_number"] else None

    return operations.file_application(
        operations.NewPreservation(
            kind=entry["kind"],
            urgent=entry["urgent"],
            amount=entry["amount"],
            disputed_object_value=entry["disputed_object_value"],
            property_kind=entry["property_kind"],
            property_description=entry["property_description"].strip(),
            exemption=entry["exemption"],
            applicant=operations.PartyEntry(
                entry["applicant_kind"],
                entry["applicant_name"].strip(),
                entry["applicant_id_number"],
            ),
            respondent=operations.PartyEntry(
                entry["respondent_kind"],
                entry["respondent_name"].strip(),
                entry["respondent_id_number"],
            ),
            main_case_number=entry["main_case_number"].strip(),
            filed_on=entry["filed_on"],
        ),
        court=court,
        insurer=insurer,
        case=case,
        clerk=current_user,
    )


# --- One preservation ----------------------------------------------------------------------


@blueprint.get("/<public_id>")
@roles_required(*STAFF)
def show(public_id: str):
    """The preservation, its security, deadlines and the actions of the viewer's role."""
    return _show(_guarantee_or_404(public_id), {}, 200)


def _show(guarantee: Guarantee, errors: dict, status: int):
    today = clock.today()
    return (
        render_template(
            "guarantees/show.html",
            guarantee=guarantee,
            security=_security(guarantee),
            deadlines=operations.deadlines(guarantee, today),
            errors=errors,
            today=today,
        ),
        status,
    )


def _security(guarantee: Guarantee) -> rules.Security:
    return rules.security_amount(
        rules.PreservationKind(guarantee.kind),
        guarantee.amount,
        exemption=guarantee.exemption,
        disputed_object_value=guarantee.disputed_object_value,
    )


@blueprint.get("/<public_id>/letter.pdf")
@roles_required(*STAFF, Role.INSURER)
def letter(public_id: str):
    """The guarantee letter as rendered, for court staff and the insurer that issued it."""
    guarantee = _guarantee_or_404(public_id)
    if current_user.role == Role.INSURER and guarantee.insurer_id != current_user.insurer_id:
        abort(404)
    if guarantee.letter_document_id is None:
        abort(404)
    document = db.session.execute(
        select(IssuedDocument)
        .where(IssuedDocument.id == guarantee.letter_document_id)
        .options(undefer(IssuedDocument.content))
    ).scalar_one()
    return Response(
        document.content,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'inline; filename="guarantee_letter.pdf"'},
    )


@blueprint.post("/<public_id>/accept")
@roles_required(Role.JUDGE)
def accept(public_id: str):
    """The judge accepts the guarantee (an approver must too beyond the insurer's limit)."""
    return _act(
        public_id,
        ReasonSchema,
        lambda g, entry: operations.accept(g, reason=entry["reason"], judge=current_user),
        _("已接受担保。"),
    )


@blueprint.post("/<public_id>/approve")
@roles_required(Role.APPROVER)
def approve(public_id: str):
    """The approver accepts a guarantee beyond the insurer's exposure limit."""
    return _act(
        public_id,
        ReasonSchema,
        lambda g, entry: operations.approve_acceptance(g, approver=current_user),
        _("已批准接受担保。"),
    )


@blueprint.post("/<public_id>/reject")
@roles_required(Role.JUDGE, Role.APPROVER)
def reject(public_id: str):
    """The judge or the approver refuses the guarantee, with a reason."""
    return _act(
        public_id,
        ReasonSchema,
        lambda g, entry: operations.reject(g, reason=entry["reason"], user=current_user),
        _("已决定不予接受担保。"),
    )


@blueprint.post("/<public_id>/rule")
@roles_required(Role.JUDGE)
def rule(public_id: str):
    """The judge rules on the preservation."""
    return _act(
        public_id,
        RulingSchema,
        lambda g, entry: operations.rule(
            g,
            granted=entry["granted"],
            ruled_on=entry["ruled_on"],
            reason=entry["reason"],
            judge=current_user,
        ),
        _("已记录保全裁定。"),
    )


@blueprint.post("/<public_id>/execute")
@roles_required(Role.CLERK, Role.JUDGE, Role.ADMIN)
def execute(public_id: str):
    """The measure was carried out."""
    return _act(
        public_id,
        ExecutionSchema,
        lambda g, entry: operations.record_execution(
            g, executed_on=entry["executed_on"], user=current_user
        ),
        _("已记录保全措施的执行。"),
    )


@blueprint.post("/<public_id>/renew")
@roles_required(Role.CLERK, Role.JUDGE, Role.ADMIN)
def renew(public_id: str):
    """The measure is renewed for another period."""
    return _act(
        public_id,
        ReasonSchema,
        lambda g, entry: operations.renew(g, user=current_user),
        _("已续行保全。"),
    )


@blueprint.post("/<public_id>/release")
@roles_required(Role.JUDGE)
def release(public_id: str):
    """The judge lifts the preservation."""
    return _act(
        public_id,
        ReleaseSchema,
        lambda g, entry: operations.release(
            g, ground=entry["ground"], released_on=entry["released_on"], judge=current_user
        ),
        _("已解除保全；保险公司的责任期间继续计算。"),
    )


@blueprint.post("/<public_id>/convert")
@roles_required(Role.JUDGE)
def convert(public_id: str):
    """The measure becomes an enforcement seizure of an enforcement case."""
    return _act(
        public_id,
        ConversionSchema,
        lambda g, entry: operations.convert(
            g,
            case=_case_by_number(entry["case_number"], "case_number"),
            converted_on=entry["converted_on"],
            judge=current_user,
        ),
        _("已转为执行程序中的查封、扣押、冻结措施。"),
    )


@blueprint.post("/<public_id>/claim")
@roles_required(Role.CLERK, Role.ADMIN)
def claim(public_id: str):
    """A judgment fixed the respondent's loss: the claim goes to the insurer."""
    return _act(
        public_id,
        ClaimSchema,
        lambda g, entry: operations.file_claim(
            g,
            amount=entry["amount"],
            judgment_number=entry["judgment_number"].strip(),
            claimed_on=entry["claimed_on"],
            clerk=current_user,
        ),
        _("已向保险公司提出保全错误赔偿请求。"),
    )


@blueprint.post("/<public_id>/close")
@roles_required(Role.CLERK, Role.ADMIN)
def close(public_id: str):
    """Close a guarantee whose liability tail ended without a claim."""
    return _act(
        public_id,
        ReasonSchema,
        lambda g, entry: operations.close_expired(g, user=current_user),
        _("已结案。"),
    )


def _act(public_id: str, schema: type, change: Callable, done_message: str):
    """Parse the form, run the operation, commit; on refusal show the page with the error."""
    guarantee = _guarantee_or_404(public_id)
    try:
        entry = schema().load(request.form)
        change(guarantee, entry)
    except (ValidationError, OperationError) as error:
        db.session.rollback()
        return _show(_guarantee_or_404(public_id), _errors_of(error), 422)
    db.session.commit()
    flash(done_message, "success")
    return redirect(url_for("guarantees.show", public_id=public_id))


# --- Contracts -----------------------------------------------------------------------------


@blueprint.route("/contracts", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def contracts():
    """Each insurer's guarantee terms: premium rate, minimum premium, exposure limit."""
    errors: dict = {}
    if request.method == "POST":
        try:
            entry = ContractSchema().load(request.form)
            insurer = db.session.get(Insurer, entry["insurer"])
            if insurer is None:
                raise ValidationError({"insurer": ["请选择保险公司。"]})
            operations.set_contract(
                insurer,
                rate=entry["rate"],
                minimum_premium=entry["minimum_premium"],
                exposure_limit=entry["exposure_limit"],
                user=current_user,
            )
        except (ValidationError, OperationError) as error:
            db.session.rollback()
            errors = _errors_of(error)
        else:
            db.session.commit()
            flash(_("已保存保险公司的保全担保合同条件。"), "success")
            return redirect(url_for("guarantees.contracts"))

    insurers = db.session.execute(select(Insurer).order_by(Insurer.id)).scalars()
    terms = {c.insurer_id: c for c in db.session.execute(select(GuaranteeContract)).scalars()}
    return (
        render_template(
            "guarantees/contracts.html", insurers=list(insurers), terms=terms, errors=errors
        ),
        422 if errors else 200,
    )


# --- Helpers -------------------------------------------------------------------------------


def _exposures(on: date) -> list[dict]:
    rows = db.session.execute(
        select(Insurer, GuaranteeContract)
        .join(GuaranteeContract, GuaranteeContract.insurer_id == Insurer.id)
        .order_by(Insurer.id)
    ).all()
    return [
        {
            "insurer": insurer,
            "limit": contract.exposure_limit,
            "exposure": operations.exposure(insurer.id, on),
        }
        for insurer, contract in rows
    ]


def _day_argument() -> date:
    try:
        return date.fromisoformat(request.args["on"])
    except (KeyError, ValueError):
        return clock.today()


def _courts() -> list[Court]:
    return list(db.session.execute(select(Court).order_by(Court.code, Court.id)).scalars())


def _insurers_with_contract() -> list[Insurer]:
    return list(
        db.session.execute(
            select(Insurer)
            .join(GuaranteeContract, GuaranteeContract.insurer_id == Insurer.id)
            .order_by(Insurer.id)
        ).scalars()
    )


def _case_by_number(number: str, field: str) -> EnforcementCase:
    try:
        normalised = normalise_case_number(number)
    except ValueError:
        normalised = number.strip()
    case = db.session.execute(
        select(EnforcementCase).where(EnforcementCase.case_number == normalised)
    ).scalar_one_or_none()
    if case is None:
        raise OperationError("未找到该执行案件，请核对案号。", field=field)
    return case


def _errors_of(error: Exception) -> dict:
    if isinstance(error, ValidationError):
        return error.messages if isinstance(error.messages, dict) else {"_general": error.messages}
    field = getattr(error, "field", None) or "_general"
    return {field: [getattr(error, "message", str(error))]}


def _guarantee_or_404(public_id: str) -> Guarantee:
    return db.one_or_404(select(Guarantee).where(Guarantee.public_id == public_id))
