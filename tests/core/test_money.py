"""Amounts: rounding to fen, user input, figures and PBOC capitals (DOMAIN.md E5)."""

from decimal import Decimal

import pytest

from relief.core.money import format_yuan, in_capitals, parse_amount, quantize_yuan, to_fen


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        # Every example of the PBOC annex quoted in DOMAIN.md E5.
        ("1409.50", "人民币壹仟肆佰零玖元伍角"),  # rule 1; no 整 after 角, as the PBOC writes it
        ("6007.14", "人民币陆仟零柒元壹角肆分"),  # rule 2: one 零 for a run of zeros
        ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),  # rule 3: the canonical form has the 零
        ("107000.53", "人民币壹拾万柒仟元零伍角叁分"),  # rule 3: exactly one 零, at the last run
        ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),  # rule 4: 角 zero, 分 not
        ("325.04", "人民币叁佰贰拾伍元零肆分"),  # rule 4
        ("10", "人民币壹拾元整"),  # leading 壹拾
        ("100000", "人民币壹拾万元整"),
        # 元 position zero and 角 not: the optional 零 of rule 3, which cn2an leaves out.
        ("1000010.50", "人民币壹佰万零壹拾元零伍角"),
        ("50000", "人民币伍万元整"),  # the Panjin relief example
    ],
)
def test_pboc_examples(amount, capitals):
    assert in_capitals(Decimal(amount)) == capitals


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        (0, "人民币零元整"),
        ("0.01", "人民币壹分"),
        ("0.10", "人民币壹角"),
        ("0.50", "人民币伍角"),
        ("0.05", "人民币伍分"),
        ("0.15", "人民币壹角伍分"),
        ("10.05", "人民币壹拾元零伍分"),  # one 零 for the 元 and 角 zeros together
        ("100000.53", "人民币壹拾万元零伍角叁分"),
        ("107001", "人民币壹拾万柒仟零壹元整"),
        # A whole 万 group of zeros before a 仟 digit: no 零, which rule 3 allows (a choice).
        (100007000, "人民币壹亿柒仟元整"),
        ("15", "人民币壹拾伍元整"),
        (100000000, "人民币壹亿元整"),
        (1000000000000, "人民币壹万亿元整"),
        ("1234567890123.45", "人民币壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分"),
    ],
)
def test_capitals_edges(amount, capitals):
    assert in_capitals(amount) == capitals


def test_capitals_round_to_fen_half_up():
    # cn2an alone truncates 1.005 to 壹元整; the amount must be rounded to fen first.
    assert in_capitals("1.005") == "人民币壹元零壹分"


def test_capitals_refuse_negative_and_huge_amounts():
    with pytest.raises(ValueError, match="zero or more"):
        in_capitals("-1")
    with pytest.raises(ValueError, match="too large"):
        in_capitals(10**16)


@pytest.mark.parametrize("function", [to_fen, quantize_yuan, in_capitals, format_yuan])
def test_floats_are_not_money(function):
    with pytest.raises(TypeError, match="float"):
        function(0.1)


def test_bool_is_not_money():
    with pytest.raises(TypeError):
        to_fen(True)


@pytest.mark.parametrize(
    ("amount", "yuan"),
    [
        ("1.005", Decimal("1.01")),  # ROUND_HALF_UP, not banker's rounding
        ("2.675", Decimal("2.68")),  # the classic float trap: 2.675 is 2.67499… as a float
        (Decimal("0.125"), Decimal("0.13")),
        ("-1.005", Decimal("-1.01")),  # half away from zero
        (7, Decimal("7.00")),
        (" 459,260.64 ", Decimal("459260.64")),
        ("1,000,010.5", Decimal("1000010.50")),
    ],
)
def test_quantize_yuan(amount, yuan):
    assert quantize_yuan(amount) == yuan
    assert str(quantize_yuan(amount)) == str(yuan)


def test_to_fen():
    assert to_fen("459,260.64") == 45926064
    assert to_fen(Decimal("1.005")) == 101
    assert to_fen(50000) == 5000000
    assert to_fen("0") == 0
    assert to_fen("-0.01") == -1


@pytest.mark.parametrize(
    "text", ["", "  ", "abc", "1,23", "12,34.5", "1e5", "NaN", "1.2.3", "¥", "五万"]
)
def test_garbage_is_refused(text):
    with pytest.raises(ValueError, match="not an amount"):
        to_fen(text)


def test_non_finite_decimal_is_refused():
    with pytest.raises(ValueError):
        to_fen(Decimal("Infinity"))


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("50000", Decimal("50000.00")),
        ("459,260.64", Decimal("459260.64")),
        (" 1409.5 ", Decimal("1409.50")),
        ("¥50,000.00", Decimal("50000.00")),  # what format_yuan prints reads back
        ("４５９，２６０．６４", Decimal("459260.64")),  # typed with a full-width input method
        ("￥0.01", Decimal("0.01")),
    ],
)
def test_parse_amount(text, yuan):
    assert parse_amount(text) == yuan
    assert str(parse_amount(text)) == str(yuan)


@pytest.mark.parametrize("text", ["1.005", "1.500", "459,260.640"])
def test_parse_amount_refuses_a_third_decimal(text):
    with pytest.raises(ValueError, match="two decimals"):
        parse_amount(text)


def test_parse_amount_refuses_negative():
    with pytest.raises(ValueError, match="negative"):
        parse_amount("-5")


@pytest.mark.parametrize(
    ("amount", "figures"),
    [
        (50000, "¥50,000.00"),
        ("459260.64", "¥459,260.64"),
        ("0.5", "¥0.50"),
        ("1.005", "¥1.01"),
        (Decimal("1000000000000"), "¥1,000,000,000,000.00"),
        ("-1234.5", "-¥1,234.50"),
    ],
)
def test_format_yuan(amount, figures):
    assert format_yuan(amount) == figures
