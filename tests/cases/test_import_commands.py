"""``flask cases import``: the same import from the command line, with telling exit codes."""

from __future__ import annotations

from sqlalchemy import func, select

from relief.accounts.models import Role
from relief.cases.models import EnforcementCase
from relief.core.audit import AuditEntry
from relief.extensions import db
from tests.conftest import SAMPLE_EXPORT
from tests.factories import make_user


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["cases", "import", *args])


def test_sample_import_lists_rejected_rows_and_exits_1(app):
    result = run(app, str(SAMPLE_EXPORT))

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == "导入 300，更新 0，未变 1，拒绝 5"
    assert lines[0].startswith("第221行 [结案日期] ")
    assert sum(line.startswith("第") for line in lines) == 9  # 5 rows, 9 errors
    assert db.session.scalar(select(func.count(EnforcementCase.id))) == 300


def test_clean_file_exits_0(app, tmp_path):
    lines = SAMPLE_EXPORT.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "clean.csv"
    path.write_text("\n".join(lines[:11]) + "\n", encoding="utf-8")

    result = run(app, str(path))

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "导入 10，更新 0，未变 0，拒绝 0"


def test_file_error_exits_2_without_a_traceback(app, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("案号,执行法院\n", encoding="utf-8")

    result = run(app, str(path))

    assert result.exit_code == 2
    assert "缺少列" in result.stderr
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_import_as_a_user(app):
    clerk = make_user("clerk", Role.CLERK)
    db.session.commit()

    run(app, str(SAMPLE_EXPORT), "--as", "clerk")

    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "cases.imported")
    ).one()
    assert entry.actor == f"user:{clerk.id}"


def test_unknown_user_is_a_usage_error(app):
    result = run(app, str(SAMPLE_EXPORT), "--as", "nobody")
    assert result.exit_code == 2
    assert "nobody" in result.output


def test_dry_run_writes_nothing(app):
    result = run(app, str(SAMPLE_EXPORT), "--dry-run")
    assert result.exit_code == 1
    assert "未写入" in result.stdout
    assert db.session.scalar(select(func.count(EnforcementCase.id))) == 0
