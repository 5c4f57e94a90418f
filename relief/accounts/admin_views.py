"""User administration: the administrator creates accounts, changes roles, resets passwords."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from relief.accounts import operations
from relief.accounts.models import Role, User
from relief.accounts.schemas import ChangeUserSchema, NewUserSchema, PasswordSchema
from relief.core.errors import OperationError
from relief.extensions import db
from relief.insurers.models import Insurer
from relief.web import roles_required

blueprint = Blueprint("users", __name__, url_prefix="/admin/users")


@blueprint.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    """Every account, and the form to create one."""
    errors: dict = {}
    if request.method == "POST":
        try:
            entry = NewUserSchema().load(request.form)
            user = operations.create_user(
                entry["username"],
                entry["password"],
                entry["role"],
                entry["display_name"],
                _insurer(entry["insurer"]),
            )
        except (ValidationError, OperationError) as error:
            db.session.rollback()
            errors = _errors_of(error)
        else:
            db.session.commit()
            flash(_("已创建用户 %(username)s。", username=user.username), "success")
            return redirect(url_for("users.index"))

    return _render("accounts/users.html", errors, users=_all_users())


@blueprint.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(user_id: int):
    """Change one account: role, name, insurer, active."""
    user = db.session.get(User, user_id) or abort(404)
    errors: dict = {}
    if request.method == "POST":
        try:
            entry = ChangeUserSchema().load(request.form)
            operations.change_user(
                user,
                role=entry["role"],
                display_name=entry["display_name"],
                active=entry["active"],
                insurer=_insurer(entry["insurer"]),
                admin=current_user,
            )
        except (ValidationError, OperationError) as error:
            db.session.rollback()
            errors = _errors_of(error)
            user = db.session.get(User, user_id)
        else:
            db.session.commit()
            flash(_("已保存用户 %(username)s。", username=user.username), "success")
            return redirect(url_for("users.index"))

    return _render("accounts/user_edit.html", errors, user=user)


@blueprint.post("/<int:user_id>/password")
@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    """Set a new password for an account."""
    user = db.session.get(User, user_id) or abort(404)
    try:
        entry = PasswordSchema().load(request.form)
        operations.reset_password(user, entry["password"], admin=current_user)
    except (ValidationError, OperationError) as error:
        db.session.rollback()
        return _render(
            "accounts/user_edit.html", _errors_of(error), user=db.session.get(User, user_id)
        )

    db.session.commit()
    flash(_("已重置用户 %(username)s 的密码。", username=user.username), "success")
    return redirect(url_for("users.edit", user_id=user.id))


def _render(template: str, errors: dict, **context):
    insurers = db.session.execute(select(Insurer).order_by(Insurer.id)).scalars()
    return (
        render_template(
            template, errors=errors, insurers=list(insurers), roles=list(Role), **context
        ),
        422 if errors else 200,
    )


def _all_users() -> list[User]:
    return list(
        db.session.execute(select(User).order_by(User.active.desc(), User.username)).scalars()
    )


def _insurer(insurer_id: int | None) -> Insurer | None:
    if insurer_id is None:
        return None
    insurer = db.session.get(Insurer, insurer_id)
    if insurer is None:
        raise ValidationError({"insurer": ["请选择保险公司。"]})
    return insurer


def _errors_of(error: Exception) -> dict:
    if isinstance(error, ValidationError):
        return error.messages
    return {error.field or "_general": [error.message]}
