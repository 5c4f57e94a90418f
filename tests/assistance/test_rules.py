"""The relief eligibility rules at their edges (DOMAIN.md C1–C3)."""

from dataclasses import replace
from decimal import Decimal

import pytest

from relief.assistance import rules
from relief.assistance.rules import Category, Check, Exclusion, Verdict, WageBase, WageSeries

# 2019 Liaoning 城镇非私营单位在岗职工: 75,264 a year → 6,272.00 a month → cap 225,792.00
WAGE_2019 = WageBase(
    province="辽宁",
    series=WageSeries.NON_PRIVATE_ON_POST,
    year=2019,
    annual_amount=Decimal("75264.00"),
    wanted_year=2019,
)

ELIGIBLE = rules.ReliefFacts(
    applicant_is_person=True,
    category=Category.TORT_INJURY,
    case_terminated_round=True,
    unpaid_amount=Decimal("1392500.00"),
    prior_relief=False,
    exclusions=frozenset(),
    termination_required=True,
    termination_override_reason=None,
    has_hardship_proof=True,
    wage=WAGE_2019,
    per_case_limit=Decimal("300000.00"),
    aggregate_remaining=Decimal("1000000.00"),
    policy_in_force=True,
)


def failed_rules(assessment):
    return {reason.rule for reason in assessment.reasons if reason.check == Check.FAILED}


def test_a_destitute_person_in_a_terminated_case_is_eligible():
    assessment = rules.assess(ELIGIBLE)

    assert assessment.verdict == Verdict.ELIGIBLE
    assert all(reason.source for reason in assessment.reasons)


def test_the_wage_cap_is_36_monthly_wages():
    assert rules.wage_cap(WAGE_2019) == Decimal("225792.00")
    assert WAGE_2019.monthly_amount == Decimal("6272.00")


@pytest.mark.parametrize(
    ("bound", "value"),
    [
        ("unpaid_amount", Decimal("40000.00")),
        ("per_case_limit", Decimal("50000.00")),
        ("aggregate_remaining", Decimal("12345.67")),
    ],
)
def test_the_cap_is_the_least_of_the_bounds(bound, value):
    facts = replace(ELIGIBLE, **{bound: value})

    assert rules.compute_cap(facts).amount == value


def test_the_wage_cap_binds_when_it_is_the_least():
    assert rules.compute_cap(ELIGIBLE).amount == Decimal("225792.00")


@pytest.mark.parametrize(
    ("amount", "allowed"),
    [
        (Decimal("225792.00"), True),  # exactly at the wage cap
        (Decimal("225792.01"), False),  # one fen above
        (Decimal("0.01"), True),
        (Decimal("0.00"), False),
    ],
)
def test_amount_at_the_wage_cap(amount, allowed):
    cap = rules.compute_cap(ELIGIBLE)

    assert (rules.check_amount(amount, cap, especially_serious=False) is None) is allowed


def test_above_the_wage_cap_only_when_especially_serious_and_within_the_other_bounds():
    cap = rules.compute_cap(ELIGIBLE)

    refused = rules.check_amount(Decimal("250000.00"), cap, especially_serious=False)
    assert "特别严重" in refused
    assert rules.check_amount(Decimal("250000.00"), cap, especially_serious=True) is None
    assert rules.check_amount(Decimal("300000.00"), cap, especially_serious=True) is None
    assert rules.check_amount(Decimal("300000.01"), cap, especially_serious=True) is not None


def test_amount_exactly_at_the_unpaid_amount():
    facts = replace(ELIGIBLE, unpaid_amount=Decimal("30000.00"))
    cap = rules.compute_cap(facts)

    assert rules.check_amount(Decimal("30000.00"), cap, especially_serious=False) is None
    assert rules.check_amount(Decimal("30000.01"), cap, especially_serious=True) is not None


def test_an_exhausted_aggregate_makes_the_claim_ineligible():
    assessment = rules.assess(replace(ELIGIBLE, aggregate_remaining=Decimal("0.00")))

    assert assessment.verdict == Verdict.NOT_ELIGIBLE
    assert "cap" in failed_rules(assessment)


def test_an_organisation_is_not_eligible():
    assessment = rules.assess(replace(ELIGIBLE, applicant_is_person=False))

    assert assessment.verdict == Verdict.NOT_ELIGIBLE
    assert failed_rules(assessment) == {"natural_person"}


def test_a_second_application_for_the_same_case_and_person_is_not_eligible():
    assessment = rules.assess(replace(ELIGIBLE, prior_relief=True))

    assert assessment.verdict == Verdict.NOT_ELIGIBLE
    assert failed_rules(assessment) == {"one_time"}


def test_each_exclusion_is_named():
    assessment = rules.assess(
        replace(ELIGIBLE, exclusions=frozenset({Exclusion.SIGNIFICANT_FAULT, Exclusion.OTHER}))
    )

    assert failed_rules(assessment) == {"exclusion:significant_fault", "exclusion:other"}
    messages = " ".join(reason.message for reason in assessment.reasons)
    assert "对案件发生有重大过错" in messages


def test_a_fully_paid_case_is_not_eligible():
    assessment = rules.assess(replace(ELIGIBLE, unpaid_amount=Decimal("0.00")))

    assert {"case_unsatisfied", "cap"} <= failed_rules(assessment)


class TestTermination:
    def test_without_termination_ruling_relief_is_refused(self):
        assessment = rules.assess(replace(ELIGIBLE, case_terminated_round=False))

        assert failed_rules(assessment) == {"termination"}

    def test_a_written_override_sends_it_to_review(self):
        facts = replace(
            ELIGIBLE, case_terminated_round=False, termination_override_reason="被执行人死亡"
        )

        assert rules.assess(facts).verdict == Verdict.NEEDS_REVIEW

    def test_a_policy_without_the_flag_does_not_ask_for_it(self):
        facts = replace(ELIGIBLE, case_terminated_round=False, termination_required=False)

        assert rules.assess(facts).verdict == Verdict.ELIGIBLE


class TestWageBase:
    def test_a_missing_year_falls_back_and_says_so(self):
        wage = replace(WAGE_2019, wanted_year=2025)
        assessment = rules.assess(replace(ELIGIBLE, wage=wage))

        wage_reason = next(r for r in assessment.reasons if r.rule == "wage_base")
        assert assessment.verdict == Verdict.ELIGIBLE
        assert wage.fell_back
        assert "2025年度数据尚未录入" in wage_reason.message
        assert "2019年" in wage_reason.message

    def test_no_wage_figure_at_all_needs_review_and_drops_the_wage_bound(self):
        assessment = rules.assess(replace(ELIGIBLE, wage=None))

        assert assessment.verdict == Verdict.NEEDS_REVIEW
        assert assessment.cap.wage_cap is None
        assert assessment.cap.amount == Decimal("300000.00")


def test_missing_hardship_proof_needs_review():
    assert rules.assess(replace(ELIGIBLE, has_hardship_proof=False)).verdict == Verdict.NEEDS_REVIEW


@pytest.mark.parametrize("category", [Category.OTHER, Category.PETITIONER])
def test_discretionary_categories_need_review(category):
    assert rules.assess(replace(ELIGIBLE, category=category)).verdict == Verdict.NEEDS_REVIEW


def test_a_policy_out_of_force_is_refused():
    assert "policy" in failed_rules(rules.assess(replace(ELIGIBLE, policy_in_force=False)))


def test_the_assessment_serialises_amounts_as_strings():
    data = rules.assess(ELIGIBLE).as_dict()

    assert data["cap"]["amount"] == "225792.00"
    assert data["verdict"] == "eligible"
