"""Identity numbers of parties: resident identity numbers and unified social credit codes.

GB 11643-1999 (公民身份号码) and GB 32100-2015 (统一社会信用代码), as summarised in DOMAIN.md
E2 and E3. Only the check characters come from python-stdnum; format and birth date are
checked here, because stdnum's own validators refuse valid numbers (see each function).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from stdnum.cn import ric, uscc

from relief.cases.models import PartyKind
from relief.core import clock

# GB 11643: 17 digits and a check character; ASCII digits only (Python's \d would also take
# full-width and other scripts' digits, and int() would read them).
_PERSON_ID = re.compile(r"[0-9]{17}[0-9X]")
# The legacy 15-digit number (issued before 1999): address, YYMMDD, sequence, no check.
_LEGACY_PERSON_ID = re.compile(r"[0-9]{15}")

# DOMAIN.md E3: two symbols, a six-digit area code, ten symbols, where the GB 32100 symbols
# are the digits and the capitals without I, O, S, V and Z.
_CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
_FORBIDDEN_LETTERS = "IOSVZ"

# Nobody born before this year still appears as a party; an earlier date is a typo.
_EARLIEST_BIRTH_YEAR = 1900

# What a spreadsheet or an input method leaves in a number: spaces of any kind, and the
# invisible zero-width space and byte-order mark.
_NOISE = re.compile(r"[\s\u200b\ufeff]+")


class InvalidIdentity(ValueError):
    """An identity number that fails its standard; the message says why, in Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _compact(value: str) -> str:
    """Fold full-width input to ASCII, drop spaces anywhere and upper-case the letters."""
    text = unicodedata.normalize("NFKC", value or "")
    return _NOISE.sub("", text).upper()


def validate_person_id(value: str, *, today: date | None = None) -> str:
    """Return a resident identity number (GB 11643) in its stored form, or raise.

    The stored form has 18 characters with an upper-case ``X``. A legacy 15-digit number is
    upgraded to 18 as DOMAIN.md E2 describes: "19" is inserted before the two-digit birth
    year and the check character is computed. The check character must match, and the birth
    date must be a real date between 1900 and today. The address code is not checked, so
    the 2023 permanent-residence number of foreigners (starting with 9) passes too.

    stdnum's ``cn.ric.validate`` is not used: it also requires the birth-place code to have
    existed at the birth date, and Panjin's codes (2111..) date from 1984, so it refuses
    every Panjin resident born earlier. Only its check-character computation is used.

    Raises InvalidIdentity with the reason in Chinese.
    """
    number = _compact(value)
    if not number:
        raise InvalidIdentity("公民身份号码不能为空。")

    if _LEGACY_PERSON_ID.fullmatch(number):
        # A 15-digit number has no check character: the upgraded one gets a correct one.
        body = number[:6] + "19" + number[6:]
        _check_birth_date(body, today)
        return body + ric.calc_check_digit(body + "0")

    if len(number) != 18:
        raise InvalidIdentity(f"公民身份号码应为18位（旧版为15位），现为{len(number)}位。")
    if not _PERSON_ID.fullmatch(number):
        raise InvalidIdentity("公民身份号码前17位应为数字，最后一位为数字或X。")

    # calc_check_digit reads the number with its check character and ignores the last one.
    expected = ric.calc_check_digit(number)
    if number[-1] != expected:
        raise InvalidIdentity("公民身份号码校验位不正确，请核对号码。")

    _check_birth_date(number, today)
    return number


def _check_birth_date(number: str, today: date | None) -> None:
    """Refuse an 18-character body whose positions 7 to 14 are not a plausible birth date."""
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentity(f"公民身份号码中的出生日期{number[6:14]}不是有效日期。") from None

    if born > (today or clock.today()):
        raise InvalidIdentity("公民身份号码中的出生日期晚于今天。")
    if born.year < _EARLIEST_BIRTH_YEAR:
        raise InvalidIdentity("公民身份号码中的出生年份早于1900年，请核对号码。")


def validate_credit_code(value: str) -> str:
    """Return a unified social credit code (GB 32100) in upper case, or raise.

    Only the format and the check character are validated; unknown registration-authority
    and entity-type codes (positions 1 and 2) are accepted, as DOMAIN.md E3 advises.

    stdnum's ``cn.uscc.validate`` is not used: it requires positions 1 and 2 to be digits,
    so it refuses codes of the authorities A, N and Y (e.g. farmers' collectives registered
    by the agriculture authority). Its check-character computation is right and used here.

    Raises InvalidIdentity with the reason in Chinese.
    """
    code = _compact(value)
    if not code:
        raise InvalidIdentity("统一社会信用代码不能为空。")
    if len(code) != 18:
        raise InvalidIdentity(f"统一社会信用代码应为18位，现为{len(code)}位。")

    forbidden = sorted({ch for ch in code if ch in _FORBIDDEN_LETTERS})
    if forbidden:
        raise InvalidIdentity(
            f"统一社会信用代码不使用字母{'、'.join(forbidden)}（I、O、S、V、Z均不使用）。"
        )
    if not _CREDIT_CODE.fullmatch(code):
        raise InvalidIdentity(
            "统一社会信用代码格式不正确：第3至8位应为数字，其余为数字或大写字母。"
        )

    if code[-1] != uscc.calc_check_digit(code):
        raise InvalidIdentity("统一社会信用代码校验位不正确，请核对代码。")
    return code


def validate_party_id(value: str, kind: PartyKind, *, today: date | None = None) -> str:
    """Validate a party's identity number by the standard its kind uses; see above."""
    if PartyKind(kind) == PartyKind.PERSON:
        return validate_person_id(value, today=today)
    return validate_credit_code(value)


def looks_like_credit_code(value: str) -> bool:
    """Whether a value has the shape of a credit code, its check character aside."""
    return _CREDIT_CODE.fullmatch(_compact(value)) is not None


def looks_like_person_id(value: str) -> bool:
    """Whether a value has the shape of an 18-character identity number, check aside."""
    return _PERSON_ID.fullmatch(_compact(value)) is not None


def mask(value: str | None) -> str:
    """Hide the middle of an identity number: ``2111**********3165``.

    Full numbers keep their first and last four characters. Shorter values keep less, so
    that at most half of any value shows; four characters or fewer are hidden entirely.
    """
    text = (value or "").strip()
    length = len(text)
    if length <= 4:
        return "*" * length

    kept = min(4, length // 4)
    return text[:kept] + "*" * (length - 2 * kept) + text[-kept:]
