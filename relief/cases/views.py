"""Staff pages for enforcement cases: the home page, the case list and one case."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from relief.accounts.models import Role
from relief.assistance.models import ApplicationStatus, ReliefApplication
from relief.cases.models import Court, EnforcementCase, Outcome, Party
from relief.cases.operations import RecoveryError, record_recovery
from relief.cases.schemas import CaseSearchSchema, RecoverySchema
from relief.cases.timeline import case_timeline
from relief.core import clock
from relief.extensions import db
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


@blueprint.app_context_processor
def _labels() -> dict:
    return {"OUTCOME_LABELS": OUTCOME_LABELS}


@blueprint.get("/")
@login_required
def home():
    """Each role lands on its own work queue."""
    if current_user.role == Role.INSURER:
        return redirect(url_for("assistance.insurer_claims"))

    due = _queue_for(current_user.role)
    return render_template("cases/home.html", queue=due, today=clock.today())


def _queue_for(role: Role) -> list[ReliefApplication]:
    statuses = {
        Role.JUDGE: [ApplicationStatus.FILED, ApplicationStatus.RETURNED],
        Role.APPROVER: [ApplicationStatus.PROPOSED],
        Role.CLERK: [ApplicationStatus.FILED],
        Role.ADMIN: [
            ApplicationStatus.FILED,
            ApplicationStatus.RETURNED,
            ApplicationStatus.PROPOSED,
        ],
    }[role]
    return list(
        db.session.execute(
            select(ReliefApplication)
            .where(ReliefApplication.status.in_(statuses))
            .options(
                selectinload(ReliefApplication.case),
                selectinload(ReliefApplication.party),
            )
            .order_by(ReliefApplication.decision_due_on, ReliefApplication.id)
        ).scalars()
    )


@blueprint.get("/cases/")
@roles_required(*STAFF)
def index():
    """Search cases by number, party name or identity number, court and outcome."""
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
    )


def _filtered(query, search: dict):
    text = search.get("q")
    if text:
        party_match = select(Party.case_id).where(
            or_(Party.name.contains(text), Party.id_number == text.upper())
        )
        query = query.where(
            or_(EnforcementCase.case_number.contains(text), EnforcementCase.id.in_(party_match))
        )
    if search.get("court"):
        query = query.where(EnforcementCase.court_id == search["court"])
    if search.get("outcome"):
        query = query.where(EnforcementCase.outcome == search["outcome"])
    return query


@blueprint.get("/cases/<public_id>")
@roles_required(*STAFF)
def show(public_id: str):
    """One case: its facts, parties, relief and the timeline of everything on it."""
    case = _case_or_404(public_id)
    applications = db.session.execute(
        select(ReliefApplication)
        .where(ReliefApplication.case_id == case.id)
        .order_by(ReliefApplication.id)
    ).scalars()
    return render_template(
        "cases/show.html",
        case=case,
        applications=list(applications),
        timeline=case_timeline(case),
        errors={},
        today=clock.today(),
    )


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
        return _show_with_errors(case, errors)

    db.session.commit()
    flash(_("已登记执行到位款 %(amount)s 元。", amount=entry["amount"]), "success")
    return redirect(url_for("cases.show", public_id=case.public_id))


def _show_with_errors(case: EnforcementCase, errors: dict):
    case = _case_or_404(case.public_id)
    applications = db.session.execute(
        select(ReliefApplication).where(ReliefApplication.case_id == case.id)
    ).scalars()
    return (
        render_template(
            "cases/show.html",
            case=case,
            applications=list(applications),
            timeline=case_timeline(case),
            errors=errors,
            today=clock.today(),
        ),
        422,
    )


def _case_or_404(public_id: str) -> EnforcementCase:
    case = db.session.execute(
        select(EnforcementCase).where(EnforcementCase.public_id == public_id)
    ).scalar_one_or_none()
    if case is None:
        abort(404)
    return case


def parse_date_or_none(value: str) -> date | None:
    """An ISO date from a query string, or None."""
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
