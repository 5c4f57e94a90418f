"""The workflow rules at their edges: routing, moves, the 终本 checklist, the re-checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from relief.cases import rules
from relief.cases.models import MeasureKind, PropertyKind, Stage
from relief.core.deadlines import ChineseCalendar

OWED = Decimal("50000.00")


def test_deposits_covering_the_debt_route_to_the_quick_track_at_once():
    assert rules.route_track({PropertyKind.DEPOSITS: OWED}, OWED) == Stage.QUICK


def test_deposits_a_fen_short_wait_for_the_other_kinds_then_go_ordinary():
    short = {PropertyKind.DEPOSITS: OWED - Decimal("0.01")}
    assert rules.route_track(short, OWED) == Stage.INQUIRY

    every_kind = {kind: None for kind in PropertyKind} | short
    assert rules.route_track(every_kind, OWED) == Stage.ORDINARY


def test_nothing_found_anywhere_is_the_ordinary_track():
    assert rules.route_track({kind: None for kind in PropertyKind}, OWED) == Stage.ORDINARY


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (Stage.FILED, Stage.INQUIRY, True),
        (Stage.FILED, Stage.DISPOSAL, False),
        (Stage.INQUIRY, Stage.ORDINARY, False),  # only the routing rule puts a case on a track
        (Stage.QUICK, Stage.DISPOSAL, True),
        (Stage.ORDINARY, Stage.TERMINATED_ROUND, True),
        (Stage.QUICK, Stage.TERMINATED_ROUND, False),
        (Stage.DISPOSAL, Stage.CLOSED, True),
        (Stage.CLOSED, Stage.INQUIRY, False),
        (Stage.TERMINATED_ROUND, Stage.CLOSED, False),
    ],
)
def test_moves(current, target, allowed):
    assert rules.can_move(current, target) is allowed


# --- 终本: more than three months -----------------------------------------------------------


def facts(**changes) -> rules.TerminationFacts:
    values = {
        "filed_on": date(2025, 3, 4),
        "ruled_on": date(2025, 6, 5),
        "measures": frozenset({MeasureKind.REPORT_ORDER, MeasureKind.CONSUMPTION_RESTRICTION}),
        "inquiry_complete": True,
        "investigation_exhausted": True,
        "applicant_informed_on": date(2025, 6, 1),
        "applicant_view": "同意终本",
        "applicant_agrees": True,
        "panel_approved": False,
    }
    return rules.TerminationFacts(**(values | changes))


def unmet(**changes) -> list[str]:
    return [item.code for item in rules.termination_checklist(facts(**changes)).unmet]


def test_exactly_three_months_after_filing_is_not_enough_a_day_more_is():
    # filed Tuesday 4 March 2025: the three months end on Wednesday 4 June, a working day
    assert unmet(ruled_on=date(2025, 6, 4)) == ["waited"]
    assert unmet(ruled_on=date(2025, 6, 5)) == []


def test_three_months_ending_on_a_weekend_run_to_the_next_working_day():
    # filed 1 March 2024: 1 June 2024 is a Saturday, so the period ends on Monday 3 June
    spring_2024 = {"filed_on": date(2024, 3, 1), "applicant_informed_on": date(2024, 5, 31)}
    assert unmet(**spring_2024, ruled_on=date(2024, 6, 3)) == ["waited"]
    assert unmet(**spring_2024, ruled_on=date(2024, 6, 4)) == []


def test_the_wait_item_says_the_earliest_day():
    item = rules.termination_checklist(facts(ruled_on=date(2025, 6, 4))).items[3]
    assert "2025-06-05" in item.text
    assert "对应日" in item.detail  # how the months were counted, for the page


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"measures": frozenset({MeasureKind.CONSUMPTION_RESTRICTION})}, "report_order"),
        ({"measures": frozenset({MeasureKind.REPORT_ORDER})}, "consumption_restriction"),
        ({"inquiry_complete": False}, "investigation_exhausted"),
        ({"investigation_exhausted": False}, "investigation_exhausted"),
        ({"applicant_informed_on": None}, "applicant_informed"),
        ({"applicant_view": "  "}, "applicant_informed"),
        ({"applicant_informed_on": date(2025, 6, 6)}, "applicant_informed"),
        ({"applicant_agrees": False}, "applicant_informed"),
    ],
)
def test_each_condition_of_the_checklist_can_fail_alone(changes, code):
    assert unmet(**changes) == [code]


def test_without_the_applicants_consent_the_panel_and_president_suffice():
    assert unmet(applicant_agrees=False, panel_approved=True) == []


def test_every_item_names_its_source():
    for item in rules.termination_checklist(facts()).items:
        assert "终结本次执行程序的规定" in item.source


# --- Re-checks after 终本 --------------------------------------------------------------------


def test_ten_rechecks_from_a_termination_on_31_august():
    due = [deadline.due for deadline in rules.recheck_schedule(date(2025, 8, 31))]

    assert len(due) == rules.RECHECK_COUNT == 10
    # 28 February 2026 has no 31st; it is a Saturday, but a 调休 working day: no roll-over
    assert due[0] == date(2026, 2, 28)
    # each is counted from the termination, not the previous re-check: back to the 31st
    assert due[1] == date(2026, 8, 31)
    # 28 February 2027 is a Sunday (and 2027's holidays are not in the package yet)
    assert due[2] == date(2027, 3, 1)
    assert due[-1] == date(2030, 9, 2)  # 31 August 2030 is a Saturday


def test_a_recheck_due_in_a_year_nobody_loaded_says_so_and_an_override_changes_it():
    third = rules.recheck_schedule(date(2025, 8, 31))[2]
    assert "2027年节假日安排尚未载入" in third.rule

    # an administrator enters 1 March 2027 as a day off
    calendar = ChineseCalendar(overrides={date(2027, 3, 1): False})
    assert rules.recheck_schedule(date(2025, 8, 31), calendar)[2].due == date(2027, 3, 2)


def test_months_before_clamps_to_the_month_end():
    assert rules.months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert rules.months_before(date(2026, 1, 15), 6) == date(2025, 7, 15)
