"""Logging in and out."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from relief.accounts import lockout
from relief.accounts.models import Role
from relief.accounts.operations import authenticate
from relief.core import audit
from relief.extensions import db, limiter
from relief.web import public, roles_required

blueprint = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` that stays on this site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("cases.home")


@blueprint.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def login():
    """The login form; repeated failures lock the account or the address for a while."""
    if request.method == "GET":
        return render_template("accounts/login.html", error=None)

    username = request.form.get("username", "")
    address = request.remote_addr or "unknown"
    try:
        # before the password is checked, so a locked account cannot be probed further
        lockout.check(username, address)
    except lockout.LockedOut as locked:
        minutes = int(lockout.limits()[2].total_seconds() // 60)
        if locked.scope == "account":
            error = _(
                "登录失败次数过多，该账户已暂时锁定，请%(minutes)s分钟后再试。", minutes=minutes
            )
        else:
            error = _(
                "此地址登录失败次数过多，已暂时禁止登录，请%(minutes)s分钟后再试。", minutes=minutes
            )
        return render_template("accounts/login.html", error=error), 429

    user = authenticate(username, request.form.get("password", ""))
    if user is None:
        lockout.record_failure(username, address)
        db.session.commit()
        return render_template("accounts/login.html", error=_("用户名或密码不正确。")), 401

    lockout.clear(username)
    session.clear()
    login_user(user)
    session.permanent = True
    audit.record("user.logged_in", f"user:{user.id}", actor=f"user:{user.id}")
    db.session.commit()
    return redirect(_safe_next(request.args.get("next")))


@blueprint.post("/logout")
@roles_required(*Role)
def logout():
    logout_user()
    session.clear()
    flash(_("您已退出登录。"), "success")
    return redirect(url_for("accounts.login"))
