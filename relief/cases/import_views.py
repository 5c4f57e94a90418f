"""The clerk's import of a court's case export: upload, preview the dry run, confirm.

TODO: an upload previewed but never confirmed stays in UPLOAD_FOLDER/imports with the
identity numbers it holds; a periodic clean-up of copies older than a day should remove it.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from relief.accounts.models import Role
from relief.cases.importer import FileError, ImportReport, import_cases, sniff_format
from relief.web import roles_required

log = logging.getLogger(__name__)

blueprint = Blueprint("imports", __name__, url_prefix="/cases/import")

#: the largest export accepted; the app's MAX_CONTENT_LENGTH refuses larger requests first
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: the formats by file extension; the content must agree with the extension
FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
#: rejected rows shown on the preview; a longer list is cut, with its count shown
MAX_SHOWN_ERRORS = 1000

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")
_CHUNK = 64 * 1024


def _imports_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "imports"


def _stored_upload(token: str) -> Path:
    """The stored upload of a token, or 404: the token never becomes a path unchecked."""
    if not _TOKEN.fullmatch(token):
        abort(404)
    path = _imports_folder() / token
    if not path.is_file():
        abort(404)
    return path


def _save(upload: FileStorage) -> tuple[str, Path] | None:
    """Store an upload under a random token, unreadable to others; None if too large."""
    folder = _imports_folder()
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    path = folder / token

    # The client's filename is never part of the path; the file holds identity numbers.
    written = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as target:
        for chunk in iter(lambda: upload.stream.read(_CHUNK), b""):
            written += len(chunk)
            if written > MAX_UPLOAD_BYTES:
                break
            target.write(chunk)
    if written > MAX_UPLOAD_BYTES:
        path.unlink()
        return None
    return token, path


def _form(error: str | None = None, status: int = 200):
    return render_template("cases/import_form.html", error=error), status


@blueprint.get("/")
@roles_required(Role.CLERK, Role.ADMIN)
def new():
    """The upload form."""
    return _form()


@blueprint.post("/")
@roles_required(Role.CLERK, Role.ADMIN)
def preview():
    """Store the upload, check it without writing, and show what an import would do."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _form(_("请选择要导入的文件。"), 400)
    expected = FORMATS.get(Path(upload.filename).suffix.lower())
    if expected is None:
        return _form(_("只能导入 CSV 或 XLSX 格式的案件导出文件。"), 400)

    saved = _save(upload)
    if saved is None:
        return _form(_("文件超过 20 MB，请分批导出后再导入。"), 400)
    token, path = saved

    # The content decides, not the name: an XLSX is a zip, anything else must be text.
    try:
        with path.open("rb") as stored:
            actual = sniff_format(stored.read(_CHUNK))
        if actual != expected:
            path.unlink()
            return _form(_("文件内容与扩展名不符，请上传原始的 CSV 或 XLSX 文件。"), 400)
        report = import_cases(path, actor=current_user._get_current_object(), dry_run=True)
    except FileError as error:
        path.unlink(missing_ok=True)
        return _form(error.message, 400)
    except Exception:
        path.unlink(missing_ok=True)  # the error page follows; the copy would be orphaned
        raise

    if not (report.imported or report.updated):
        path.unlink()  # nothing to confirm: keep no copy of the personal data it holds
    log.info("case import previewed by user %s: %d rows", current_user.id, report.rows)
    return render_template(
        "cases/import_report.html",
        report=report,
        token=token,
        shown_errors=report.errors[:MAX_SHOWN_ERRORS],
    )


@blueprint.post("/confirm")
@roles_required(Role.CLERK, Role.ADMIN)
def confirm():
    """Import the previewed file for real and go back to the case list with a summary."""
    path = _stored_upload(request.form.get("token", ""))
    try:
        report = import_cases(path, actor=current_user._get_current_object())
    except FileError as error:
        path.unlink(missing_ok=True)
        flash(error.message, "error")
        return redirect(url_for(".new"))

    # Imported: the copy has served its purpose, and a second confirmation finds nothing.
    path.unlink(missing_ok=True)
    flash(_summary(report), "warning" if report.rejected else "success")
    return redirect(url_for("cases.index"))


def _summary(report: ImportReport) -> str:
    return _(
        "导入完成：导入 %(imported)d，更新 %(updated)d，未变 %(unchanged)d，拒绝 %(rejected)d。",
        imported=report.imported,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
    )
