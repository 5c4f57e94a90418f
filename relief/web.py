"""What every staff page shares: locale, login, roles, errors and template helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Flask, abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from relief.accounts.models import Role, User
from relief.core import clock, concurrency, identity, security
from relief.core.money import format_yuan, in_capitals
from relief.extensions import db, login_manager

log = logging.getLogger(__name__)

LOCALES = {"zh": "zh_Hans_CN", "en": "en"}

ROLE_LABELS = {
    Role.CLERK: lazy_gettext("书记员"),
    Role.JUDGE: lazy_gettext("承办法官"),
    Role.APPROVER: lazy_gettext("审批人"),
    Role.INSURER: lazy_gettext("保险公司"),
    Role.ADMIN: lazy_gettext("系统管理员"),
}


def select_locale() -> str:
    """Simplified Chinese unless the user switched to English."""
    return LOCALES.get(session.get("lang", "zh"), LOCALES["zh"])


def roles_required(*roles: Role) -> Callable:
    """Let only logged-in users with one of the roles through; refuse everyone else.

    The roles are recorded on the view as ``allowed_roles``, so the access test can read
    every route's declaration from the URL map. No roles at all lets nobody through.
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not roles or not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        guarded.allowed_roles = frozenset(roles)
        return guarded

    return decorate


def public(view: Callable) -> Callable:
    """Declare a view open to everyone, without login (the access test reads the mark)."""
    view.public = True
    return view


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    # a deactivated account loses its open sessions at the next request, not only new logins
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def localtime(moment: datetime | None) -> str:
    """A stored UTC time as the court reads it: "2025-10-09 14:05"."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; they are UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(clock.COURT_TIMEZONE).strftime("%Y-%m-%d %H:%M")


def _error_page(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    """Register the locale switch, error pages and template helpers."""
    concurrency.init_app(app)
    security.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("请先登录。")
    login_manager.login_message_category = "warning"

    @app.get("/lang/<code>")
    @public
    def switch_language(code: str):
        if code in LOCALES:
            session["lang"] = code
        target = request.referrer or url_for("cases.home")
        return redirect(target if target.startswith(request.host_url) else url_for("cases.home"))

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        return _error_page(400, _("表单已过期或来源不明，请返回后刷新页面重新提交。"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            return error
        messages = {
            403: _("您没有权限执行此操作。"),
            404: _("未找到该页面或记录。"),
            413: _("上传的文件过大。"),
            429: _("操作过于频繁，请稍后再试。"),
        }
        return _error_page(error.code or 500, messages.get(error.code, error.description))

    @app.errorhandler(StaleDataError)
    @app.errorhandler(IntegrityError)
    @app.errorhandler(OperationalError)
    def lost_race(error: Exception):
        # another request changed the same rows first: nothing of this one was kept
        db.session.rollback()
        if not concurrency.is_conflict(error):
            return unexpected_error(error)
        log.warning("%s %s lost a race: %s", request.method, request.path, type(error).__name__)
        if request.path.startswith("/api/"):
            message = str(concurrency.CONFLICT_MESSAGE)
            body = {"code": "conflict", "message": message, "errors": {}}
            return body, 409, {"Retry-After": str(concurrency.RETRY_AFTER_SECONDS)}
        page, status = _error_page(409, str(concurrency.CONFLICT_MESSAGE))
        return page, status, {"Retry-After": str(concurrency.RETRY_AFTER_SECONDS)}

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        if request.path.startswith("/api/"):
            return {"code": "internal_error", "message": "Internal error"}, 500
        return _error_page(500, _("系统出现内部错误，操作未生效。请稍后重试或联系管理员。"))

    app.jinja_env.filters["yuan"] = format_yuan
    app.jinja_env.filters["capitals"] = in_capitals
    app.jinja_env.filters["masked"] = identity.mask
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.jinja_env.globals["Role"] = Role
