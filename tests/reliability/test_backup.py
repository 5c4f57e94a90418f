"""`flask backup` while the app writes, then `flask restore`: every table comes back."""

from __future__ import annotations

import threading

from sqlalchemy import select, text

from relief.accounts.models import Role, User
from relief.core import audit
from relief.core.audit import AuditEntry
from relief.extensions import db
from tests.factories import load_liaoning_wages, make_case, make_insurer, make_user

AUDIT_TABLES = {"audit_entries", "audit_chain_head"}


def every_table() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    snapshot = {}
    for table in db.metadata.sorted_tables:
        order = [column for column in table.primary_key.columns]
        rows = db.session.execute(select(table).order_by(*order)).all()
        snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


def some_data() -> None:
    make_user("clerk", Role.CLERK)
    make_user("judge", Role.JUDGE)
    make_insurer("人保盘锦")
    load_liaoning_wages()
    make_case()
    make_case()
    db.session.commit()


def test_backup_and_restore_bring_back_every_table(app, tmp_path):
    some_data()
    before = every_table()
    copy = tmp_path / "relief.backup"
    runner = app.test_cli_runner()

    backed_up = runner.invoke(args=["backup", str(copy)])
    assert backed_up.exit_code == 0, backed_up.output

    # changes after the backup: a new account, a renamed one, a deleted figure
    make_user("approver", Role.APPROVER)
    db.session.execute(text("UPDATE users SET display_name = 'changed' WHERE username = 'clerk'"))
    db.session.execute(text("DELETE FROM wage_figures"))
    db.session.commit()
    assert every_table() != before

    restored = runner.invoke(args=["restore", "--yes", str(copy)])
    assert restored.exit_code == 0, restored.output

    after = every_table()
    for name, rows in before.items():
        if name not in AUDIT_TABLES:
            assert after[name] == rows, name
    # the trail is the copy's, plus the restore itself, still one intact chain
    assert after["audit_entries"][:-1] == before["audit_entries"]
    last = db.session.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).scalars().first()
    assert last.action == "database.restored"
    assert audit.verify().intact
    assert db.session.execute(select(User.username).order_by(User.username)).scalars().all() == [
        "clerk",
        "judge",
    ]


def test_a_backup_taken_while_the_app_writes_is_consistent(app, tmp_path):
    # a writer appends audit entries (each also moving the chain head) during the backup:
    # the copy must hold the entries and the head of one moment, or the chain would break
    some_data()
    copy = tmp_path / "relief.backup"
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        with app.app_context():
            while not stop.is_set():
                audit.record("test.write", f"n:{len(written)}")
                db.session.commit()
                written.append(1)
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 5:
            stop.wait(0.01)
        backed_up = app.test_cli_runner().invoke(args=["backup", str(copy)])
    finally:
        stop.set()
        thread.join(timeout=30)
    assert backed_up.exit_code == 0, backed_up.output

    restored = app.test_cli_runner().invoke(args=["restore", "--yes", str(copy)])

    assert restored.exit_code == 0, restored.output
    assert audit.verify().intact
    assert db.session.scalar(select(db.func.count(AuditEntry.id))) >= 5


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    some_data()
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all")

    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(junk)])

    assert result.exit_code != 0
    assert "不是" in result.output
    assert db.session.scalar(select(db.func.count(User.id))) == 2
