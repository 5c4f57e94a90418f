"""The holiday table page: administrators add the days the holiday package does not know."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import select

from relief.accounts.models import Role
from relief.core import clock
from relief.core.errors import OperationError
from relief.extensions import db
from relief.holidays import operations
from relief.holidays.models import HolidayOverride
from relief.holidays.schemas import DaySchema, HolidayOverrideSchema
from relief.web import roles_required

blueprint = Blueprint("holidays", __name__, url_prefix="/admin/holidays")


@blueprint.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    """The overrides, newest day first, and the form to set one."""
    errors: dict = {}
    if request.method == "POST":
        try:
            entry = HolidayOverrideSchema().load(request.form)
        except ValidationError as error:
            errors = error.messages
        else:
            operations.set_override(entry["day"], entry["is_workday"], entry["note"].strip())
            db.session.commit()
            flash(_("已保存 %(day)s 的设置。", day=entry["day"].isoformat()), "success")
            return redirect(url_for("holidays.index"))

    return _render(errors)


@blueprint.post("/remove")
@roles_required(Role.ADMIN)
def remove():
    """Drop a day's override."""
    try:
        entry = DaySchema().load(request.form)
        operations.remove_override(entry["day"])
    except ValidationError as error:
        db.session.rollback()
        return _render(error.messages)
    except OperationError as error:
        db.session.rollback()
        return _render({error.field or "_general": [error.message]})

    db.session.commit()
    flash(_("已删除 %(day)s 的设置。", day=entry["day"].isoformat()), "success")
    return redirect(url_for("holidays.index"))


def _render(errors: dict):
    overrides = db.session.execute(
        select(HolidayOverride).order_by(HolidayOverride.day.desc())
    ).scalars()
    calendar = operations.court_calendar()
    year = clock.today().year
    return (
        render_template(
            "holidays/index.html",
            overrides=list(overrides),
            errors=errors,
            years={y: calendar.knows(y) for y in (year, year + 1)},
        ),
        422 if errors else 200,
    )
