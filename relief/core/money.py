"""Amounts of money: parsing, rounding to fen, figures and PBOC capitals for documents.

Money is a Decimal in yuan at the edges (forms, documents) and an int in fen inside
calculations. A float is never money: it cannot hold 0.10 exactly, so every function here
refuses one with TypeError.
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an

FEN = Decimal("0.01")

# The largest amount the capitals support: 9999万亿 plus change, i.e. 16 integer digits. This is
# also the most cn2an accepts, and far above any court amount.
MAX_YUAN = 10**16 - 1

CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"

# Digits with optional, correctly placed thousand separators, and an optional fraction.
_AMOUNT_TEXT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[+-]?\.\d+")

Amount = Decimal | int | str


def _to_decimal(amount: Amount) -> Decimal:
    """Turn an accepted amount into an exact, finite Decimal, refusing floats."""
    # bool is an int subclass; True yuan is a bug in the caller, not an amount.
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
        raise TypeError(
            f"an amount must be a Decimal, int or str, not {type(amount).__name__}"
            " (money is never a float)"
        )

    if isinstance(amount, int):
        return Decimal(amount)

    if isinstance(amount, Decimal):
        if not amount.is_finite():
            raise ValueError(f"not an amount: {amount}")
        return amount

    # NFKC folds what a Chinese input method types (full-width digits, "，" "．" "￥") into
    # ASCII, so "４５９，２６０．６４" parses like "459,260.64".
    text = unicodedata.normalize("NFKC", amount).strip()
    text = text.removeprefix("¥").strip()
    if not _AMOUNT_TEXT.fullmatch(text):
        raise ValueError(f"not an amount: {amount!r}")
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {amount!r}") from exc


def quantize_yuan(amount: Amount) -> Decimal:
    """Round an amount to whole fen (half up, as on a bank slip), in yuan."""
    try:
        return _to_decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        # Quantizing fails only when the result needs more than the context's 28 digits.
        raise ValueError(f"amount too large: {amount!r}") from exc


def to_fen(amount: Amount) -> int:
    """Round an amount to whole fen (half up) and return the number of fen."""
    return int(quantize_yuan(amount) * 100)


def parse_amount(text: Amount) -> Decimal:
    """Read an amount typed by a user: not negative, at most two decimals, in yuan."""
    value = _to_decimal(text)

    if value < 0:
        raise ValueError(f"an amount cannot be negative: {text!r}")

    # A third decimal in a court amount is a typo, or "1.500" meant as one thousand five
    # hundred in a European habit: refuse it rather than guess, even when it is a zero.
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValueError(f"an amount has at most two decimals (yuan, 角, 分): {text!r}")

    return value.quantize(FEN)


def format_yuan(amount: Amount) -> str:
    """Write an amount in figures for a document, e.g. "¥50,000.00"."""
    value = quantize_yuan(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"


def in_capitals(amount: Amount) -> str:
    """Write an amount in PBOC financial capitals with the 人民币 prefix."""
    fen = to_fen(amount)

    if fen < 0:
        raise ValueError(f"capitals are only written for amounts of zero or more: {amount!r}")
    if fen == 0:
        return "人民币零元整"

    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    if yuan > MAX_YUAN:
        raise ValueError(f"amount too large for capitals (at most 万亿): {amount!r}")
    words = ["人民币"]

    # The integer part comes from cn2an in "up" mode (its "rmb" mode would cut digits past
    # the fen and writes the tail below differently). It follows the PBOC rules there: 壹拾
    # for a leading ten, one 零 for a run of zeros, and no 零 where the 万 (or 亿) position
    # is zero and the 仟 digit after it is not: 107000 -> 壹拾万柒仟, as in the PBOC's own
    # example. It does the same when a whole 万 group is zero (100007000 -> 壹亿柒仟), which
    # rule 3 also allows; we keep it rather than write a 零 the PBOC calls optional.
    if yuan:
        words.append(cn2an.an2cn(yuan, "up") + "元")

    # The tail is ours. cn2an drops the 零 where the 元 position is zero and 角 is not
    # (1680.32 -> 壹仟陆佰捌拾元叁角贰分, 107000.53 -> 壹拾万柒仟元伍角叁分). The second is
    # not one of the two forms the PBOC lists, so we write one 零 there, at the last run of
    # zeros, as DOMAIN.md E5 asks (壹拾万柒仟元零伍角叁分). Where 角 is zero and 分 is not,
    # the 零 is required and cn2an already writes it; we do the same.
    if yuan and cents == 0:
        words.append("整")
    elif yuan and (yuan % 10 == 0 or jiao == 0):
        words.append("零")

    # Below one yuan there is nothing before the 角 or 分 to separate: 0.05 -> 伍分.
    if jiao:
        words.append(CAPITAL_DIGITS[jiao] + "角")
    if fen_digit:
        words.append(CAPITAL_DIGITS[fen_digit] + "分")

    # After 角 the 整 is optional; the PBOC's own example (¥1,409.50) has none, so neither do we.
    return "".join(words)
