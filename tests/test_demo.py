"""`flask demo load`, which `make run` relies on, builds a usable installation once."""

from sqlalchemy import func, select

from relief.accounts.models import User
from relief.cases.models import EnforcementCase
from relief.extensions import db
from relief.guarantees.models import GuaranteeContract


def test_demo_data_loads_once(app):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])

    assert first.exit_code == 0, first.output
    assert "导入 200" in first.output
    assert db.session.scalar(select(func.count(EnforcementCase.id))) == 200
    assert db.session.scalar(select(func.count(User.id))) == 7
    assert db.session.scalar(select(func.count(GuaranteeContract.id))) == 2
    assert second.exit_code == 0
    assert "未重复载入" in second.output
