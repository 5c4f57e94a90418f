"""Logging in and out."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from relief.accounts.operations import authenticate
from relief.core import audit
from relief.extensions import db, limiter

blueprint = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` that stays on this site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("cases.home")


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    error = None
    if request.method == "POST":
        user = authenticate(request.form.get("username", ""), request.form.get("password", ""))
        if user is None:
            error = _("用户名或密码不正确。")
        else:
            session.clear()
            login_user(user)
            session.permanent = True
            audit.record("user.logged_in", f"user:{user.id}", actor=f"user:{user.id}")
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", error=error), 200 if error is None else 401


@blueprint.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("您已退出登录。"), "success")
    return redirect(url_for("accounts.login"))
