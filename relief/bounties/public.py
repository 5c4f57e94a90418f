"""The public side of bounties: notices, tips and receipts, for people without an account.

A separate blueprint with its own layout (no staff navigation), its own error pages and
its own hardening: strict security headers, no caching of anything a tipster typed or
received, CSRF on every form, and rate limits per address and per notice. A receipt code
travels only in POST bodies and, until the tipster confirms saving it, in the signed
session; it never appears in a URL, so it cannot reach an access log or a Referer header.
"""

from __future__ import annotations

from decimal import Decimal

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from relief.bounties import operations, rules
from relief.bounties.models import Bounty, BountyStatus, EndReason
from relief.bounties.schemas import AdditionSchema, TipSchema
from relief.cases.models import Court, EnforcementCase, Party, PartyRole
from relief.core import clock
from relief.core.errors import OperationError
from relief.core.money import parse_amount
from relief.extensions import db, limiter
from relief.web import public

blueprint = Blueprint("public_bounties", __name__, url_prefix="/bounties")

#: the receipt waiting for the tipster's confirmation, in the signed session
RECEIPT_KEY = "bounty_receipt"

#: the content security policy of every public page: nothing but our own files, no script
CSP = (
    "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

PAGE_SIZE = 20

STATE_LABELS = {
    "open": lazy_gettext("悬赏中"),
    "lapsed": lazy_gettext("已过期"),
    EndReason.RECOVERED.value: lazy_gettext("已结束：案件已全部执行到位"),
    EndReason.EXPIRED.value: lazy_gettext("已结束：悬赏期限届满"),
    EndReason.WITHDRAWN.value: lazy_gettext("已结束：申请执行人已撤回悬赏"),
}

#: what a tipster is told of the tip's standing; never the judge's note or other tips
TIP_STATE_LABELS = {
    "pending": lazy_gettext("已登记，正在审查"),
    "payable": lazy_gettext("线索经核实，符合领取条件"),
    "not_payable": lazy_gettext("不符合领取条件"),
    "paid": lazy_gettext("悬赏金已支付"),
}


def _limit_per_address() -> str:
    return current_app.config.get("BOUNTY_LIMIT_PER_ADDRESS", "5 per minute;30 per day")


def _limit_per_notice() -> str:
    return current_app.config.get("BOUNTY_LIMIT_PER_NOTICE", "60 per hour")


def _notice_key() -> str:
    return "bounty-notice:" + (request.view_args or {}).get("public_id", "")


def state_of(bounty: Bounty) -> str:
    """The notice's standing as the public sees it: open, lapsed, or why it ended.

    A granted notice past its last day is "lapsed" at once, before anything records its end.
    """
    if bounty.status == BountyStatus.ENDED and bounty.end_reason:
        return bounty.end_reason.value
    if bounty.open_on(clock.today()):
        return "open"
    return "lapsed"


# --- Hardening -----------------------------------------------------------------------------


@blueprint.after_request
def _harden(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.method == "POST" or request.endpoint in _PRIVATE_PAGES:
        # what a tipster typed or received must not stay in a shared browser's cache
        response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.errorhandler(CSRFError)
def _csrf_failed(error):
    return _error(400, _("页面已过期，请返回后刷新页面重新提交。"))


# registered by status code: handlers by code win over the application's handlers by class,
# and these must also win over the partner API's, which are registered by code
@blueprint.errorhandler(400)
@blueprint.errorhandler(404)
@blueprint.errorhandler(405)
@blueprint.errorhandler(413)
@blueprint.errorhandler(429)
def _http_error(error: HTTPException):
    if isinstance(error, CSRFError):
        return _csrf_failed(error)
    messages = {
        404: _("未找到该悬赏公告。"),
        413: _("上传的文件过大，请压缩后重新提交。"),
        429: _("提交过于频繁，请稍后再试。本次提交未被保存。"),
    }
    return _error(error.code or 500, messages.get(error.code, _("请求无法处理，请稍后再试。")))


def _error(status: int, message: str):
    db.session.rollback()
    return render_template("public/error.html", status=status, message=message), status


# --- Notices -------------------------------------------------------------------------------


@blueprint.get("/")
@public
def index():
    """Published bounties, open ones first; search by debtor's name, court and amount."""
    search = {
        "q": request.args.get("q", "").strip()[:50],
        "court": request.args.get("court", "").strip(),
        "min_amount": request.args.get("min_amount", "").strip(),
    }
    query = (
        select(Bounty)
        .join(EnforcementCase, Bounty.case_id == EnforcementCase.id)
        .where(Bounty.status.in_((BountyStatus.GRANTED, BountyStatus.ENDED)))
        .options(
            selectinload(Bounty.case).selectinload(EnforcementCase.court),
            selectinload(Bounty.case).selectinload(EnforcementCase.parties),
        )
    )
    if search["q"]:
        query = query.where(
            Bounty.case_id.in_(
                select(Party.case_id).where(
                    Party.role == PartyRole.RESPONDENT, Party.name.contains(search["q"])
                )
            )
        )
    if search["court"].isdigit():
        query = query.where(EnforcementCase.court_id == int(search["court"]))
    minimum = _amount_or_none(search["min_amount"])
    if minimum is not None:
        query = query.where(
            or_(
                and_(Bounty.fixed_amount.is_not(None), Bounty.fixed_amount >= minimum),
                and_(Bounty.cap.is_not(None), Bounty.cap >= minimum),
            )
        )

    today = clock.today()
    is_open = and_(Bounty.status == BountyStatus.GRANTED, Bounty.expires_on >= today)
    bounties = db.session.execute(
        query.order_by(case((is_open, 0), else_=1), Bounty.decided_at.desc()).limit(PAGE_SIZE)
    ).scalars()
    courts = db.session.execute(
        select(Court).where(Court.id.in_(select(EnforcementCase.court_id).join(Bounty)))
    ).scalars()
    bounties = list(bounties)
    return render_template(
        "public/index.html",
        bounties=bounties,
        states={bounty.id: state_of(bounty) for bounty in bounties},
        courts=list(courts),
        search=search,
        amount_invalid=bool(search["min_amount"]) and minimum is None,
    )


@blueprint.get("/<public_id>")
@public
def notice(public_id: str):
    """One notice: the debtor as published, what is owed, the terms and the deadline."""
    bounty = _published_or_404(public_id)
    return render_template("public/notice.html", bounty=bounty, **_notice_context(bounty))


def _notice_context(bounty: Bounty) -> dict:
    from relief.bounties.paperwork import conditions

    return {
        "state": state_of(bounty),
        "terms_text": rules.describe(bounty.terms),
        "conditions": conditions(bounty),
        "case": bounty.case,
        "respondent": bounty.case.respondent,
    }


# --- Tips ----------------------------------------------------------------------------------


@blueprint.route("/<public_id>/tip", methods=["GET", "POST"])
@public
@limiter.limit(_limit_per_address, methods=["POST"])
@limiter.limit(_limit_per_notice, key_func=_notice_key, methods=["POST"])
def tip(public_id: str):
    """Submit a tip on an open notice; on success the receipt code is shown once."""
    bounty = _published_or_404(public_id)
    errors: dict = {}
    if request.method == "POST":
        try:
            entry = TipSchema().load(request.form)
            new_tip, code = operations.submit_tip(
                bounty,
                entry["lead"],
                operations.Tipster(entry["name"], entry["id_number"], entry["phone"]),
                request.files.getlist("attachments"),
            )
        except ValidationError as error:
            errors = error.messages
        except OperationError as error:
            errors = {error.field or "_general": [error.message]}
        else:
            db.session.commit()
            session[RECEIPT_KEY] = {"code": code, "tip": new_tip.public_id}
            return redirect(url_for("public_bounties.receipt"))
        db.session.rollback()

    return (
        render_template(
            "public/tip.html",
            bounty=bounty,
            errors=errors,
            open=bounty.open_on(clock.today()),
            **_notice_context(bounty),
        ),
        422 if errors else 200,
    )


@blueprint.route("/receipt", methods=["GET", "POST"])
@public
def receipt():
    """The receipt code, until the tipster confirms having saved it."""
    pending = session.get(RECEIPT_KEY)
    if not pending:
        return redirect(url_for("public_bounties.status"))

    error = None
    if request.method == "POST":
        if request.form.get("saved") == "yes":
            found = operations.tip_by_receipt(pending["code"])
            if found is not None:
                operations.confirm_receipt(found)
                db.session.commit()
            session.pop(RECEIPT_KEY, None)
            flash(_("已确认。请妥善保管回执码，凭回执码可查询举报进展、补充线索。"), "success")
            return redirect(url_for("public_bounties.status"))
        error = _("请确认您已抄写或保存回执码。回执码只显示这一次，遗失后无法找回。")

    return (
        render_template("public/receipt.html", code=pending["code"], error=error),
        422 if error else 200,
    )


@blueprint.route("/status", methods=["GET", "POST"])
@public
@limiter.limit(_limit_per_address, methods=["POST"])
def status():
    """Look a tip up with its receipt code: its standing, and a form to add information."""
    if request.method == "GET":
        return render_template("public/status.html", tip=None, errors={})

    found = operations.tip_by_receipt(request.form.get("code", ""))
    if found is None:
        return _wrong_code()
    return _status_page(found, request.form.get("code", ""), {}, 200)


@blueprint.post("/status/add")
@public
@limiter.limit(_limit_per_address)
def add_information():
    """Add information to a tip, with its receipt code."""
    try:
        entry = AdditionSchema().load(request.form)
    except ValidationError as error:
        return render_template("public/status.html", tip=None, errors=error.messages), 422

    found = operations.tip_by_receipt(entry["code"])
    if found is None:
        return _wrong_code()
    try:
        operations.add_information(found, entry["text"], request.files.getlist("attachments"))
    except OperationError as error:
        db.session.rollback()
        found = operations.tip_by_receipt(entry["code"])
        return _status_page(found, entry["code"], {error.field or "_general": [error.message]}, 422)

    db.session.commit()
    flash(_("补充内容已提交，承办法官将一并审查。"), "success")
    return _status_page(found, entry["code"], {}, 200)


def _wrong_code():
    errors = {"code": [_("回执码不正确，请核对后重新输入。")]}
    return render_template("public/status.html", tip=None, errors=errors), 404


def _status_page(found, code: str, errors: dict, status_code: int):
    """The tip's standing as its tipster may know it, and nothing about anyone else."""
    bounty = found.bounty
    standing = operations.outcomes(bounty)[found.id]
    paid = any(p.tip_id == found.id and p.status.value == "paid" for p in bounty.payouts)
    if paid:
        state = "paid"
    elif found.verdict == rules.TipVerdict.PENDING:
        state = "pending"
    else:
        state = "payable" if standing.payable else "not_payable"
    return (
        render_template(
            "public/status.html",
            tip=found,
            bounty=bounty,
            state=state,
            reason=standing.reason,
            code=code,
            can_add=bounty.open_on(clock.today()),
            errors=errors,
        ),
        status_code,
    )


# --- Helpers -------------------------------------------------------------------------------

_PRIVATE_PAGES = {
    "public_bounties.tip",
    "public_bounties.receipt",
    "public_bounties.status",
    "public_bounties.add_information",
}


def _published_or_404(public_id: str) -> Bounty:
    bounty = db.session.execute(
        select(Bounty).where(
            Bounty.public_id == public_id,
            Bounty.status.in_((BountyStatus.GRANTED, BountyStatus.ENDED)),
        )
    ).scalar_one_or_none()
    if bounty is None:
        abort(404)
    return bounty


def _amount_or_none(text: str) -> Decimal | None:
    try:
        return parse_amount(text) if text else None
    except (TypeError, ValueError):
        return None


@blueprint.app_context_processor
def _labels() -> dict:
    return {
        "BOUNTY_STATE_LABELS": STATE_LABELS,
        "TIP_STATE_LABELS": TIP_STATE_LABELS,
        "BOUNTY_KIND_LABELS": rules.KIND_LABELS,
    }
