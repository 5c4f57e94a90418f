"""Case numbers (案号): normalising input and splitting court and type (DOMAIN.md E4)."""

import csv
from datetime import date
from pathlib import Path

import pytest

from relief.core.case_numbers import (
    PANJIN_COURT_CODES,
    TYPE_CODES,
    CaseNumber,
    InvalidCaseNumber,
    normalise_case_number,
    parse_case_number,
)

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("typed", "official"),
    [
        ("（2024）辽11执123号", "（2024）辽11执123号"),
        ("(2024)辽11执123号", "（2024）辽11执123号"),  # half-width brackets
        (" (2023)辽1103执恢71号\u3000", "（2023）辽1103执恢71号"),  # spaces around
        ("（2024） 辽1122 执 210 号", "（2024）辽1122执210号"),  # spaces inside
        ("（２０２４）辽１１执１２３号", "（2024）辽11执123号"),  # full-width digits
    ],
)
def test_normalise(typed, official):
    assert normalise_case_number(typed, today=TODAY) == official


def test_old_format_without_hao_is_refused_with_its_reason():
    with pytest.raises(InvalidCaseNumber) as refused:
        normalise_case_number("（2024）辽1122执字第210", today=TODAY)
    assert "旧格式" in refused.value.reason
    assert "（2024）辽1122执210号" in refused.value.reason  # the form expected


def test_missing_hao_is_refused():
    with pytest.raises(InvalidCaseNumber, match="应以“号”结尾"):
        normalise_case_number("（2024）辽1122执210", today=TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024辽11执123号",  # no brackets
        "（24）辽11执123号",  # two-digit year
        "（2024）辽11执号",  # no number
        "（2024）11执123号",  # no court
        "（2024）辽11123号",  # no type code
        "（2024）辽112233执1号",  # too many court digits
        "（2024）辽11执行案件123号",  # type code longer than three characters
    ],
)
def test_malformed_numbers_are_refused(text):
    with pytest.raises(InvalidCaseNumber):
        normalise_case_number(text, today=TODAY)


@pytest.mark.parametrize(
    ("year", "valid"), [(1989, False), (1990, True), (2027, True), (2028, False)]
)
def test_year_must_be_sane(year, valid):
    text = f"（{year}）辽11执1号"
    if valid:
        assert normalise_case_number(text, today=TODAY) == text
    else:
        with pytest.raises(InvalidCaseNumber, match="年度"):
            normalise_case_number(text, today=TODAY)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("（2024）辽11执123号", (2024, "辽11", "执", 123)),
        ("（2023）辽1103执恢71号", (2023, "辽1103", "执恢", 71)),
        ("(2022)辽1104执保5号", (2022, "辽1104", "执保", 5)),
        ("（2021）辽1121执异9号", (2021, "辽1121", "执异", 9)),
        ("（2024）辽1122司救执3号", (2024, "辽1122", "司救执", 3)),
        ("（2023）辽1122民初7464号", (2023, "辽1122", "民初", 7464)),
        ("（2024）辽1102财保12号", (2024, "辽1102", "财保", 12)),
        ("（2023）辽01民终88号", (2023, "辽01", "民终", 88)),  # a court outside Panjin
        ("（2024）辽执复4号", (2024, "辽", "执复", 4)),  # the high court: no digits
        ("（2024）最高法执监10号", (2024, "最高法", "执监", 10)),
        ("（2022）辽1102刑初524号", (2022, "辽1102", "刑初", 524)),  # a 执行依据 in the export
    ],
)
def test_parse_splits_court_and_type(text, parts):
    parsed = parse_case_number(text, today=TODAY)
    assert parsed == CaseNumber(*parts)
    assert str(parsed) == normalise_case_number(text, today=TODAY)


def test_unknown_type_code_is_refused():
    with pytest.raises(InvalidCaseNumber, match="类型代字“刑执”"):
        parse_case_number("（2024）辽1103刑执5号", today=TODAY)


def test_every_panjin_court_code_parses():
    for code in PANJIN_COURT_CODES:
        assert parse_case_number(f"（2024）{code}执1号", today=TODAY).court_code == code


def test_type_codes_are_at_most_three_characters():
    assert all(1 <= len(code) <= 3 for code in TYPE_CODES)


def test_sample_numbers_parse_except_the_old_format_one():
    export = Path(__file__).resolve().parents[1] / "data" / "panjin-enforcement-cases.csv"
    refused = []
    with export.open(encoding="utf-8-sig", newline="") as rows:
        for line, row in enumerate(csv.DictReader(rows), start=2):
            try:
                parse_case_number(row["案号"], today=TODAY)
                parse_case_number(row["执行依据"], today=TODAY)
            except InvalidCaseNumber:
                refused.append(line)
    assert refused == [226]
