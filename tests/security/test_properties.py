"""Properties that must hold for every input, not only the examples we thought of.

Hypothesis generates the inputs: amounts for the capitals, identity numbers, case numbers,
deadlines, and broken files for the case importer.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from relief.cases.importer import FileError, import_cases
from relief.cases.models import EnforcementCase
from relief.core.case_numbers import InvalidCaseNumber, normalise_case_number
from relief.core.deadlines import DEFAULT_CALENDAR, Unit, deadline
from relief.core.identity import InvalidIdentity, validate_person_id
from relief.core.money import in_capitals
from relief.extensions import db
from tests.conftest import SAMPLE_EXPORT

TODAY = date(2026, 6, 1)
DIGITS = "零壹贰叁肆伍陆柒捌玖"
CAPITAL_CHARACTERS = set("人民币" + DIGITS + "拾佰仟万亿元角分整")

# --- Money in capitals ---------------------------------------------------------------------

fen_amounts = st.integers(min_value=0, max_value=10**14 - 1)


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


@given(fen_amounts)
def test_capitals_use_only_the_financial_characters(fen):
    written = in_capitals(yuan(fen))

    assert written.startswith("人民币")
    assert set(written) <= CAPITAL_CHARACTERS
    assert ("分" in written) == (fen % 10 != 0)
    assert ("角" in written) == (fen // 10 % 10 != 0)


@given(fen_amounts, fen_amounts)
def test_different_amounts_are_written_differently(first, second):
    assume(first != second)

    assert in_capitals(yuan(first)) != in_capitals(yuan(second))


@given(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False))
def test_capitals_round_to_the_fen_half_up(amount):
    # cn2an would cut 1.005 to 壹元整; the document must say 壹元零壹分
    rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    assert in_capitals(amount) == in_capitals(rounded)


# --- Identity numbers ----------------------------------------------------------------------

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARACTERS = "10X98765432"


def with_check_character(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return first17 + CHECK_CHARACTERS[total % 11]


@st.composite
def identity_numbers(draw) -> str:
    """A valid GB 11643 number: region, birth date, sequence and check character."""
    region = draw(st.integers(min_value=110000, max_value=829999))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return with_check_character(f"{region}{born:%Y%m%d}{sequence:03d}")


@given(identity_numbers())
def test_every_valid_identity_number_validates(number):
    assert validate_person_id(number, today=TODAY) == number


@given(identity_numbers(), st.integers(min_value=0, max_value=17), st.integers(1, 9))
def test_one_changed_character_is_always_caught(number, position, shift):
    if position == 17:
        others = [c for c in CHECK_CHARACTERS if c != number[17]]
        changed = number[:17] + others[shift % len(others)]
    else:
        digit = (int(number[position]) + shift) % 10
        changed = number[:position] + str(digit) + number[position + 1 :]

    with pytest.raises(InvalidIdentity):
        validate_person_id(changed, today=TODAY)


# --- Case numbers --------------------------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789()", "０１２３４５６７８９（）")


@st.composite
def typed_case_numbers(draw) -> str:
    """A case number as a clerk might type it: half- or full-width, with stray spaces."""
    year = draw(st.integers(min_value=1990, max_value=TODAY.year + 1))
    court = draw(st.sampled_from(["辽11", "辽1103", "辽1122", "辽1102", "最高法"]))
    kind = draw(st.sampled_from(["执", "执恢", "执异", "执保", "民初"]))
    serial = draw(st.integers(min_value=1, max_value=99999))
    text = f"({year}){court}{kind}{serial}号"
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    spaces = draw(st.lists(st.sampled_from([" ", "\u3000"]), max_size=3))
    for space in spaces:
        at = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:at] + space + text[at:]
    return text


@given(typed_case_numbers())
def test_a_typed_case_number_normalises_to_a_fixed_point(typed):
    once = normalise_case_number(typed, today=TODAY)

    assert normalise_case_number(once, today=TODAY) == once
    assert "(" not in once and " " not in once


@given(st.text(alphabet="()（）0123456789０１２ 辽执恢民初号字第最高法", max_size=24))
def test_anything_normalised_stays_as_it_is(text):
    try:
        once = normalise_case_number(text, today=TODAY)
    except InvalidCaseNumber:
        return
    assert normalise_case_number(once, today=TODAY) == once


# --- Deadlines -----------------------------------------------------------------------------

starts = st.dates(min_value=date(2005, 1, 1), max_value=date(2025, 12, 1))


@given(starts, st.integers(min_value=1, max_value=400), st.sampled_from(list(Unit)))
def test_a_period_never_ends_before_it_starts(start, amount, unit):
    assume(unit is not Unit.HOUR)

    assert deadline(start, amount, unit).due >= start


@given(starts, st.integers(min_value=1, max_value=60), st.sampled_from([Unit.DAY, Unit.MONTH]))
def test_a_period_in_days_or_months_ends_on_a_working_day(start, amount, unit):
    due = deadline(start, amount, unit).due

    assert DEFAULT_CALENDAR.is_workday(due)


# --- The case importer ---------------------------------------------------------------------

SAMPLE = SAMPLE_EXPORT.read_bytes()


def imported_cases() -> int:
    return db.session.scalar(select(func.count(EnforcementCase.id)))


def import_or_refuse(data: bytes) -> None:
    """Import the bytes: the whole file is refused, or every valid row is in the register."""
    try:
        report = import_cases(io.BytesIO(data), actor="system", today=TODAY)
    except FileError:
        db.session.rollback()
        assert imported_cases() == 0  # a refused file leaves nothing behind
        return
    assert imported_cases() == report.imported


fuzz = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@fuzz
@given(st.binary(max_size=2048))
def test_random_bytes_never_crash_the_importer(app, data):
    import_or_refuse(data)
    _empty_register()


@fuzz
@given(st.integers(min_value=0, max_value=len(SAMPLE)))
def test_a_truncated_export_imports_whole_rows_or_nothing(app, cut):
    import_or_refuse(SAMPLE[:cut])
    _empty_register()


@fuzz
@given(st.integers(min_value=0, max_value=len(SAMPLE) - 1), st.binary(min_size=1, max_size=8))
def test_a_corrupted_export_never_crashes_the_importer(app, at, garbage):
    import_or_refuse(SAMPLE[:at] + garbage + SAMPLE[at + len(garbage) :])
    _empty_register()


def _empty_register() -> None:
    """Undo a committed import so the next example starts from an empty register."""
    db.session.rollback()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
