"""Court case numbers (案号): normalising what people type and splitting the parts.

The format is the SPC's 《关于人民法院案件案号的若干规定》 (2015, in force 2016-01-01), as
summarised in DOMAIN.md E4: ``（收案年度）法院代字 类型代字 案件编号 号``, for example
``（2024）辽11执123号``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import NamedTuple

from relief.core import clock

#: Court codes of the Panjin courts. Source: DOMAIN.md E4, derived from the coding rule
#: (high-court code 辽 + administrative-division digits; Panjin is 211100) [M]. 辽1121 is the
#: legacy code of the 大洼 court, kept because codes change only when the court itself does.
PANJIN_COURT_CODES: dict[str, str] = {
    "辽11": "盘锦市中级人民法院",
    "辽1102": "双台子区人民法院",
    "辽1103": "兴隆台区人民法院",
    "辽1104": "大洼区人民法院",
    "辽1121": "大洼区人民法院（旧代字）",
    "辽1122": "盘山县人民法院",
}

#: Case-type codes (类型代字) this application meets. Source: DOMAIN.md E4, from the SPC's
#: 案件类型代字标准 [H]. The standard has many more; add them here as they turn up.
TYPE_CODES: dict[str, str] = {
    "执": "首次执行",
    "执恢": "恢复执行",
    "执保": "财产保全执行",
    "执异": "执行异议",
    "执复": "执行复议",
    "执监": "执行监督",
    "执协": "执行协调",
    "执他": "其他执行",
    "财保": "非诉财产保全审查",
    "行保": "非诉行为保全审查",
    "证保": "非诉证据保全审查",
    "司救执": "执行司法救助",
    "司救民": "民事司法救助",
    "司救刑": "刑事司法救助",
    "司救行": "行政司法救助",
    "司救赔": "国家赔偿司法救助",
    "司救访": "涉诉信访司法救助",
    "司救他": "其他司法救助",
    "民初": "民事一审",
    "民终": "民事二审",
    # Not in E4's table: criminal judgments (their civil part) are enforced too, and the
    # court's export names them as 执行依据, e.g. （2022）辽1102刑初524号. Same standard [M].
    "刑初": "刑事一审",
    "刑终": "刑事二审",
}

#: Type codes of enforcement cases proper (执行实施类), the ones a court's case export lists:
#: first enforcement, resumed enforcement and enforcement of a preservation ruling (E4).
ENFORCEMENT_TYPE_CODES = frozenset({"执", "执恢", "执保"})

#: The Supreme People's Court's code, the only court code of three characters (E4).
SUPREME_COURT_CODE = "最高法"

# The first year of the court information systems the exports come from; an earlier year in
# a case number is a typo.
EARLIEST_YEAR = 1990

_CJK = "\u4e00-\u9fa5"
_SPACES = re.compile(r"[\s\u200b\ufeff]+")
# DOMAIN.md E4's pattern, with ASCII digits only: year, court code, type code, number.
_FORMAT = re.compile(
    rf"（([0-9]{{4}})）(最高法|[{_CJK}]{{1,2}}[0-9]{{0,4}})([{_CJK}]{{1,3}}?)([0-9]+)号"
)
# The same text split where the digits are: a court code with digits ends where they end;
# without them, court and type code are one run of characters.
_WITH_COURT_DIGITS = re.compile(rf"（([0-9]{{4}})）([{_CJK}]+[0-9]+)([{_CJK}]+)([0-9]+)号")
_WITHOUT_COURT_DIGITS = re.compile(rf"（([0-9]{{4}})）([{_CJK}]+)([0-9]+)号")


class InvalidCaseNumber(ValueError):
    """A case number that does not follow the SPC format; the message says why, in Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CaseNumber(NamedTuple):
    """A case number split into its parts."""

    year: int
    court_code: str
    type_code: str
    sequence: int

    def __str__(self) -> str:
        return f"（{self.year}）{self.court_code}{self.type_code}{self.sequence}号"


_EXAMPLE = "（2024）辽1122执210号"


def normalise_case_number(text: str, *, today: date | None = None) -> str:
    """Return a case number in its official form, or raise InvalidCaseNumber.

    Surrounding and inner spaces (full-width ones too) are removed, full-width digits become
    ASCII and half-width brackets become the official full-width ones. The result must match
    DOMAIN.md E4's format, with a year from 1990 to next year.
    """
    # NFKC turns full-width digits into ASCII, and also full-width brackets into half-width
    # ones, which the next step turns back.
    folded = unicodedata.normalize("NFKC", text or "")
    number = _SPACES.sub("", folded)
    number = number.replace("(", "（").replace(")", "）")

    if not number:
        raise InvalidCaseNumber("案号不能为空。")

    if "字第" in number:
        raise InvalidCaseNumber(
            f"案号“{number}”是2016年以前的旧格式（“字第”），"
            f"应为（年度）法院代字类型代字序号号，例如{_EXAMPLE}。"
        )
    if not number.endswith("号"):
        raise InvalidCaseNumber(f"案号“{number}”应以“号”结尾，例如{_EXAMPLE}。")

    match = _FORMAT.fullmatch(number)
    if match is None:
        raise InvalidCaseNumber(
            f"案号“{number}”格式不正确，应为（年度）法院代字类型代字序号号，例如{_EXAMPLE}。"
        )

    year = int(match.group(1))
    latest = (today or clock.today()).year + 1
    if not EARLIEST_YEAR <= year <= latest:
        raise InvalidCaseNumber(f"案号中的年度{year}不合理，应在{EARLIEST_YEAR}至{latest}年之间。")
    return number


def parse_case_number(text: str, *, today: date | None = None) -> CaseNumber:
    """Normalise a case number and split it into year, court code, type code and number.

    A court code with digits ends where its digits end. Without digits (the SPC, a high
    court), the known court and type codes decide the split. The type code must be one of
    TYPE_CODES. Raises InvalidCaseNumber with the reason in Chinese.
    """
    number = normalise_case_number(text, today=today)
    match = _WITH_COURT_DIGITS.fullmatch(number)
    if match is not None:
        year, court_code, type_code, sequence = match.groups()
    else:
        # normalise_case_number has matched the E4 pattern, so this one matches too.
        year, letters, sequence = _WITHOUT_COURT_DIGITS.fullmatch(number).groups()
        court_code, type_code = _split_letters(letters)

    if type_code not in TYPE_CODES:
        raise InvalidCaseNumber(f"案号“{number}”中的类型代字“{type_code}”不在已知的代字表中。")
    return CaseNumber(int(year), court_code, type_code, int(sequence))


def _split_letters(letters: str) -> tuple[str, str]:
    """Split a court code without digits from the type code after it."""
    if letters.startswith(SUPREME_COURT_CODE):
        return SUPREME_COURT_CODE, letters.removeprefix(SUPREME_COURT_CODE)

    # A high court's code is its province's one- or two-character abbreviation: take the
    # split that leaves a known type code, the shorter court code first.
    for width in (1, 2):
        if letters[width:] in TYPE_CODES:
            return letters[:width], letters[width:]
    return letters[:1], letters[1:]


def is_panjin_court(code: str) -> bool:
    """Whether a court code is one of the Panjin courts'."""
    return code in PANJIN_COURT_CODES
