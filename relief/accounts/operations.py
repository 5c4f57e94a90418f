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


def change_user(
    user: User,
    *,
    role: Role,
    display_name: str,
    active: bool,
    insurer: Insurer | None,
    admin: User,
) -> User:
    """Change an account's role, name, insurer or whether it may log in."""
    if user.id == admin.id and (role != Role.ADMIN or not active):
        raise Conflict("不能停用自己的账号或取消自己的管理员角色。", field="role")
    if role == Role.INSURER and insurer is None:
        raise OperationError("保险公司人员必须关联保险公司。", field="insurer")
    if not display_name.strip():
        raise OperationError("请填写姓名。", field="display_name")

    changes = {}
    if user.role != role:
        changes["role"] = [user.role.value, role.value]
    if user.active != active:
        changes["active"] = [user.active, active]
    user.role = role
    user.display_name = display_name.strip()
    user.active = active
    user.insurer = insurer if role == Role.INSURER else None
    db.session.flush()
    audit.record("user.changed", f"user:{user.id}", **changes)
    return user


def reset_password(user: User, password: str, *, admin: User) -> None:
    """Give an account a new password chosen by the administrator."""
    problem = weakness(password)
    if problem:
        raise OperationError(problem, field="password")

    user.password_hash = hash_password(password)
    db.session.flush()
    audit.record("user.password_reset", f"user:{user.id}", by=f"user:{admin.id}")
