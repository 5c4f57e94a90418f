"""Relief operations: the moves of an application and its claim, and what they refuse."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from relief.accounts.models import Role
from relief.assistance import operations
from relief.assistance.models import (
    ApplicationStatus,
    ClaimStatus,
    ReliefApplication,
    WageFigure,
)
from relief.assistance.rules import Category
from relief.cases.models import (
    Outcome,
    PartyKind,
)
from relief.cases.operations import record_recovery
from relief.core import clock
from relief.core.errors import Conflict, Forbidden, OperationError
from relief.extensions import db
from tests.factories import load_liaoning_wages, make_case, make_insurer, make_user


def entry(amount: str = "50000.00") -> operations.NewApplication:
    return operations.NewApplication(
        category=Category.TORT_INJURY,
        household_size=3,
        household_monthly_income=Decimal("1200.00"),
        compensation_received=Decimal("0.00"),
        amount_requested=Decimal(amount),
        circumstances="",
        exclusions=frozenset(),
        filed_on=clock.today(),
    )


@pytest.fixture
def people(app):
    load_liaoning_wages()
    return {
        "clerk": make_user("clerk", Role.CLERK),
        "judge": make_user("judge", Role.JUDGE),
        "approver": make_user("approver", Role.APPROVER),
    }


@pytest.fixture
def insurer(app):
    insurer, policy, _, _ = make_insurer("人保盘锦", per_case="100000", aggregate="120000")
    return insurer, policy


def file(case, people, policy, amount="50000.00") -> ReliefApplication:
    return operations.file_application(
        case, case.applicant, policy, entry(amount), clerk=people["clerk"]
    )


def grant(application, people, amount="50000.00"):
    operations.propose(
        application, amount=Decimal(amount), reason="因案致贫。", judge=people["judge"]
    )
    return operations.approve(application, reason="同意。", approver=people["approver"])


class TestFiling:
    def test_numbers_follow_the_court_and_year_and_the_deadline_is_set(self, people, insurer):
        first = file(make_case(), people, insurer[1])
        second = file(make_case(), people, insurer[1])

        year = clock.today().year
        assert first.relief_number == f"（{year}）辽1103司救执1号"
        assert second.relief_number == f"（{year}）辽1103司救执2号"
        assert first.decision_due_on == operations.decision_due_on(first.filed_on)
        assert first.decision_due_on > first.filed_on

    def test_an_organisation_cannot_apply(self, people, insurer):
        case = make_case(applicant_kind=PartyKind.ORGANISATION)

        with pytest.raises(OperationError, match="仅限自然人"):
            file(case, people, insurer[1])

    def test_a_second_application_for_the_same_case_and_person_is_refused(self, people, insurer):
        case = make_case()
        file(case, people, insurer[1])

        with pytest.raises(Conflict, match="只救助一次"):
            file(case, people, insurer[1])

    def test_after_a_decline_the_applicant_may_apply_again(self, people, insurer):
        case = make_case()
        operations.decline(
            file(case, people, insurer[1]), reason="材料不足。", judge=people["judge"]
        )

        again = file(case, people, insurer[1])

        assert again.status == ApplicationStatus.FILED

    def test_the_database_refuses_two_active_applications_too(self, people, insurer):
        case = make_case()
        first = file(case, people, insurer[1])
        db.session.add(
            ReliefApplication(
                relief_number="（2026）辽1103司救执99号",
                case=case,
                party=case.applicant,
                policy=insurer[1],
                category=first.category,
                household_size=1,
                household_monthly_income=Decimal("0"),
                compensation_received=Decimal("0"),
                amount_requested=Decimal("1"),
                filed_on=first.filed_on,
                filed_by=people["clerk"],
                decision_due_on=first.decision_due_on,
            )
        )

        with pytest.raises(IntegrityError):
            db.session.flush()

    def test_a_judge_cannot_file(self, people, insurer):
        case = make_case()

        with pytest.raises(Forbidden):
            operations.file_application(
                case, case.applicant, insurer[1], entry(), clerk=people["judge"]
            )


class TestDecision:
    def test_proposal_and_approval_create_the_claim_and_the_documents(self, people, insurer):
        application = file(make_case(), people, insurer[1])

        claim = grant(application, people)

        assert application.status == ApplicationStatus.APPROVED
        assert claim.status == ClaimStatus.SUBMITTED
        assert claim.amount == Decimal("50000.00")
        assert claim.insurer_id == insurer[0].id
        kinds = {document.kind.value for document in _documents(application)}
        assert kinds == {"relief_decision", "relief_claim"}

    def test_nobody_approves_their_own_proposal(self, people, insurer):
        application = file(make_case(), people, insurer[1])
        judge = people["judge"]
        operations.propose(application, amount=Decimal("1000"), reason="理由。", judge=judge)
        judge.role = Role.APPROVER  # promoted meanwhile: still the proposer

        with pytest.raises(Forbidden, match="双人审批"):
            operations.approve(application, reason="", approver=judge)

    def test_a_proposal_above_the_cap_is_refused_with_the_cap(self, people, insurer):
        application = file(make_case(), people, insurer[1])

        with pytest.raises(OperationError, match=r"¥100,000\.00") as refused:
            operations.propose(
                application, amount=Decimal("100000.01"), reason="理由。", judge=people["judge"]
            )
        assert refused.value.field == "amount"

    def test_the_aggregate_is_checked_again_at_approval(self, people, insurer):
        first = file(make_case(), people, insurer[1])
        second = file(make_case(), people, insurer[1])
        for application in (first, second):
            operations.propose(
                application, amount=Decimal("70000"), reason="理由。", judge=people["judge"]
            )
        operations.approve(first, reason="", approver=people["approver"])

        # 120,000 aggregate − 70,000 granted leaves 50,000: the second 70,000 no longer fits
        with pytest.raises(Conflict, match=r"¥50,000\.00"):
            operations.approve(second, reason="", approver=people["approver"])

    def test_without_a_termination_ruling_the_judge_must_give_a_reason(self, people, insurer):
        application = file(make_case(outcome=Outcome.OPEN), people, insurer[1])

        with pytest.raises(Conflict, match="终结本次执行程序"):
            operations.propose(
                application, amount=Decimal("1000"), reason="理由。", judge=people["judge"]
            )
        operations.propose(
            application,
            amount=Decimal("1000"),
            reason="理由。",
            judge=people["judge"],
            override_reason="被执行人已死亡且无遗产。",
        )
        assert application.eligibility_snapshot["verdict"] == "needs_review"

    def test_a_returned_proposal_goes_back_to_the_judge(self, people, insurer):
        application = file(make_case(), people, insurer[1])
        operations.propose(
            application, amount=Decimal("1000"), reason="理由。", judge=people["judge"]
        )

        operations.return_to_judge(
            application, reason="请补充困难证明。", approver=people["approver"]
        )

        assert application.status == ApplicationStatus.RETURNED
        operations.propose(
            application, amount=Decimal("900"), reason="理由。", judge=people["judge"]
        )
        assert application.status == ApplicationStatus.PROPOSED


class TestWageBase:
    def test_the_previous_year_is_used_when_loaded(self, app):
        year = clock.today().year
        db.session.add(
            WageFigure(
                province="辽宁",
                year=year - 1,
                series="non_private_on_post",
                annual_amount=Decimal("90000.00"),
            )
        )
        load_liaoning_wages()

        wage = operations.wage_base(year)

        assert (wage.year, wage.fell_back) == (year - 1, False)

    def test_a_missing_year_falls_back_to_the_latest_loaded(self, app):
        load_liaoning_wages()

        wage = operations.wage_base(2026)

        assert (wage.year, wage.wanted_year, wage.fell_back) == (2019, 2025, True)

    def test_figures_of_another_series_are_not_used(self, app):
        db.session.add(
            WageFigure(
                province="辽宁",
                year=2021,
                series="non_private_employed",
                annual_amount=Decimal("86062.00"),
            )
        )

        assert operations.wage_base(2026) is None


class TestInsurerAndClawback:
    def test_payment_must_match_the_granted_amount(self, people, insurer):
        claim = grant(file(make_case(), people, insurer[1]), people)
        operations.accept_claim(claim, insurer=insurer[0])

        with pytest.raises(Conflict, match="不一致"):
            operations.record_payment(
                claim,
                amount=Decimal("49999.99"),
                paid_on=clock.today(),
                transaction_reference="T-1",
                insurer=insurer[0],
            )

    def test_a_rejected_claim_cannot_be_paid(self, people, insurer):
        claim = grant(file(make_case(), people, insurer[1]), people)
        operations.reject_claim(claim, "不属于保险责任。", insurer=insurer[0])

        with pytest.raises(Conflict):
            operations.record_payment(
                claim,
                amount=claim.amount,
                paid_on=clock.today(),
                transaction_reference="T-1",
                insurer=insurer[0],
            )

    def test_another_insurer_cannot_touch_the_claim(self, people, insurer):
        claim = grant(file(make_case(), people, insurer[1]), people)
        other, *_ = make_insurer("中华联合盘锦")

        with pytest.raises(Forbidden):
            operations.accept_claim(claim, insurer=other)

    def test_recoveries_repay_the_relief_and_never_more(self, people, insurer):
        case = make_case(unpaid="200000.00")
        claim = grant(file(case, people, insurer[1]), people, amount="50000.00")
        operations.accept_claim(claim, insurer=insurer[0])
        operations.record_payment(
            claim,
            amount=Decimal("50000.00"),
            paid_on=clock.today(),
            transaction_reference="T-1",
            insurer=insurer[0],
        )

        record_recovery(case, Decimal("30000.00"), clock.today())
        assert claim.clawed_back == Decimal("30000.00")
        record_recovery(case, Decimal("40000.00"), clock.today())

        assert claim.clawed_back == Decimal("50000.00")
        assert claim.outstanding_clawback == Decimal("0.00")
        assert [c.amount for c in claim.clawbacks] == [Decimal("30000.00"), Decimal("20000.00")]
        assert all(c.owed_to_insurer_id == insurer[0].id for c in claim.clawbacks)

    def test_a_recovery_before_payment_claws_nothing_back(self, people, insurer):
        case = make_case()
        claim = grant(file(case, people, insurer[1]), people)

        record_recovery(case, Decimal("1000.00"), clock.today())

        assert claim.clawed_back == Decimal("0.00")


def _documents(application):
    from relief.documents.models import IssuedDocument

    return db.session.execute(
        select(IssuedDocument).where(IssuedDocument.application_id == application.id)
    ).scalars()
