"""The preservation rules at their edges: security, fee, premium, the letter, deadlines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from relief.cases.models import PartyKind
from relief.core.clock import COURT_TIMEZONE
from relief.guarantees import rules
from relief.guarantees.rules import Exemption, PreservationKind, PropertyKind

PERSON_ID = "211103196907273165"
OTHER_PERSON_ID = "21110319920113946X"
CREDIT_CODE = "91211104G3F6W6RC1A"


# --- Security ------------------------------------------------------------------------------


def test_pre_suit_security_is_the_whole_amount():
    security = rules.security_amount(PreservationKind.PRE_SUIT, Decimal("123456.78"))

    assert security.amount == Decimal("123456.78")
    assert not security.is_ceiling
    assert "第五条第二款" in security.source


def test_in_suit_security_is_at_most_thirty_percent_of_the_amount():
    security = rules.security_amount(PreservationKind.IN_SUIT, Decimal("1000000"))

    assert security.amount == Decimal("300000.00")
    assert security.is_ceiling
    assert "第五条第一款" in security.source


def test_in_suit_security_follows_the_disputed_objects_value_when_that_is_preserved():
    security = rules.security_amount(
        PreservationKind.IN_SUIT, Decimal("1000000"), disputed_object_value=Decimal("400000")
    )

    assert security.amount == Decimal("120000.00")
    assert "争议标的" in security.explanation


def test_thirty_percent_is_rounded_to_the_fen():
    security = rules.security_amount(PreservationKind.IN_SUIT, Decimal("0.05"))

    assert security.amount == Decimal("0.02")  # 0.015 rounds half up


def test_before_enforcement_without_waiver_takes_the_in_suit_ceiling():
    security = rules.security_amount(PreservationKind.BEFORE_ENFORCEMENT, Decimal("10000"))

    assert security.amount == Decimal("3000.00")


@pytest.mark.parametrize(
    "exemption", [e for e in Exemption if e is not Exemption.BEFORE_ENFORCEMENT]
)
def test_each_article_nine_reason_waives_security_in_suit(exemption):
    security = rules.security_amount(
        PreservationKind.IN_SUIT, Decimal("500000"), exemption=exemption
    )

    assert security.amount == Decimal("0.00")
    assert security.source == rules.EXEMPTION_ARTICLES[exemption]
    assert rules.EXEMPTION_LABELS[exemption] in security.explanation


def test_the_seven_reasons_each_name_their_article():
    assert len(Exemption) == 7
    items = [rules.EXEMPTION_ARTICLES[e] for e in Exemption]
    assert len(set(items)) == 7
    assert rules.EXEMPTION_ARTICLES[Exemption.BEFORE_ENFORCEMENT].endswith("第九条第二款")
    assert rules.EXEMPTION_ARTICLES[Exemption.FINANCIAL_INSTITUTION].endswith("第（六）项")


def test_security_may_be_waived_before_enforcement():
    security = rules.security_amount(
        PreservationKind.BEFORE_ENFORCEMENT,
        Decimal("80000"),
        exemption=Exemption.BEFORE_ENFORCEMENT,
    )

    assert security.amount == Decimal("0.00")
    assert security.source.endswith("第九条第二款")


def test_the_before_enforcement_waiver_is_refused_in_suit():
    with pytest.raises(ValueError, match="第九条第二款"):
        rules.security_amount(
            PreservationKind.IN_SUIT, Decimal("80000"), exemption=Exemption.BEFORE_ENFORCEMENT
        )


@pytest.mark.parametrize("exemption", list(Exemption))
def test_no_exemption_before_suit(exemption):
    with pytest.raises(ValueError, match="诉前财产保全必须提供担保"):
        rules.security_amount(PreservationKind.PRE_SUIT, Decimal("80000"), exemption=exemption)


# --- Court fee -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        (None, "30.00"),  # non-monetary
        ("0.01", "30.00"),
        ("1000", "30.00"),  # top of the flat bracket
        ("1001", "30.01"),  # 1% from the first yuan above 1,000
        ("50000", "520.00"),
        ("100000", "1020.00"),  # top of the 1% bracket
        ("100100", "1020.50"),  # 0.5% above 100,000
        ("200000", "1520.00"),
        ("895998", "4999.99"),
        ("895999", "5000.00"),  # 4,999.995 rounds half up to the cap
        ("896000", "5000.00"),  # the cap is reached here
        ("896001", "5000.00"),
        ("190000000", "5000.00"),
    ],
)
def test_court_fee_at_each_bracket_and_the_cap(amount, fee):
    assert rules.court_fee(None if amount is None else Decimal(amount)) == Decimal(fee)


# --- Premium -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("insured", "premium"),
    [
        ("100000", "500.00"),  # 100 by rate: the minimum applies
        ("500000", "500.00"),  # the rate reaches the minimum exactly
        ("500001", "500.00"),  # 500.001 rounds to the fen
        ("1000000", "1000.00"),
        ("190000000", "190000.00"),
    ],
)
def test_premium_is_the_larger_of_minimum_and_rate(insured, premium):
    assert rules.premium(Decimal(insured), Decimal("0.001"), Decimal("500")) == Decimal(premium)


# --- The letter ----------------------------------------------------------------------------


def complete_letter(**changes) -> rules.Letter:
    values = {
        "applicant": rules.LetterParty("盘锦兴隆物流有限公司", CREDIT_CODE, PartyKind.ORGANISATION),
        "respondent": rules.LetterParty("蒋胜", OTHER_PERSON_ID, PartyKind.PERSON),
        "guaranteed_amount": Decimal("300000.00"),
        "irrevocable": True,
        "compensation_undertaking": True,
    }
    values.update(changes)
    return rules.Letter(**values)


def check(letter: rules.Letter) -> list[rules.LetterProblem]:
    return rules.check_letter(
        letter,
        security_required=Decimal("300000.00"),
        applicant_id_number=CREDIT_CODE,
        respondent_id_number=OTHER_PERSON_ID,
    )


def test_a_complete_letter_has_no_problem():
    assert check(complete_letter()) == []


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"applicant": None}, "applicant.name", "申请保全人的名称或姓名"),
        (
            {"applicant": rules.LetterParty(" ", CREDIT_CODE, PartyKind.ORGANISATION)},
            "applicant.name",
            "申请保全人的名称或姓名",
        ),
        (
            {"applicant": rules.LetterParty("盘锦兴隆物流有限公司", "", PartyKind.ORGANISATION)},
            "applicant.id_number",
            "申请保全人的身份证号码或统一社会信用代码",
        ),
        (
            {
                "applicant": rules.LetterParty(
                    "盘锦兴隆物流有限公司", "91211104G3F6W6RC1B", PartyKind.ORGANISATION
                )
            },
            "applicant.id_number",
            "校验位",
        ),
        ({"respondent": None}, "respondent.name", "被保全人的名称或姓名"),
        (
            {"respondent": rules.LetterParty("蒋胜", "", PartyKind.PERSON)},
            "respondent.id_number",
            "被保全人的身份证号码",
        ),
        (
            {"respondent": rules.LetterParty("蒋胜", "211103199201139461", PartyKind.PERSON)},
            "respondent.id_number",
            "被保全人的证件号码有误",
        ),
        (
            {"respondent": rules.LetterParty("侯平华", PERSON_ID, PartyKind.PERSON)},
            "respondent.id_number",
            "与保全申请不一致",
        ),
        ({"guaranteed_amount": None}, "guaranteed_amount", "缺少担保金额"),
        ({"guaranteed_amount": Decimal("0")}, "guaranteed_amount", "缺少担保金额"),
        ({"guaranteed_amount": Decimal("299999.99")}, "guaranteed_amount", "低于应提供的担保数额"),
        ({"irrevocable": False}, "irrevocable", "不可撤销"),
        ({"compensation_undertaking": False}, "compensation_undertaking", "担保金额范围内赔偿"),
    ],
)
def test_a_letter_lacking_an_item_is_refused_naming_it(changes, field, words):
    problems = check(complete_letter(**changes))

    assert [problem.field for problem in problems] == [field]
    assert words in problems[0].message


def test_a_letter_above_the_security_is_fine():
    assert check(complete_letter(guaranteed_amount=Decimal("1000000.00"))) == []


# --- Deadlines -----------------------------------------------------------------------------


def test_five_day_ruling_rolls_over_the_national_day_holiday():
    # accepted 2025-09-28 (a 调休 working Sunday): day 5 is 10-03, a holiday; 10-09 is the
    # first working day after the holiday week
    start = datetime(2025, 9, 28, 15, 30, tzinfo=COURT_TIMEZONE)
    due = rules.ruling_due(start, PreservationKind.IN_SUIT, urgent=False)

    assert due.due == date(2025, 10, 9)
    assert due.rolled_over_from == date(2025, 10, 3)


def test_five_day_ruling_on_a_working_day_is_not_moved():
    start = datetime(2025, 8, 29, 9, 0, tzinfo=COURT_TIMEZONE)
    due = rules.ruling_due(start, PreservationKind.IN_SUIT, urgent=False)

    assert due.due == date(2025, 9, 3)
    assert due.rolled_over_from is None


@pytest.mark.parametrize(
    ("kind", "urgent"),
    [(PreservationKind.PRE_SUIT, False), (PreservationKind.IN_SUIT, True)],
)
def test_forty_eight_hours_run_through_a_holiday(kind, urgent):
    # hours are never rolled over: the court rules on 10-02 although it is a holiday
    start = datetime(2025, 9, 30, 10, 20, tzinfo=COURT_TIMEZONE)
    due = rules.ruling_due(start, kind, urgent)

    assert due.due == datetime(2025, 10, 2, 11, 0, tzinfo=COURT_TIMEZONE)
    assert rules.ruling_source(kind, urgent) == rules.SOURCE_URGENT


def test_pre_suit_window_to_sue_is_thirty_days_with_roll_over():
    # 2025-09-03 + 30 days = 10-03, a holiday → 10-09
    assert rules.suit_due(date(2025, 9, 3)).due == date(2025, 10, 9)
    assert rules.suit_due(date(2025, 3, 3)).due == date(2025, 4, 2)


@pytest.mark.parametrize(
    ("kind", "expires"),
    [
        (PropertyKind.DEPOSIT, date(2026, 3, 10)),
        (PropertyKind.MOVABLE, date(2027, 3, 10)),
        (PropertyKind.REAL_ESTATE, date(2028, 3, 10)),
    ],
)
def test_measure_expiry_by_kind_of_property(kind, expires):
    assert rules.measure_expires(date(2025, 3, 10), kind).due == expires


def test_renewal_alert_from_seven_days_before_expiry_until_expiry():
    expires = date(2026, 3, 10)

    assert rules.renewal_alert_on(expires) == date(2026, 3, 3)
    assert not rules.renewal_alert(expires, date(2026, 3, 2))
    assert rules.renewal_alert(expires, date(2026, 3, 3))
    assert rules.renewal_alert(expires, date(2026, 3, 10))
    assert not rules.renewal_alert(expires, date(2026, 3, 11))
    assert not rules.renewal_alert(None, date(2026, 3, 10))


def test_liability_tail_is_three_years_from_the_end_of_the_preservation():
    assert rules.liability_ends(date(2025, 6, 16)).due == date(2028, 6, 16)
