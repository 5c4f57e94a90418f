"""The audit trail is a hash chain: `flask audit verify` names the first entry tampered with."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from relief.core import audit
from relief.core.audit import GENESIS_HASH, AuditEntry, _digest
from relief.core.concurrency import is_conflict
from relief.extensions import db


def trail(count: int = 5) -> list[int]:
    """Append entries as operations do; return their ids."""
    ids = [
        audit.record("relief.filed", f"relief_application:app_{n}", amount=str(1000 * n)).id
        for n in range(1, count + 1)
    ]
    db.session.commit()
    return ids


def run_verify(app) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_an_untouched_trail_verifies(app):
    trail()

    code, output = run_verify(app)

    assert code == 0, output
    assert "审计记录链完整：共 5 条" in output


def test_an_empty_trail_verifies(app):
    assert audit.verify().intact


def test_an_altered_entry_is_named(app):
    ids = trail()
    db.session.execute(
        text("UPDATE audit_entries SET details = :details WHERE id = :id"),
        {"details": '{"amount": "999999"}', "id": ids[2]},
    )
    db.session.commit()

    code, output = run_verify(app)

    assert code == 1
    assert f"entry {ids[2]}: altered" in output


def test_a_deleted_entry_is_named_by_the_one_after_it(app):
    ids = trail()
    db.session.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": ids[1]})
    db.session.commit()

    result = audit.verify()

    assert result.first_break.entry_id == ids[2]
    assert "does not follow" in result.first_break.problem


def test_entries_deleted_from_the_end_are_noticed(app):
    ids = trail()
    db.session.execute(text("DELETE FROM audit_entries WHERE id >= :id"), {"id": ids[3]})
    db.session.commit()

    result = audit.verify()

    assert result.first_break.entry_id == ids[4]
    assert "deleted" in result.first_break.problem


def test_an_entry_inserted_with_a_made_up_hash_is_named(app):
    ids = trail()
    forged_id = ids[-1] + 1
    db.session.add(
        AuditEntry(
            id=forged_id,
            at=db.session.get(AuditEntry, ids[-1]).at,
            actor="user:1",
            action="claim.paid",
            subject="relief_claim:clm_forged",
            details={},
            previous_hash="f" * 64,
            entry_hash="e" * 64,
        )
    )
    db.session.commit()

    result = audit.verify()

    assert result.first_break.entry_id == forged_id


def test_an_entry_inserted_with_a_correct_hash_is_still_named(app):
    # the forger knows the algorithm and chains the entry properly to the last one; only
    # record() moves the head, so the entry lies past the recorded end
    ids = trail()
    last = db.session.get(AuditEntry, ids[-1])
    details: dict = {}
    forged = AuditEntry(
        id=ids[-1] + 1,
        at=last.at,
        actor="user:1",
        action="claim.paid",
        subject="relief_claim:clm_forged",
        details=details,
        previous_hash=last.entry_hash,
        entry_hash=_digest(
            last.entry_hash, last.at, "user:1", "claim.paid", "relief_claim:clm_forged", details
        ),
    )
    db.session.add(forged)
    db.session.commit()

    result = audit.verify()

    assert result.first_break.entry_id == ids[-1] + 1
    assert "past the recorded end" in result.first_break.problem


def test_concurrent_appends_form_one_chain(app):
    # every append chains to the entry committed just before it, never two to the same one
    trail(1)
    app_object = app
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def append(n: int) -> None:
        with app_object.app_context():
            start.wait()
            for _attempt in range(20):
                try:
                    audit.record("test.concurrent", f"thread:{n}")
                    db.session.commit()
                    return
                except Exception as error:  # a lost race is retried, anything else fails
                    db.session.rollback()
                    if not is_conflict(error):
                        errors.append(error)
                        return
            errors.append(RuntimeError(f"thread {n} lost 20 races in a row"))

    threads = [threading.Thread(target=append, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    previous = [
        row.previous_hash
        for row in db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
    ]
    assert len(previous) == 9
    assert len(set(previous)) == 9, "two entries chained to the same predecessor"
    assert previous[0] == GENESIS_HASH
    assert audit.verify().intact


@pytest.mark.parametrize("action", ["user.logged_in", "claim.paid"])
def test_verify_reads_what_record_wrote_on_both_databases(app, action):
    # SQLite and PostgreSQL hand the time back without its zone: the hash must not change
    audit.record(action, "user:1", when="now")
    db.session.commit()
    db.session.expire_all()

    assert audit.verify().intact
