"""``flask backup FILE`` and ``flask restore FILE``: a consistent copy of the whole database.

SQLite is copied with its online backup API, page by page inside one read transaction, so
the copy is consistent while the app keeps serving (WAL lets the app write meanwhile).
PostgreSQL is dumped with ``pg_dump`` in its custom format, which reads one snapshot.

Restoring replaces every table with the copy's. Stop the app first: on PostgreSQL its open
connections would hold locks the restore waits for, and on either database requests that
run during a restore read a mix of old and new rows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import URL

from relief.core import audit
from relief.extensions import db

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(click.ClickException):
    """A backup or restore that cannot be done; the message says why."""


def _url() -> URL:
    return db.engine.url


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份。")
    return Path(url.database)


def _pg_command(program: str, url: URL) -> tuple[list[str], dict[str, str]]:
    """The libpq connection options of the URL, with the password in the environment."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(f"找不到 {program}：请安装 PostgreSQL 客户端程序。")
    args = [executable, "--no-password"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        # never on the command line, where every user of the machine can read it
        env["PGPASSWORD"] = str(url.password)
    return args, env


def backup(target: Path) -> None:
    """Write a consistent copy of the database to ``target`` (replaced if it exists)."""
    url = _url()
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    # write beside the target, then rename: a failed backup never leaves a partial file
    handle, partial_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    partial = Path(partial_name)
    try:
        if url.get_backend_name() == "sqlite":
            source = sqlite3.connect(_sqlite_path(url))
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
        elif url.get_backend_name() == "postgresql":
            args, env = _pg_command("pg_dump", url)
            args += ["--format=custom", "--file", str(partial), "--dbname", url.database]
            _run(args, env)
        else:
            raise BackupError(f"不支持备份 {url.get_backend_name()} 数据库。")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    log.info("database backed up (%s bytes)", target.stat().st_size)


def restore(source: Path) -> None:
    """Replace every table with the copy in ``source``, then record the restore."""
    url = _url()
    head = source.read_bytes()[:16] if source.is_file() else b""
    db.session.remove()
    db.engine.dispose()  # our own pooled connections would block or survive the restore

    if url.get_backend_name() == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} 不是 SQLite 数据库的备份。")
        copy = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(_sqlite_path(url))
        try:
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} 已损坏，未恢复。")
            # the backup API replaces the live database's pages in one write transaction
            copy.backup(live)
        finally:
            live.close()
            copy.close()
    elif url.get_backend_name() == "postgresql":
        if not head.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{source} 不是 pg_dump 自定义格式的备份。")
        args, env = _pg_command("pg_restore", url)
        args += [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            url.database,
            str(source),
        ]
        _run(args, env)
    else:
        raise BackupError(f"不支持恢复 {url.get_backend_name()} 数据库。")

    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    audit.record("database.restored", "database", sha256=digest)
    db.session.commit()
    log.info("database restored from a backup with sha256 %s", digest)


def _run(args: list[str], env: dict[str, str]) -> None:
    # a program found on PATH by name, arguments as a list: no shell ever parses them
    finished = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if finished.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} 失败：{finished.stderr.strip()}")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write a consistent copy of the database to FILE, also while the app serves."""
    backup(file)
    click.echo(f"已备份到 {file}。")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="恢复会用备份替换数据库中的全部数据，确定继续吗？")
@with_appcontext
def restore_command(file: Path) -> None:
    """Replace the whole database with the copy in FILE (stop the app first)."""
    restore(file)
    click.echo(f"已从 {file} 恢复。")
