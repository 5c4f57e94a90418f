"""Login lockout: too many wrong passwords lock an account, or an address, for a while.

Failures are counted in the database, so every server process sees the same count. The
account is identified by a hash of the name typed, never the name itself: a password typed
into the name field must not be stored, and an unknown name locks exactly like a real one,
so the lockout does not reveal which accounts exist.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from relief.accounts.models import User
from relief.core import audit
from relief.core.errors import OperationError
from relief.core.models import utcnow
from relief.extensions import db

#: wrong passwords for one account within the window before it is locked
ACCOUNT_LIMIT = 5
#: wrong passwords from one address within the window before it is locked (a court's
#: offices may share one address, so this is higher than the account limit)
ADDRESS_LIMIT = 20
#: how far back failures count; a lock lifts when its failures are this old
WINDOW = timedelta(minutes=15)


class LoginFailure(db.Model):
    """One wrong password (or unknown account) at the login form."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the normalised name typed
    account_key: Mapped[str] = mapped_column(String(64), index=True)
    #: the client's address as the server saw it
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)


class LockedOut(OperationError):
    """Logins for this account or from this address are refused for now."""

    code = "locked"

    def __init__(self, scope: str):
        super().__init__(f"login locked ({scope})")
        #: "account" or "address"
        self.scope = scope


def account_key(username: str) -> str:
    """The hash a name is counted under; names differing in case or spaces count as one."""
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()


def limits() -> tuple[int, int, timedelta]:
    """The account limit, the address limit and the window, from the configuration."""
    config = current_app.config
    return (
        int(config.get("LOGIN_ACCOUNT_LIMIT", ACCOUNT_LIMIT)),
        int(config.get("LOGIN_ADDRESS_LIMIT", ADDRESS_LIMIT)),
        timedelta(seconds=int(config.get("LOGIN_LOCKOUT_SECONDS", WINDOW.total_seconds()))),
    )


def _since() -> datetime:
    # naive UTC, as the column stores it on both databases
    return utcnow().replace(tzinfo=None) - limits()[2]


def _failures(column, value: str) -> int:
    return db.session.execute(
        select(func.count(LoginFailure.id)).where(column == value, LoginFailure.at >= _since())
    ).scalar_one()


# TODO: the address is request.remote_addr; behind a reverse proxy every client shares the
# proxy's address until werkzeug's ProxyFix is configured for it, and would lock together.
def check(username: str, address: str) -> None:
    """Refuse the login attempt before any password is checked if either is locked."""
    account_limit, address_limit, _ = limits()
    if _failures(LoginFailure.account_key, account_key(username)) >= account_limit:
        raise LockedOut("account")
    if _failures(LoginFailure.address, address) >= address_limit:
        raise LockedOut("address")


def record_failure(username: str, address: str) -> None:
    """Count a failed login; the failure that reaches a limit leaves an audit entry."""
    account_limit, address_limit, window = limits()
    now = utcnow().replace(tzinfo=None)
    key = account_key(username)

    # failures long past the window count for nothing: keep the table small
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - 4 * window))
    db.session.add(LoginFailure(account_key=key, address=address, at=now))
    db.session.flush()

    user_id = db.session.execute(
        select(User.id).where(User.username == username.strip())
    ).scalar_one_or_none()
    if _failures(LoginFailure.account_key, key) == account_limit:
        subject = f"user:{user_id}" if user_id else f"login_account:{key[:16]}"
        audit.record("login.locked_out", subject, actor="system", scope="account", address=address)
    if _failures(LoginFailure.address, address) == address_limit:
        audit.record(
            "login.locked_out", f"login_address:{address}", actor="system", scope="address"
        )


def clear(username: str) -> None:
    """Forget an account's failures after it logged in with the right password."""
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.account_key == account_key(username))
    )
