"""Identity numbers of parties: GB 11643 and GB 32100 (DOMAIN.md E2 and E3), and masking."""

import csv
from datetime import date
from pathlib import Path

import pytest

from relief.cases.models import PartyKind
from relief.core.identity import (
    InvalidIdentity,
    mask,
    validate_credit_code,
    validate_party_id,
    validate_person_id,
)

SAMPLE_EXPORT = Path(__file__).resolve().parents[1] / "data" / "panjin-enforcement-cases.csv"
TODAY = date(2026, 12, 3)


# --- Resident identity numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "211103196907273165",  # from the court's export
        "21110319920113946X",  # check character X
        "11010519491231002X",  # Beijing, born 1949
    ],
)
def test_valid_person_ids_are_returned_as_stored(number):
    assert validate_person_id(number, today=TODAY) == number


def test_lower_case_x_is_accepted_and_upper_cased():
    assert validate_person_id("21110319920113946x", today=TODAY) == "21110319920113946X"


def test_spaces_and_full_width_digits_are_folded():
    assert validate_person_id(" 211103 19690727 3165\u3000", today=TODAY) == "211103196907273165"
    assert validate_person_id("２１１１０３１９６９０７２７３１６５", today=TODAY) == (
        "211103196907273165"
    )


@pytest.mark.parametrize(
    "wrong", ["211103196907273166", "211103196907273160", "21110319920113946Y"]
)
def test_wrong_check_character_is_refused(wrong):
    with pytest.raises(InvalidIdentity, match=r"校验位|最后一位"):
        validate_person_id(wrong, today=TODAY)


def test_born_1950_in_panjin_is_accepted():
    # stdnum's own validator refuses this one: Panjin's area codes date from 1984.
    assert validate_person_id("211103195007206747", today=TODAY) == "211103195007206747"


def test_impossible_birth_date_is_refused():
    # the check character is right; 1999-02-30 does not exist
    with pytest.raises(InvalidIdentity, match="19990230不是有效日期"):
        validate_person_id("211103199902300017", today=TODAY)


def test_future_birth_date_is_refused():
    with pytest.raises(InvalidIdentity, match="晚于今天"):
        validate_person_id("211103209901010014", today=TODAY)


def test_birth_before_1900_is_refused():
    assert validate_person_id("211103190001010011", today=TODAY)
    with pytest.raises(InvalidIdentity, match="1900"):
        validate_person_id("211103189912310017", today=TODAY)


def test_legacy_15_digit_number_is_upgraded_to_18():
    # 19 inserted before the birth year, check character computed (DOMAIN.md E2)
    assert validate_person_id("211103690727316", today=TODAY) == "211103196907273165"


def test_legacy_number_with_impossible_date_is_refused():
    with pytest.raises(InvalidIdentity, match="不是有效日期"):
        validate_person_id("211103990230001", today=TODAY)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "不能为空"),
        ("21110319690727316", "18位"),
        ("2111031969072731655", "18位"),
        ("21110319690727X165", "前17位应为数字"),
        ("91211102U8UGAQYJ4B", "前17位应为数字"),
    ],
)
def test_malformed_person_ids_are_refused(value, reason):
    with pytest.raises(InvalidIdentity, match=reason):
        validate_person_id(value, today=TODAY)


def test_signs_and_underscores_do_not_sneak_through_int():
    # int() would read "+" and "_"; the format check comes first
    with pytest.raises(InvalidIdentity):
        validate_person_id("+1110319690727316", today=TODAY)
    with pytest.raises(InvalidIdentity):
        validate_person_id("2_1103196907273165", today=TODAY)


# --- Unified social credit codes ----------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "91211102U8UGAQYJ4B",  # from the court's export
        "91110000600037341L",  # python-stdnum's documented example
        "91211104G3F6W6RC1A",  # from the export
    ],
)
def test_valid_credit_codes(code):
    assert validate_credit_code(code) == code


def test_lower_case_credit_code_is_upper_cased():
    assert validate_credit_code("91211102u8ugaqyj4b") == "91211102U8UGAQYJ4B"


def test_worked_example_of_the_standard_is_invalid():
    # DOMAIN.md E3: S = 1640, 1640 mod 31 = 28, check = 3, not Z
    with pytest.raises(InvalidIdentity, match="字母Z"):
        validate_credit_code("91350100M000100Y4Z")
    with pytest.raises(InvalidIdentity, match="校验位"):
        validate_credit_code("91350100M000100Y44")


def test_worked_example_with_its_right_check_character_is_valid():
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_outside_the_alphabet_are_refused(letter):
    code = "91211102U8UGAQYJ4B"
    with pytest.raises(InvalidIdentity, match=f"字母{letter}"):
        validate_credit_code(code[:10] + letter + code[11:])


def test_letter_in_the_area_code_is_refused():
    with pytest.raises(InvalidIdentity, match="第3至8位应为数字"):
        validate_credit_code("912111A2U8UGAQYJ4B")


@pytest.mark.parametrize("code", ["N2211103MA00000AB1", "Y1211100MB1234567X"])
def test_letter_authorities_are_accepted(code):
    # stdnum.cn.uscc.validate refuses these (it wants digits in positions 1 and 2), but
    # GB 32100 has the authorities N (agriculture) and Y (other): only the checksum decides.
    assert validate_credit_code(code) == code


def test_wrong_length_credit_code_is_refused():
    with pytest.raises(InvalidIdentity, match="18位"):
        validate_credit_code("91211102U8UGAQYJ4")


def test_every_credit_code_of_the_sample_export_but_one_is_valid():
    invalid = []
    with SAMPLE_EXPORT.open(encoding="utf-8-sig", newline="") as export:
        for line, row in enumerate(csv.DictReader(export), start=2):
            for role in ("申请执行人", "被执行人"):
                if row[f"{role}类型"] == "法人":
                    try:
                        validate_credit_code(row[f"{role}证件号码"])
                    except InvalidIdentity:
                        invalid.append(line)
    # line 301 lists a credit code for a 自然人; the only codes under 法人 are all valid
    assert invalid == []


def test_every_person_id_of_the_sample_export_is_valid_except_line_301():
    invalid = []
    with SAMPLE_EXPORT.open(encoding="utf-8-sig", newline="") as export:
        for line, row in enumerate(csv.DictReader(export), start=2):
            for role in ("申请执行人", "被执行人"):
                if row[f"{role}类型"] == "自然人":
                    try:
                        validate_person_id(row[f"{role}证件号码"], today=TODAY)
                    except InvalidIdentity:
                        invalid.append(line)
    assert invalid == [301]


# --- Dispatch and masking -----------------------------------------------------------------


def test_party_id_is_validated_by_the_kind_of_party():
    assert validate_party_id("211103196907273165", PartyKind.PERSON, today=TODAY)
    assert validate_party_id("91211102U8UGAQYJ4B", PartyKind.ORGANISATION)
    with pytest.raises(InvalidIdentity):
        validate_party_id("91211102U8UGAQYJ4B", PartyKind.PERSON, today=TODAY)
    with pytest.raises(InvalidIdentity):
        validate_party_id("211103196907273165", PartyKind.ORGANISATION)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("211103196907273165", "2111**********3165"),
        ("91211102U8UGAQYJ4B", "9121**********YJ4B"),
        ("211103690727316", "211*********316"),
        ("12345678", "12****78"),
        ("12345", "1***5"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_keeps_at_most_half_and_four_at_each_end(value, masked):
    assert mask(value) == masked
