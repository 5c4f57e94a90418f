"""``flask demo load``: a working installation to click through, made by our own code.

The cases are generated in the court's export format and go through the real importer, so
the demo exercises the same path as a court's file. Generation is seeded: every run makes
the same cases.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from stdnum.cn import ric, uscc

from relief.accounts.models import Role, User
from relief.accounts.operations import create_user
from relief.assistance import operations as relief_ops
from relief.assistance.models import WageFigure
from relief.assistance.rules import PROVINCE, Category, WageSeries
from relief.cases.examples import load_stage_examples
from relief.cases.importer import import_cases
from relief.cases.models import EnforcementCase, Outcome, PartyKind
from relief.core import clock
from relief.extensions import db
from relief.guarantees.models import GuaranteeContract
from relief.insurers.models import Insurer, ReliefPolicy
from relief.insurers.operations import create_api_client

#: every demo account uses this password; README.md lists the accounts
DEMO_PASSWORD = "Panjin-Demo-2026"  # noqa: S105  (published in the README on purpose)

DEMO_USERS = [
    ("clerk", Role.CLERK, "王书记员", None),
    ("judge", Role.JUDGE, "李明", None),
    ("judge2", Role.JUDGE, "陈静", None),
    ("approver", Role.APPROVER, "张庭长", None),
    ("admin", Role.ADMIN, "系统管理员", None),
    ("picc", Role.INSURER, "人保盘锦理赔岗", "人保盘锦"),
    ("cic", Role.INSURER, "中华联合盘锦理赔岗", "中华联合盘锦"),
]

INSURERS = [
    ("中国人民财产保险股份有限公司盘锦市分公司", "人保盘锦", Decimal("100000"), Decimal("1500000")),
    (
        "中华联合财产保险股份有限公司盘锦中心支公司",
        "中华联合盘锦",
        Decimal("80000"),
        Decimal("800000"),
    ),
]

#: Liaoning average wages as published (DOMAIN.md E1)
WAGES = [
    (2010, WageSeries.URBAN_UNITS_ON_POST, "35057", "辽高法〔2011〕129号"),
    (2013, WageSeries.URBAN_UNITS_ON_POST, "46310", "辽宁省高级人民法院办公室 2014-08-13"),
    (2014, WageSeries.URBAN_UNITS_ON_POST, "49110", "辽宁省高级人民法院、辽宁省公安厅 2015"),
    (2018, WageSeries.URBAN_UNITS_ON_POST, "69093", "辽宁省高级人民法院办公室 2020-01-17"),
    (2018, WageSeries.NON_PRIVATE_EMPLOYED, "67324", "辽宁省统计局发布"),
    (2019, WageSeries.NON_PRIVATE_EMPLOYED, "72891", "辽宁省统计局发布"),
    (2019, WageSeries.NON_PRIVATE_ON_POST, "75264", "辽宁省统计局发布"),
    (2021, WageSeries.NON_PRIVATE_EMPLOYED, "86062", "中国统计年鉴2022"),
]

COURTS = [
    ("辽宁省盘锦市中级人民法院", "辽11"),
    ("盘锦市双台子区人民法院", "辽1102"),
    ("盘锦市兴隆台区人民法院", "辽1103"),
    ("盘锦市大洼区人民法院", "辽1104"),
    ("盘山县人民法院", "辽1122"),
]
#: household-registration area codes of Panjin (GB/T 2260)
AREA_CODES = ["211102", "211103", "211104", "211121", "211122"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建国志海燕亮春雪梅宏斌"
COMPANIES = [
    "盘锦{}商贸有限公司",
    "盘锦{}建筑工程有限公司",
    "盘锦市{}物流有限公司",
    "盘锦{}餐饮管理有限公司",
    "盘锦{}石化设备有限公司",
    "盘锦{}农业科技有限公司",
]
COMPANY_WORDS = ["鼎盛", "辽河", "红海滩", "兴隆", "新城", "宏达", "金穗", "北方", "永安", "华兴"]
CAUSES = [
    ("机动车交通事故责任纠纷", True),
    ("生命权、身体权、健康权纠纷", True),
    ("追索劳动报酬纠纷", True),
    ("抚养费纠纷", True),
    ("赡养纠纷", True),
    ("提供劳务者受害责任纠纷", True),
    ("故意伤害罪（附带民事）", True),
    ("民间借贷纠纷", False),
    ("买卖合同纠纷", False),
    ("租赁合同纠纷", False),
]
JUDGES = ["李明", "陈静", "孙晓露", "王海峰", "赵宏伟", "张丽", "周建", "刘洋"]
HEADERS = [
    "案号",
    "执行法院",
    "立案日期",
    "案由",
    "执行依据",
    "申请执行人",
    "申请执行人类型",
    "申请执行人证件号码",
    "被执行人",
    "被执行人类型",
    "被执行人证件号码",
    "申请执行标的金额（元）",
    "实际到位金额（元）",
    "结案方式",
    "结案日期",
    "承办人",
]
OUTCOME_TEXT = {
    Outcome.OPEN: "未结",
    Outcome.COMPLETED: "执行完毕",
    Outcome.TERMINATED_ROUND: "终结本次执行程序",
    Outcome.TERMINATED: "终结执行",
}


@dataclass
class _Generator:
    rng: random.Random
    today: date

    def person_id(self, born_from: int = 1945, born_to: int = 2000) -> str:
        born = date(self.rng.randint(born_from, born_to), 1, 1) + timedelta(
            days=self.rng.randint(0, 364)
        )
        body = f"{self.rng.choice(AREA_CODES)}{born:%Y%m%d}{self.rng.randint(1, 999):03d}"
        return body + ric.calc_check_digit(body + "0")

    def credit_code(self) -> str:
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        body = "91" + self.rng.choice(AREA_CODES) + "".join(self.rng.choices(alphabet, k=9))
        return body + uscc.calc_check_digit(body)

    def person_name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choices(GIVEN, k=self.rng.randint(1, 2))
        )

    def company_name(self) -> str:
        return self.rng.choice(COMPANIES).format(self.rng.choice(COMPANY_WORDS))

    def case_row(self, sequence: int) -> list[str]:
        court, code = self.rng.choice(COURTS)
        filed = self.today - timedelta(days=self.rng.randint(120, 1500))
        cause, personal = self.rng.choice(CAUSES)
        applicant_is_person = personal or self.rng.random() < 0.6
        respondent_is_person = personal or self.rng.random() < 0.5
        target = (
            Decimal(self.rng.randint(8_000, 1_500_000)) + Decimal(self.rng.randint(0, 99)) / 100
        )

        outcome = self.rng.choices(
            [Outcome.TERMINATED_ROUND, Outcome.COMPLETED, Outcome.OPEN, Outcome.TERMINATED],
            weights=[45, 30, 18, 7],
        )[0]
        if outcome == Outcome.COMPLETED:
            recovered = target
        elif outcome == Outcome.OPEN:
            recovered = (target * Decimal(self.rng.uniform(0, 0.6))).quantize(Decimal("0.01"))
        else:
            recovered = (target * Decimal(self.rng.uniform(0, 0.15))).quantize(Decimal("0.01"))
        closed = ""
        if outcome != Outcome.OPEN:
            closed = min(filed + timedelta(days=self.rng.randint(95, 400)), self.today).isoformat()

        return [
            f"（{filed.year}）{code}执{sequence}号",
            court,
            filed.isoformat(),
            cause,
            f"（{filed.year - 1}）{code}民初{self.rng.randint(100, 9000)}号",
            self.person_name() if applicant_is_person else self.company_name(),
            "自然人" if applicant_is_person else "法人",
            self.person_id() if applicant_is_person else self.credit_code(),
            self.person_name() if respondent_is_person else self.company_name(),
            "自然人" if respondent_is_person else "法人",
            self.person_id() if respondent_is_person else self.credit_code(),
            f"{target:,.2f}",
            f"{recovered:.2f}",
            OUTCOME_TEXT[outcome],
            closed,
            self.rng.choice(JUDGES),
        ]


def demo_export(count: int = 200, seed: int = 2026, today: date | None = None) -> str:
    """A case export in the court's CSV format with ``count`` realistic Panjin cases."""
    # seeded, not secret: the same demo every time
    generator = _Generator(random.Random(seed), today or clock.today())  # noqa: S311
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for sequence in range(1, count + 1):
        writer.writerow(generator.case_row(sequence))
    return out.getvalue()


demo_cli = click.Group("demo", help="Demonstration data.")


@demo_cli.command("load")
@with_appcontext
def load():
    """Load the demo data once; later runs leave an existing installation alone."""
    if db.session.execute(select(User.id).limit(1)).first():
        click.echo("演示数据已存在，未重复载入。")
        return

    _load_wages()
    insurers = _load_insurers()
    users = _load_users(insurers)
    report = import_cases(io.BytesIO(demo_export().encode("utf-8")), actor="system")
    _load_relief_examples(users)
    load_stage_examples(users["judge"])
    credentials = [create_api_client(insurer, label="demo") for insurer in insurers.values()]
    db.session.commit()

    click.echo(report.summary())
    click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）：" + "、".join(u[0] for u in DEMO_USERS))
    for client, secret in credentials:
        click.echo(f"{client.insurer.short_name} 接口密钥：key_id={client.key_id} secret={secret}")


def _load_wages() -> None:
    for year, series, amount, source in WAGES:
        db.session.add(
            WageFigure(
                province=PROVINCE,
                year=year,
                series=series.value,
                annual_amount=Decimal(amount),
                source=source,
            )
        )


def _load_insurers() -> dict[str, Insurer]:
    today = clock.today()
    insurers = {}
    for index, (name, short_name, per_case, aggregate) in enumerate(INSURERS, start=1):
        insurer = Insurer(name=name, short_name=short_name)
        db.session.add(insurer)
        db.session.add(
            ReliefPolicy(
                insurer=insurer,
                policy_number=f"PZJZ{today.year}2111000{index}",
                starts_on=date(today.year, 1, 1),
                ends_on=date(today.year, 12, 31),
                per_case_limit=per_case,
                annual_aggregate=aggregate,
            )
        )
        # guarantee terms, so the preservation form lists the insurer; contract values, not law
        db.session.add(
            GuaranteeContract(
                insurer=insurer,
                rate=Decimal("0.001"),
                minimum_premium=Decimal("500.00"),
                exposure_limit=Decimal("50000000.00"),
            )
        )
        insurers[short_name] = insurer
    db.session.flush()
    return insurers


def _load_users(insurers: dict[str, Insurer]) -> dict[str, User]:
    return {
        username: create_user(
            username, DEMO_PASSWORD, role, name, insurers.get(insurer) if insurer else None
        )
        for username, role, name, insurer in DEMO_USERS
    }


def _load_relief_examples(users: dict[str, User]) -> None:
    """A few applications at different steps, so every queue has something in it."""
    candidates = db.session.execute(
        select(EnforcementCase)
        .where(EnforcementCase.outcome == Outcome.TERMINATED_ROUND)
        .order_by(EnforcementCase.id)
    ).scalars()
    cases = [
        case
        for case in candidates
        if case.applicant and case.applicant.kind == PartyKind.PERSON and case.unpaid_amount > 0
    ][:3]
    policy = db.session.execute(select(ReliefPolicy).order_by(ReliefPolicy.id)).scalars().first()

    filed = []
    for case in cases:
        filed.append(
            relief_ops.file_application(
                case,
                case.applicant,
                policy,
                relief_ops.NewApplication(
                    category=Category.TORT_INJURY,
                    household_size=3,
                    household_monthly_income=Decimal("1200.00"),
                    compensation_received=Decimal("0.00"),
                    amount_requested=min(Decimal("50000.00"), case.unpaid_amount),
                    circumstances="被执行人无财产可供执行，申请人家庭生活困难。",
                    exclusions=frozenset(),
                    filed_on=clock.today(),
                ),
                clerk=users["clerk"],
            )
        )
    if len(filed) >= 2:
        relief_ops.propose(
            filed[1],
            amount=min(Decimal("30000.00"), filed[1].case.unpaid_amount),
            reason="申请人因案致贫，被执行人确无财产可供执行。",
            judge=users["judge"],
        )
