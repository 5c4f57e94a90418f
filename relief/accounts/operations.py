"""Creating accounts and checking logins."""

from __future__ import annotations

from sqlalchemy import select

from relief.accounts.models import Role, User
from relief.accounts.passwords import hash_password, verify_password, weakness
from relief.core import audit
from relief.core.errors import Conflict, OperationError
from relief.core.models import utcnow
from relief.extensions import db
from relief.insurers.models import Insurer

# A real hash to compare against when the user does not exist, so a login for an unknown
# name takes as long as one with a wrong password.
_DUMMY_HASH = hash_password("not-a-real-password")


def create_user(
    username: str,
    password: str,
    role: Role,
    display_name: str,
    insurer: Insurer | None = None,
) -> User:
    """Create a staff or insurer account after checking the password's strength."""
    problem = weakness(password)
    if problem:
        raise OperationError(problem, field="password")
    if role == Role.INSURER and insurer is None:
        raise OperationError("保险公司人员必须关联保险公司。", field="insurer")
    if db.session.execute(select(User.id).where(User.username == username)).first():
        raise Conflict("用户名已存在。", field="username")

    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name,
        insurer=insurer,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", f"user:{user.id}", role=role.value)
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = db.session.execute(
        select(User).where(User.username == username.strip())
    ).scalar_one_or_none()
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user
