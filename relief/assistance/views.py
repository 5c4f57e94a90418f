"""Staff pages of a relief application: filing, the judge's proposal, the approval."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from relief.accounts.models import Role
from relief.assistance import operations, rules
from relief.assistance.models import (
    ApplicationStatus,
    ClaimStatus,
    ProofDocument,
    ReliefApplication,
    ReliefClaim,
    WageFigure,
)
from relief.assistance.schemas import (
    ApplicationSchema,
    ProposalSchema,
    ReasonSchema,
    WageFigureSchema,
)
from relief.cases.models import EnforcementCase, PartyRole
from relief.cases.timeline import DOCUMENT_LABELS
from relief.core import clock, uploads
from relief.core.errors import Conflict, OperationError
from relief.documents.models import IssuedDocument
from relief.extensions import db
from relief.insurers.models import ReliefPolicy
from relief.web import roles_required

blueprint = Blueprint("assistance", __name__, url_prefix="/relief")

STAFF = (Role.CLERK, Role.JUDGE, Role.APPROVER, Role.ADMIN)
PROOF_UPLOADS = "proofs"

STATUS_LABELS = {
    ApplicationStatus.FILED: lazy_gettext("待承办法官审查"),
    ApplicationStatus.PROPOSED: lazy_gettext("待审批"),
    ApplicationStatus.RETURNED: lazy_gettext("已退回承办法官"),
    ApplicationStatus.APPROVED: lazy_gettext("已批准"),
    ApplicationStatus.DECLINED: lazy_gettext("不予救助"),
}
CLAIM_LABELS = {
    ClaimStatus.SUBMITTED: lazy_gettext("已提交保险公司"),
    ClaimStatus.ACCEPTED: lazy_gettext("保险公司已受理"),
    ClaimStatus.REJECTED: lazy_gettext("保险公司拒赔"),
    ClaimStatus.PAID: lazy_gettext("保险公司已支付"),
}
PROOF_KINDS = {
    "hardship": lazy_gettext("生活困难证明（村居委会或单位出具）"),
    "identity": lazy_gettext("身份证明（身份证、户口簿）"),
    "loss": lazy_gettext("实际损失证明"),
    "compensation": lazy_gettext("已获赔偿、补偿或救助情况证明"),
    "judgment": lazy_gettext("原案法律文书"),
    "other": lazy_gettext("其他材料"),
}


@blueprint.app_context_processor
def _labels() -> dict:
    return {
        "STATUS_LABELS": STATUS_LABELS,
        "CLAIM_LABELS": CLAIM_LABELS,
        "PROOF_KINDS": PROOF_KINDS,
        "DOCUMENT_LABELS": DOCUMENT_LABELS,
        "CATEGORY_LABELS": rules.CATEGORY_LABELS,
        "EXCLUSION_LABELS": rules.EXCLUSION_LABELS,
        "WAGE_SERIES_LABELS": rules.WAGE_SERIES_LABELS,
    }


# --- Lists ---------------------------------------------------------------------------------


@blueprint.get("/")
@roles_required(*STAFF)
def index():
    """All applications, overdue decisions first."""
    status = request.args.get("status")
    query = select(ReliefApplication).options(
        selectinload(ReliefApplication.case), selectinload(ReliefApplication.party)
    )
    if status in {s.value for s in ApplicationStatus}:
        query = query.where(ReliefApplication.status == status)
    applications = db.session.execute(
        query.order_by(ReliefApplication.decision_due_on, ReliefApplication.id)
    ).scalars()
    return render_template(
        "assistance/index.html",
        applications=list(applications),
        status=status,
        today=clock.today(),
    )


# --- Filing --------------------------------------------------------------------------------


@blueprint.route("/new", methods=["GET", "POST"])
@roles_required(Role.CLERK, Role.ADMIN)
def new():
    """The clerk files an application for an applicant of a case."""
    case = _case_or_404(request.args.get("case_id", ""))
    policies = _policies_in_force()
    errors: dict = {}

    if request.method == "POST":
        try:
            application = _file(case, policies)
        except ValidationError as error:
            errors = error.messages
        except (OperationError, uploads.UploadError) as error:
            errors = _errors_of(error)
        else:
            flash(_("已提交救助申请 %(number)s。", number=application.relief_number), "success")
            return redirect(url_for("assistance.show", public_id=application.public_id))
        db.session.rollback()

    return (
        render_template(
            "assistance/new.html",
            case=case,
            applicants=case.parties_in(PartyRole.APPLICANT),
            policies=policies,
            errors=errors,
            today=clock.today(),
        ),
        422 if errors else 200,
    )


def _file(case: EnforcementCase, policies: list[ReliefPolicy]) -> ReliefApplication:
    form = request.form.to_dict()
    form["exclusions"] = request.form.getlist("exclusions")
    entry = ApplicationSchema().load(form)

    party = next((p for p in case.parties if p.id == entry["party"]), None)
    if party is None:
        raise ValidationError({"party": ["请选择本案的申请执行人。"]})
    policy = next((p for p in policies if p.id == entry["policy"]), None)
    if policy is None:
        raise ValidationError({"policy": ["请选择在保险期间内的救助保险保单。"]})

    application = operations.file_application(
        case,
        party,
        policy,
        operations.NewApplication(
            category=entry["category"],
            household_size=entry["household_size"],
            household_monthly_income=entry["household_monthly_income"],
            compensation_received=entry["compensation_received"],
            amount_requested=entry["amount_requested"],
            circumstances=entry["circumstances"].strip(),
            exclusions=frozenset(entry["exclusions"]),
            filed_on=entry["filed_on"],
        ),
        clerk=current_user,
    )
    _store_proofs(application)
    db.session.commit()
    return application


def _store_proofs(application: ReliefApplication) -> None:
    """Store the uploaded proofs; if anything fails, remove the files already written."""
    stored = []
    try:
        for kind in PROOF_KINDS:
            for upload in request.files.getlist(f"proof_{kind}"):
                if not upload or not upload.filename:
                    continue
                try:
                    saved = uploads.store(upload, PROOF_UPLOADS)
                except uploads.UploadError as error:
                    raise OperationError(
                        f"{PROOF_KINDS[kind]}：{error}", field=f"proof_{kind}"
                    ) from None
                stored.append(saved)
                db.session.add(
                    ProofDocument(
                        application=application,
                        kind=kind,
                        original_name=saved.original_name,
                        content_type=saved.content_type,
                        size=saved.size,
                        sha256=saved.sha256,
                        storage_key=saved.storage_key,
                        uploaded_by_id=current_user.id,
                    )
                )
        db.session.flush()
    except Exception:
        for saved in stored:
            uploads.discard(PROOF_UPLOADS, saved.storage_key)
        raise


@blueprint.post("/<public_id>/proofs")
@roles_required(Role.CLERK, Role.ADMIN)
def add_proofs(public_id: str):
    """Add proofs to an application that is still undecided."""
    application = _application_or_404(public_id)
    if application.status in (ApplicationStatus.APPROVED, ApplicationStatus.DECLINED):
        flash(_("申请已决定，不能再补充材料。"), "error")
        return redirect(url_for("assistance.show", public_id=public_id))
    try:
        _store_proofs(application)
    except OperationError as error:
        db.session.rollback()
        return _show(application, _errors_of(error), 422)
    db.session.commit()
    flash(_("已补充材料。"), "success")
    return redirect(url_for("assistance.show", public_id=public_id))


@blueprint.get("/proofs/<int:proof_id>")
@roles_required(*STAFF)
def proof(proof_id: int):
    """Open a stored proof (served with its sniffed type, never as HTML)."""
    document = db.session.get(ProofDocument, proof_id) or abort(404)
    return send_file(
        uploads.path_of(PROOF_UPLOADS, document.storage_key),
        mimetype=document.content_type,
        download_name=f"proof-{document.id}",
    )


# --- One application -----------------------------------------------------------------------


@blueprint.get("/<public_id>")
@roles_required(*STAFF)
def show(public_id: str):
    """The application with its live eligibility check and the actions of the viewer's role."""
    return _show(_application_or_404(public_id), {}, 200)


def _show(application: ReliefApplication, errors: dict, status: int):
    assessment = operations.assess(application)
    documents = db.session.execute(
        select(IssuedDocument)
        .where(IssuedDocument.application_id == application.id)
        .order_by(IssuedDocument.id)
    ).scalars()
    return (
        render_template(
            "assistance/show.html",
            application=application,
            case=application.case,
            assessment=assessment,
            documents=list(documents),
            errors=errors,
            today=clock.today(),
        ),
        status,
    )


@blueprint.post("/<public_id>/propose")
@roles_required(Role.JUDGE)
def propose(public_id: str):
    """The judge proposes an amount with reasons."""
    application = _application_or_404(public_id)
    try:
        entry = ProposalSchema().load(request.form)
        operations.propose(
            application,
            amount=entry["amount"],
            reason=entry["reason"],
            judge=current_user,
            override_reason=entry["override_reason"].strip() or None,
            especially_serious=entry["especially_serious"],
        )
    except (ValidationError, OperationError) as error:
        db.session.rollback()
        return _show(_application_or_404(public_id), _errors_of(error), _status_of(error))
    db.session.commit()
    flash(_("救助意见已提交审批。"), "success")
    return redirect(url_for("assistance.show", public_id=public_id))


@blueprint.post("/<public_id>/decline")
@roles_required(Role.JUDGE)
def decline(public_id: str):
    """The judge declines the application."""
    return _decide(public_id, operations.decline, "judge", _("已决定不予救助。"))


@blueprint.post("/<public_id>/return")
@roles_required(Role.APPROVER)
def return_to_judge(public_id: str):
    """The approver sends the proposal back."""
    return _decide(public_id, operations.return_to_judge, "approver", _("已退回承办法官。"))


@blueprint.post("/<public_id>/approve")
@roles_required(Role.APPROVER)
def approve(public_id: str):
    """The approver grants the relief: documents are issued and the claim is sent."""
    return _decide(
        public_id, operations.approve, "approver", _("已批准救助，理赔申请已发送保险公司。")
    )


def _decide(public_id: str, operation, actor_argument: str, done_message: str):
    application = _application_or_404(public_id)
    try:
        entry = ReasonSchema().load(request.form)
        operation(application, reason=entry["reason"], **{actor_argument: current_user})
    except (ValidationError, OperationError) as error:
        db.session.rollback()
        return _show(_application_or_404(public_id), _errors_of(error), _status_of(error))
    db.session.commit()
    flash(done_message, "success")
    return redirect(url_for("assistance.show", public_id=public_id))


# --- Insurer staff: read-only portal ---------------------------------------------------------


@blueprint.get("/insurer/claims")
@roles_required(Role.INSURER)
def insurer_claims():
    """The claims sent to the viewer's insurer, and nobody else's."""
    claims = db.session.execute(
        select(ReliefClaim)
        .where(ReliefClaim.insurer_id == current_user.insurer_id)
        .options(selectinload(ReliefClaim.application), selectinload(ReliefClaim.policy))
        .order_by(ReliefClaim.submitted_at.desc())
    ).scalars()
    return render_template("assistance/insurer_claims.html", claims=list(claims))


# --- Wage table ----------------------------------------------------------------------------


@blueprint.route("/wages", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.APPROVER, Role.JUDGE)
def wages():
    """The published average wages; administrators add or correct figures."""
    errors: dict = {}
    if request.method == "POST":
        if current_user.role != Role.ADMIN:
            abort(403)
        try:
            entry = WageFigureSchema().load(request.form)
        except ValidationError as error:
            errors = error.messages
        else:
            _save_wage(entry)
            db.session.commit()
            flash(_("已保存%(year)s年度工资标准。", year=entry["year"]), "success")
            return redirect(url_for("assistance.wages"))

    figures = db.session.execute(
        select(WageFigure).order_by(WageFigure.year.desc(), WageFigure.series)
    ).scalars()
    return (
        render_template(
            "assistance/wages.html",
            figures=list(figures),
            errors=errors,
            series_in_use=rules.WageSeries(
                current_app.config.get("RELIEF_WAGE_SERIES", rules.DEFAULT_WAGE_SERIES)
            ),
            wage=operations.wage_base(clock.today().year),
        ),
        422 if errors else 200,
    )


def _save_wage(entry: dict) -> None:
    from relief.core import audit

    figure = db.session.execute(
        select(WageFigure).where(
            WageFigure.province == rules.PROVINCE,
            WageFigure.year == entry["year"],
            WageFigure.series == entry["series"].value,
        )
    ).scalar_one_or_none()
    if figure is None:
        figure = WageFigure(
            province=rules.PROVINCE, year=entry["year"], series=entry["series"].value
        )
        db.session.add(figure)
    figure.annual_amount = entry["annual_amount"]
    figure.source = entry["source"]
    db.session.flush()
    audit.record(
        "wage.saved",
        f"wage:{figure.province}:{figure.year}:{figure.series}",
        annual_amount=str(figure.annual_amount),
    )


# --- Helpers -------------------------------------------------------------------------------


def _policies_in_force() -> list[ReliefPolicy]:
    today = clock.today()
    return list(
        db.session.execute(
            select(ReliefPolicy)
            .where(ReliefPolicy.starts_on <= today, ReliefPolicy.ends_on >= today)
            .options(selectinload(ReliefPolicy.insurer))
            .order_by(ReliefPolicy.id)
        ).scalars()
    )


def _status_of(error: Exception) -> int:
    # a decision someone else already took is a conflict, not a mistake in the form
    return 409 if isinstance(error, Conflict) else 422


def _errors_of(error: Exception) -> dict:
    if isinstance(error, ValidationError):
        return error.messages
    field = getattr(error, "field", None) or "_general"
    return {field: [getattr(error, "message", str(error))]}


def _case_or_404(public_id: str) -> EnforcementCase:
    return db.one_or_404(select(EnforcementCase).where(EnforcementCase.public_id == public_id))


def _application_or_404(public_id: str) -> ReliefApplication:
    return db.one_or_404(select(ReliefApplication).where(ReliefApplication.public_id == public_id))
