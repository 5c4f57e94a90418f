"""Staff pages for enforcement cases: the home page, the case list and one case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from relief.accounts.models import Role
from relief.assistance.models import ReliefApplication
from relief.cases import operations, rules
from relief.cases.labels import MEASURE_LABELS, PROPERTY_LABELS, RECHECK_LABELS, STAGE_LABELS
from relief.cases.models import (
    Court,
    EnforcementCase,
    Outcome,
    PropertyKind,
    Recheck,
    Stage,
    Termination,
)
from relief.cases.operations import RecoveryError, record_recovery
from relief.cases.schemas import (
    CaseSearchSchema,
    CloseSchema,
    EmptySchema,
    InquiryResultSchema,
    MeasureSchema,
    MoveSchema,
    RecheckSchema,
    RecoverySchema,
    ResumeSchema,
    TerminationSchema,
)
from relief.cases.search import matching_case_ids
from relief.cases.timeline import case_timeline
from relief.cases.workspace import items_for, own_cases
from relief.core import clock
from relief.core.errors import OperationError
from relief.documents.models import IssuedDocument
from relief.extensions import db
from relief.holidays.operations import court_calendar
from relief.web import roles_required

blueprint = Blueprint("cases", __name__)

STAFF = (Role.CLERK, Role.JUDGE, Role.APPROVER, Role.ADMIN)
PAGE_SIZE = 25

OUTCOME_LABELS = {
    Outcome.OPEN: lazy_gettext("未结"),
    Outcome.COMPLETED: lazy_gettext("执行完毕"),
    Outcome.TERMINATED_ROUND: lazy_gettext("终结本次执行程序"),
    Outcome.TERMINATED: lazy_gettext("终结执行"),
}


GROUND_LABELS = {
    "withdrawn": lazy_gettext("申请人撤销申请"),
    "title_revoked": lazy_gettext("据以执行的法律文书被撤销"),
    "debtor_died": lazy_gettext("作为被执行人的公民死亡，无遗产可供执行，又无义务承担人"),
    "maintenance_creditor_died": lazy_gettext("追索赡养费、扶养费、抚养费案件的权利人死亡"),
    "debtor_destitute": lazy_gettext(
        "作为被执行人的公民因生活困难无力偿还借款，无收入来源，又丧失劳动能力"
    ),
    "other": lazy_gettext("人民法院认为应当终结执行的其他情形"),
}


@blueprint.app_context_processor
def _labels() -> dict:
    return {
        "OUTCOME_LABELS": OUTCOME_LABELS,
        "STAGE_LABELS": STAGE_LABELS,
        "PROPERTY_LABELS": PROPERTY_LABELS,
        "MEASURE_LABELS": MEASURE_LABELS,
        "RECHECK_LABELS": RECHECK_LABELS,
        "GROUND_LABELS": GROUND_LABELS,
    }


@blueprint.get("/")
@roles_required(*Role)
def home():
    """Each role lands on its workspace: what waits for them, overdue first."""
    if current_user.role == Role.INSURER:
        return redirect(url_for("assistance.insurer_claims"))

    today = clock.today()
    return render_template("cases/home.html", items=items_for(current_user, today), today=today)


@blueprint.get("/cases/")
@roles_required(*STAFF)
def index():
    """Search cases by number, party, status, judge, court and filing dates; paginated."""
    try:
        search = CaseSearchSchema().load(request.args)
    except ValidationError as error:
        search, errors = {}, error.messages
    else:
        errors = {}

    query = select(EnforcementCase).options(
        selectinload(EnforcementCase.parties), selectinload(EnforcementCase.court)
    )
    query = _filtered(query, search)
    if search.get("mine"):
        query = own_cases(query, current_user)
    total = db.session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    page = search.get("page", 1)
    cases = db.session.execute(
        query.order_by(EnforcementCase.filed_on.desc(), EnforcementCase.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).scalars()
    courts = db.session.execute(select(Court).order_by(Court.code)).scalars()
    return render_template(
        "cases/index.html",
        cases=list(cases),
        courts=list(courts),
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        search=search,
        errors=errors,
        judges=_judge_names(),
    )


def _judge_names() -> list[str]:
    # A loose index scan, one index probe per judge: DISTINCT would read every case, and
    # SQLite and PostgreSQL both lack a skip scan to do it for us.
    judge = EnforcementCase.judge_name
    judges = select(func.min(judge).label("name")).cte("judges", recursive=True)
    following = select(
        select(func.min(judge)).where(judge > judges.c.name).scalar_subquery()
    ).where(judges.c.name.is_not(None))
    judges = judges.union_all(following)
    return list(
        db.session.execute(select(judges.c.name).where(judges.c.name.is_not(None))).scalars()
    )


def _filtered(query, search: dict):
    text = search.get("q")
    if text:
        query = query.where(EnforcementCase.id.in_(matching_case_ids(text)))
    if search.get("court"):
        query = query.where(EnforcementCase.court_id == search["court"])
    if search.get("outcome"):
        query = query.where(EnforcementCase.outcome == search["outcome"])
    if search.get("stage"):
        query = query.where(EnforcementCase.stage == search["stage"])
    if search.get("judge"):
        query = query.where(EnforcementCase.judge_name == search["judge"])
    if search.get("filed_from"):
        query = query.where(EnforcementCase.filed_on >= search["filed_from"])
    if search.get("filed_to"):
        query = query.where(EnforcementCase.filed_on <= search["filed_to"])
    return query


@blueprint.get("/cases/<public_id>")
@roles_required(*STAFF)
def show(public_id: str):
    """One case: its facts, parties, relief and the timeline of everything on it."""
    return _render_case(_case_or_404(public_id), {}, 200)


@blueprint.post("/cases/<public_id>/recoveries")
@roles_required(Role.CLERK, Role.JUDGE, Role.ADMIN)
def add_recovery(public_id: str):
    """Record money recovered from the debtor; paid relief is clawed back from it."""
    case = _case_or_404(public_id)
    try:
        entry = RecoverySchema().load(request.form)
        record_recovery(
            case,
            entry["amount"],
            entry["received_on"],
            note=entry.get("note", ""),
            recorded_by_id=current_user.id,
        )
    except (ValidationError, RecoveryError) as error:
        db.session.rollback()
        errors = error.messages if isinstance(error, ValidationError) else {"amount": [str(error)]}
        return _show_with_errors(case, errors, "recovery")

    db.session.commit()
    flash(_("已登记执行到位款 %(amount)s 元。", amount=entry["amount"]), "success")
    return redirect(url_for("cases.show", public_id=case.public_id))


def _show_with_errors(case: EnforcementCase, errors: dict, form: str = "recovery"):
    return _render_case(_case_or_404(case.public_id), errors, 422, form=form)


def _render_case(case: EnforcementCase, errors: dict, status: int, form: str = ""):
    """The case page; ``form`` names the form whose errors are shown."""
    applications = db.session.execute(
        select(ReliefApplication)
        .where(ReliefApplication.case_id == case.id)
        .order_by(ReliefApplication.id)
    ).scalars()
    termination = db.session.execute(
        select(Termination).where(Termination.case_id == case.id)
    ).scalar_one_or_none()
    ruling = db.session.get(IssuedDocument, termination.document_id) if termination else None
    today = clock.today()
    calendar = court_calendar()
    return (
        render_template(
            "cases/show.html",
            case=case,
            applications=list(applications),
            timeline=case_timeline(case),
            errors=errors,
            form=form,
            today=today,
            inquiry=operations.latest_inquiry(case),
            property_kinds=list(PropertyKind),
            measures=operations.measures_of(case),
            rechecks=operations.rechecks_of(case),
            termination=termination,
            ruling=ruling,
            resumption_proposed=operations.resumption_proposed(case),
            close_due=rules.close_due(case.filed_on, calendar),
            termination_wait=rules.termination_wait(case.filed_on, calendar),
            moves=rules.MOVES[case.stage],
            Stage=Stage,
            Outcome=Outcome,
        ),
        status,
    )


# --- The case's moves ----------------------------------------------------------------------


def _act(public_id: str, form: str, schema, action, done: str):
    """Load the case, parse the form, run the operation; commit, or show the errors."""
    case = _case_or_404(public_id)
    try:
        entry = schema().load(request.form)
        result = action(case, entry)
    except (ValidationError, OperationError) as error:
        db.session.rollback()
        return _render_case(_case_or_404(public_id), _errors_of(error), 422, form=form)

    db.session.commit()
    flash(done, "success")
    target = result if isinstance(result, EnforcementCase) else case
    return redirect(url_for("cases.show", public_id=target.public_id))


def _errors_of(error: Exception) -> dict:
    if isinstance(error, ValidationError):
        return error.messages
    return {error.field or "_general": [error.message]}


@blueprint.post("/cases/<public_id>/inquiry")
@roles_required(Role.CLERK, Role.JUDGE, Role.ADMIN)
def start_inquiry(public_id: str):
    """Send the online property inquiry."""
    return _act(
        public_id,
        "inquiry",
        MoveSchema,
        lambda case, entry: operations.start_inquiry(
            case, reason=entry["reason"], user=current_user
        ),
        _("已发起网络查控。"),
    )


@blueprint.post("/cases/<public_id>/inquiry-results")
@roles_required(Role.CLERK, Role.JUDGE, Role.ADMIN)
def add_inquiry_result(public_id: str):
    """Record one kind's answer from the online inquiry; the track may follow."""
    return _act(
        public_id,
        "inquiry_result",
        InquiryResultSchema,
        lambda case, entry: operations.record_inquiry_result(
            case,
            entry["kind"],
            entry.get("amount_found", Decimal("0.00")) if entry["found"] else None,
            entry["received_on"],
            note=entry["note"],
            user=current_user,
        ),
        _("已登记查控结果。"),
    )


@blueprint.post("/cases/<public_id>/measures")
@roles_required(Role.CLERK, Role.JUDGE, Role.ADMIN)
def add_measure(public_id: str):
    """Record an enforcement measure taken."""
    return _act(
        public_id,
        "measure",
        MeasureSchema,
        lambda case, entry: operations.record_measure(
            case, entry["kind"], entry["taken_on"], note=entry["note"], user=current_user
        ),
        _("已登记执行措施。"),
    )


@blueprint.post("/cases/<public_id>/disposal")
@roles_required(Role.JUDGE, Role.ADMIN)
def start_disposal(public_id: str):
    """Move to valuation, auction or forced disposal."""
    return _act(
        public_id,
        "disposal",
        MoveSchema,
        lambda case, entry: operations.start_disposal(
            case, reason=entry["reason"], user=current_user
        ),
        _("已转入评估拍卖/强制处置。"),
    )


@blueprint.post("/cases/<public_id>/close")
@roles_required(Role.JUDGE, Role.ADMIN)
def close(public_id: str):
    """Close the case as 执行完毕 or 终结执行."""
    return _act(
        public_id,
        "close",
        CloseSchema,
        lambda case, entry: operations.close_case(
            case,
            entry["outcome"],
            entry["closed_on"],
            reason=entry["reason"],
            ground=entry.get("ground"),
            user=current_user,
        ),
        _("案件已结案。"),
    )


@blueprint.post("/cases/<public_id>/terminate")
@roles_required(Role.JUDGE, Role.ADMIN)
def terminate(public_id: str):
    """Rule 终本 through its checklist; the ruling is issued as a PDF."""
    return _act(
        public_id,
        "terminate",
        TerminationSchema,
        lambda case, entry: operations.terminate_round(
            case, operations.TerminationEntry(**entry), judge=current_user
        ),
        _("已裁定终结本次执行程序，并生成五年内的财产复查计划。"),
    )


@blueprint.post("/cases/<public_id>/rechecks")
@roles_required(Role.CLERK, Role.JUDGE, Role.ADMIN)
def schedule_rechecks(public_id: str):
    """Create the re-checks of an imported 终本 case, counted from its closing date."""

    def action(case, _entry):
        if case.closed_on is None:
            raise OperationError("案件没有终本日期，无法计算复查期限。")
        return operations.schedule_rechecks(case, case.closed_on, user=current_user)

    return _act(public_id, "rechecks", EmptySchema, action, _("已生成财产复查计划。"))


@blueprint.post("/cases/<public_id>/rechecks/<int:sequence>")
@roles_required(Role.CLERK, Role.JUDGE, Role.ADMIN)
def record_recheck(public_id: str, sequence: int):
    """Record one re-check's result and the applicant's notification."""

    def action(case, entry):
        return operations.record_recheck(
            _recheck_or_404(case, sequence),
            found=entry["found"],
            done_on=entry["done_on"],
            applicant_notified_on=entry["applicant_notified_on"],
            note=entry["note"],
            user=current_user,
        )

    return _act(public_id, f"recheck_{sequence}", RecheckSchema, action, _("已登记复查结果。"))


@blueprint.post("/cases/<public_id>/resume")
@roles_required(Role.JUDGE, Role.ADMIN)
def resume(public_id: str):
    """Resume a 终本 case: the linked 执恢 case is filed and opened."""
    return _act(
        public_id,
        "resume",
        ResumeSchema,
        lambda case, entry: operations.resume(
            case, filed_on=entry["filed_on"], reason=entry["reason"], judge=current_user
        ),
        _("已恢复执行，新案已立案。"),
    )


def _recheck_or_404(case: EnforcementCase, sequence: int) -> Recheck:
    recheck = db.session.execute(
        select(Recheck).where(Recheck.case_id == case.id, Recheck.sequence == sequence)
    ).scalar_one_or_none()
    if recheck is None:
        abort(404)
    return recheck


def _case_or_404(public_id: str) -> EnforcementCase:
    return db.one_or_404(select(EnforcementCase).where(EnforcementCase.public_id == public_id))


def parse_date_or_none(value: str) -> date | None:
    """An ISO date from a query string, or None."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
