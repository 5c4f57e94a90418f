"""The bounty rules at their edges: deadlines, caps, premium, payouts and the payee."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from relief.bounties import rules
from relief.bounties.rules import AmountMethod, BountyKind, Exclusion, TipFacts, TipVerdict

PERCENT_10_UP_TO_20000 = rules.Terms(
    BountyKind.PROPERTY, AmountMethod.PERCENTAGE, rate=Decimal("0.10"), cap=Decimal("20000.00")
)
CAPS = rules.Caps()


# --- Decision deadline ---------------------------------------------------------------------


def test_decision_is_due_ten_calendar_days_after_filing():
    due = rules.decision_due(date(2025, 3, 3))

    assert due.due == date(2025, 3, 13)
    assert due.rolled_over_from is None


def test_decision_due_on_national_day_rolls_over_to_the_first_working_day():
    # 2025-09-21 + 10 days = 2025-10-01, inside the National Day and Mid-Autumn holiday
    # (Oct 1–8); the period ends on the first working day after it (CPL art. 85(3))
    due = rules.decision_due(date(2025, 9, 21))

    assert due.rolled_over_from == date(2025, 10, 1)
    assert due.due == date(2025, 10, 9)


def test_decision_due_on_a_make_up_working_sunday_stays_there():
    # 2025-09-28 is a Sunday made a working day (调休): the period ends on it
    assert rules.decision_due(date(2025, 9, 18)).due == date(2025, 9, 28)


# --- Terms and caps ------------------------------------------------------------------------


def test_fixed_property_bounty_at_the_contract_cap_is_accepted():
    terms = rules.Terms(BountyKind.PROPERTY, AmountMethod.FIXED, fixed_amount=Decimal("200000"))

    assert rules.check_terms(terms, CAPS) == []


def test_fixed_property_bounty_over_the_contract_cap_is_refused_on_its_field():
    terms = rules.Terms(BountyKind.PROPERTY, AmountMethod.FIXED, fixed_amount=Decimal("200000.01"))

    [problem] = rules.check_terms(terms, CAPS)

    assert problem.field == "fixed_amount"
    assert "¥200,000.00" in problem.message


def test_whereabouts_bounty_is_capped_at_ten_thousand_and_fixed():
    at_cap = rules.Terms(BountyKind.WHEREABOUTS, AmountMethod.FIXED, fixed_amount=Decimal("10000"))
    over = rules.Terms(BountyKind.WHEREABOUTS, AmountMethod.FIXED, fixed_amount=Decimal("10001"))
    share = rules.Terms(
        BountyKind.WHEREABOUTS, AmountMethod.PERCENTAGE, rate=Decimal("0.1"), cap=Decimal("5000")
    )

    assert rules.check_terms(at_cap, CAPS) == []
    assert [p.field for p in rules.check_terms(over, CAPS)] == ["fixed_amount"]
    assert [p.field for p in rules.check_terms(share, CAPS)] == ["method"]


def test_an_insurer_contract_with_lower_caps_binds():
    terms = rules.Terms(BountyKind.PROPERTY, AmountMethod.FIXED, fixed_amount=Decimal("150000"))

    problems = rules.check_terms(terms, rules.Caps(property=Decimal("100000")))

    assert [p.field for p in problems] == ["fixed_amount"]


@pytest.mark.parametrize(
    ("rate", "cap", "fields"),
    [
        (Decimal("0"), Decimal("1000"), ["rate"]),
        (Decimal("1.0001"), Decimal("1000"), ["rate"]),
        (Decimal("1"), Decimal("1000"), []),
        (Decimal("0.1"), Decimal("200000.01"), ["cap"]),
        (Decimal("0.1"), None, ["cap"]),
    ],
)
def test_percentage_terms_need_a_rate_up_to_100_percent_and_a_cap_within_contract(
    rate, cap, fields
):
    terms = rules.Terms(BountyKind.PROPERTY, AmountMethod.PERCENTAGE, rate=rate, cap=cap)

    assert [p.field for p in rules.check_terms(terms, CAPS)] == fields


# --- Premium -------------------------------------------------------------------------------


def test_premium_is_ten_percent_of_the_maximum_bounty():
    fixed = rules.Terms(BountyKind.WHEREABOUTS, AmountMethod.FIXED, fixed_amount=Decimal("5000"))

    # the Wuhan Jiang'an example of DOMAIN.md B2.3: ¥5,000 bounty, ¥500 premium
    assert rules.premium(fixed) == Decimal("500.00")
    assert rules.premium(PERCENT_10_UP_TO_20000) == Decimal("2000.00")
    assert rules.premium(PERCENT_10_UP_TO_20000, Decimal("0.08")) == Decimal("1600.00")


# --- Payout --------------------------------------------------------------------------------


def test_payout_just_under_the_cap_is_the_percentage():
    payout = rules.payout(PERCENT_10_UP_TO_20000, Decimal("199999.90"), Decimal("0"))

    assert payout.amount == Decimal("19999.99")


def test_payout_exactly_at_the_cap():
    payout = rules.payout(PERCENT_10_UP_TO_20000, Decimal("200000.00"), Decimal("0"))

    assert payout.amount == Decimal("20000.00")
    assert not any("最高金额" in reason for reason in payout.reasons)


def test_payout_over_the_cap_is_the_cap_and_says_so():
    payout = rules.payout(PERCENT_10_UP_TO_20000, Decimal("350000.00"), Decimal("0"))

    assert payout.amount == Decimal("20000.00")
    assert any("按最高金额¥20,000.00发放" in reason for reason in payout.reasons)


def test_payout_of_a_partial_recovery_is_the_percentage_rounded_half_up():
    terms = rules.Terms(
        BountyKind.PROPERTY, AmountMethod.PERCENTAGE, rate=Decimal("0.05"), cap=Decimal("200000")
    )

    # 5% of 45,678.90 is 2,283.945: half a fen rounds up
    payout = rules.payout(terms, Decimal("45678.90"), Decimal("0"))

    assert payout.amount == Decimal("2283.95")


def test_a_later_recovery_pays_only_what_the_earlier_payout_left_under_the_cap():
    payout = rules.payout(PERCENT_10_UP_TO_20000, Decimal("250000.00"), Decimal("12000.00"))

    assert payout.amount == Decimal("8000.00")


def test_property_bounty_pays_nothing_before_money_is_recovered():
    fixed = rules.Terms(BountyKind.PROPERTY, AmountMethod.FIXED, fixed_amount=Decimal("30000"))

    assert rules.payout(fixed, Decimal("0"), Decimal("0")).amount == Decimal("0.00")
    assert rules.payout(fixed, Decimal("1.00"), Decimal("0")).amount == Decimal("30000.00")


def test_whereabouts_bounty_pays_its_fixed_sum_without_a_recovery():
    terms = rules.Terms(BountyKind.WHEREABOUTS, AmountMethod.FIXED, fixed_amount=Decimal("8000"))

    assert rules.payout(terms, Decimal("0"), Decimal("0")).amount == Decimal("8000.00")


# --- Several tips, one lead ----------------------------------------------------------------


def test_the_earliest_new_tip_of_a_lead_is_paid_and_later_ones_are_told_why():
    outcomes = rules.settle_leads(
        [
            TipFacts(id=30, sequence=3, verdict=TipVerdict.VERIFIED, same_lead_as=10),
            TipFacts(id=10, sequence=1, verdict=TipVerdict.VERIFIED),
            TipFacts(id=20, sequence=2, verdict=TipVerdict.VERIFIED),
        ]
    )

    assert outcomes[10].payable
    assert outcomes[20].payable  # another lead altogether
    assert not outcomes[30].payable
    assert "第1号" in outcomes[30].reason


def test_a_chain_of_same_lead_tips_has_one_payee():
    outcomes = rules.settle_leads(
        [
            TipFacts(id=1, sequence=1, verdict=TipVerdict.VERIFIED),
            TipFacts(id=2, sequence=2, verdict=TipVerdict.VERIFIED, same_lead_as=1),
            TipFacts(id=3, sequence=3, verdict=TipVerdict.VERIFIED, same_lead_as=2),
        ]
    )

    assert [outcomes[i].payable for i in (1, 2, 3)] == [True, False, False]


def test_an_earlier_tip_the_court_already_knew_does_not_block_a_new_verified_one():
    outcomes = rules.settle_leads(
        [
            TipFacts(id=1, sequence=1, verdict=TipVerdict.ALREADY_KNOWN),
            TipFacts(id=2, sequence=2, verdict=TipVerdict.VERIFIED, same_lead_as=1),
        ]
    )

    assert not outcomes[1].payable
    assert "已掌握" in outcomes[1].reason
    assert outcomes[2].payable


@pytest.mark.parametrize("exclusion", list(Exclusion))
def test_an_excluded_tipster_is_not_paid_and_is_told_which_ground(exclusion):
    outcomes = rules.settle_leads(
        [TipFacts(id=1, sequence=1, verdict=TipVerdict.EXCLUDED, exclusion=exclusion)]
    )

    assert not outcomes[1].payable
    assert rules.EXCLUSION_LABELS[exclusion] in outcomes[1].reason
    assert "第二十四条第三款" in outcomes[1].reason


def test_an_excluded_first_tipster_leaves_the_lead_to_the_next_verified_one():
    outcomes = rules.settle_leads(
        [
            TipFacts(id=1, sequence=1, verdict=TipVerdict.EXCLUDED, exclusion=Exclusion.DEBTOR),
            TipFacts(id=2, sequence=2, verdict=TipVerdict.VERIFIED, same_lead_as=1),
        ]
    )

    assert outcomes[2].payable


def test_screening_flags_the_debtor_and_the_applicant_but_not_a_stranger():
    debtors, applicants = ["21110319920113946X"], ["211103196907273165"]

    assert rules.screen_tipster("21110319920113946X", debtors, applicants) == Exclusion.DEBTOR
    assert rules.screen_tipster("211103196907273165", debtors, applicants) == Exclusion.OTHER
    assert rules.screen_tipster("110101199003074514", debtors, applicants) is None


def test_a_year_from_the_last_of_february_ends_on_the_last_of_february():
    assert rules.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert rules.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
