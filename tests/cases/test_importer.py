"""The import of the courts' case exports: rows checked one by one, then written at once."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from relief.cases import importer
from relief.cases.importer import (
    HEADERS,
    FileError,
    ImportReport,
    RowError,
    import_cases,
    parse_row,
)
from relief.cases.models import Court, EnforcementCase, Outcome, Party, PartyKind, Recovery
from relief.cases.operations import recovery_recorded
from relief.core.audit import AuditEntry
from relief.extensions import db
from tests.conftest import SAMPLE_EXPORT

TODAY = date(2026, 12, 3)

VALID_ROW = {
    "案号": "（2024）辽1122执25号",
    "执行法院": "盘山县人民法院",
    "立案日期": "2024-07-19",
    "案由": "买卖合同纠纷",
    "执行依据": "（2023）辽1122民初3395号",
    "申请执行人": "戴东艳",
    "申请执行人类型": "自然人",
    "申请执行人证件号码": "211122197007222091",
    "被执行人": "盘锦鼎盛餐饮管理有限公司",
    "被执行人类型": "法人",
    "被执行人证件号码": "91211102U8UGAQYJ4B",
    "申请执行标的金额（元）": "177476.42",
    "实际到位金额（元）": "53837.38",
    "结案方式": "未结",
    "结案日期": "",
    "承办人": "刘洋",
}

#: the rows of the sample export that are refused, with the columns at fault
SAMPLE_REJECTED = {
    221: {"结案日期", "案号"},  # 终本 without a closing date; differs from line 208
    226: {"案号"},  # old 字第 format without 号 (the case is on line 304 correctly)
    230: {"申请执行人", "案号"},  # applicant's name blank; differs from line 192
    252: {"申请执行标的金额（元）", "案号"},  # negative target; differs from line 130
    301: {"申请执行人证件号码", "案号"},  # credit code for a 自然人; differs from line 80
}


def row(**changes: str) -> dict[str, str]:
    """A valid row of the export with some cells changed (keyword = header)."""
    return VALID_ROW | changes


def check(**changes: str):
    return parse_row(7, row(**changes), today=TODAY)


def reasons(errors: list[RowError]) -> dict[str, str]:
    return {error.column: error.reason for error in errors}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def sample_text() -> str:
    return SAMPLE_EXPORT.read_text(encoding="utf-8-sig")


def write_csv(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def rejected_lines(report: ImportReport) -> dict[int, set[str]]:
    lines: dict[int, set[str]] = {}
    for error in report.errors:
        lines.setdefault(error.line, set()).add(error.column)
    return lines


def case(number: str) -> EnforcementCase:
    return db.session.execute(
        select(EnforcementCase).where(EnforcementCase.case_number == number)
    ).scalar_one()


# --- One row at a time --------------------------------------------------------------------


def test_a_valid_row_is_normalised():
    record, errors = check()
    assert errors == []
    assert record.case_number == "（2024）辽1122执25号"
    assert record.court_code == "辽1122"
    assert record.filed_on == date(2024, 7, 19)
    assert record.applicant.kind == PartyKind.PERSON
    assert record.respondent.kind == PartyKind.ORGANISATION
    assert record.target_amount == Decimal("177476.42")
    assert record.outcome == Outcome.OPEN
    assert record.closed_on is None


def test_half_width_brackets_and_stray_spaces_are_cleaned():
    record, errors = check(
        案号=" (2024)辽1122执25号 ",
        申请执行人="\u3000戴东艳\t",
        承办人=" 刘洋\u3000",
        申请执行人证件号码=" 211122197007222091 ",
    )
    assert errors == []
    assert record.case_number == "（2024）辽1122执25号"
    assert record.applicant.name == "戴东艳"
    assert record.judge_name == "刘洋"


def test_thousand_separators_are_accepted():
    record, errors = check(**{"申请执行标的金额（元）": "1,177,476.42"})
    assert errors == []
    assert record.target_amount == Decimal("1177476.42")


@pytest.mark.parametrize("text", ["2024-07-19", "2024/7/19", "2024年7月19日", "2024-7-19"])
def test_dates_in_the_usual_forms(text):
    record, errors = check(立案日期=text)
    assert errors == []
    assert record.filed_on == date(2024, 7, 19)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2024-02-30", "不是有效日期"),
        ("19.7.2024", "不是有效日期"),
        ("2026-12-04", "晚于今天"),
        ("", "不能为空"),
    ],
)
def test_bad_filing_dates(text, reason):
    _, errors = check(立案日期=text)
    assert reason in reasons(errors)["立案日期"]


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("法人", PartyKind.ORGANISATION),
        ("其他组织", PartyKind.ORGANISATION),
        ("非法人组织", PartyKind.ORGANISATION),
    ],
)
def test_organisation_kinds(label, kind):
    record, errors = check(被执行人类型=label)
    assert errors == []
    assert record.respondent.kind == kind


def test_unknown_party_kind_is_refused():
    _, errors = check(被执行人类型="公司")
    assert "应为自然人、法人、其他组织或非法人组织" in reasons(errors)["被执行人类型"]


def test_identity_numbers_are_checked_for_their_kind():
    _, errors = check(申请执行人证件号码="211122197007222092")
    assert "校验位" in reasons(errors)["申请执行人证件号码"]

    _, errors = check(申请执行人证件号码="91211102U8UGAQYJ4B")
    assert "请核对当事人类型" in reasons(errors)["申请执行人证件号码"]

    _, errors = check(被执行人证件号码="211103196907273165")
    assert "请核对当事人类型是否应为自然人" in reasons(errors)["被执行人证件号码"]


def test_a_person_number_can_pass_as_a_credit_code():
    # All digits fit the GB 32100 alphabet, so about one identity number in 31 also has a
    # right credit-code check character; E3 says only the checksum decides.
    record, errors = check(被执行人证件号码="211122197007222091")
    assert errors == []
    assert record.respondent.id_number == "211122197007222091"


def test_every_error_of_a_row_is_reported():
    _, errors = check(
        申请执行人="",
        被执行人证件号码="91211102U8UGAQYJ4C",
        承办人=" ",
        **{"实际到位金额（元）": "200000.00"},
    )
    assert set(reasons(errors)) == {
        "申请执行人",
        "被执行人证件号码",
        "承办人",
        "实际到位金额（元）",
    }
    assert all(error.line == 7 for error in errors)
    assert "超过申请执行标的金额" in reasons(errors)["实际到位金额（元）"]


@pytest.mark.parametrize(
    ("target", "recovered", "column", "reason"),
    [
        ("0", "0", "申请执行标的金额（元）", "应大于零"),
        ("-57000.00", "0", "申请执行标的金额（元）", "不能为负数"),
        ("1000", "-1", "实际到位金额（元）", "不能为负数"),
        ("1000.005", "0", "申请执行标的金额（元）", "最多两位小数"),
        ("一千元", "0", "申请执行标的金额（元）", "不是有效金额"),
        ("1000", "", "实际到位金额（元）", "不能为空"),
    ],
)
def test_bad_amounts(target, recovered, column, reason):
    _, errors = check(**{"申请执行标的金额（元）": target, "实际到位金额（元）": recovered})
    assert reason in reasons(errors)[column]


def test_outcome_must_be_known():
    _, errors = check(结案方式="终本")
    assert "应为未结、执行完毕、终结本次执行程序或终结执行" in reasons(errors)["结案方式"]


def test_open_case_has_no_closing_date():
    _, errors = check(结案日期="2024-12-01")
    assert "不应填写结案日期" in reasons(errors)["结案日期"]


@pytest.mark.parametrize("outcome", ["执行完毕", "终结本次执行程序", "终结执行"])
def test_closed_case_needs_a_closing_date(outcome):
    amounts = {"实际到位金额（元）": VALID_ROW["申请执行标的金额（元）"]}
    _, errors = check(结案方式=outcome, **amounts)
    assert "应填写结案日期" in reasons(errors)["结案日期"]

    record, errors = check(结案方式=outcome, 结案日期="2025-01-02", **amounts)
    assert errors == []
    assert record.closed_on == date(2025, 1, 2)


def test_closing_date_not_before_filing_nor_in_the_future():
    closed = {"结案方式": "终结执行"}
    _, errors = check(结案日期="2024-07-18", **closed)
    assert "早于立案日期" in reasons(errors)["结案日期"]
    _, errors = check(结案日期="2027-01-01", **closed)
    assert "晚于今天" in reasons(errors)["结案日期"]


def test_completed_means_everything_recovered():
    _, errors = check(结案方式="执行完毕", 结案日期="2025-01-02")
    assert "应等于申请执行标的金额" in reasons(errors)["实际到位金额（元）"]


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("（2024）辽1122执字第210", "旧格式"),
        ("（2023）辽1122民初3395号", "不是执行实施案件"),
        ("", "不能为空"),
    ],
)
def test_case_number_must_be_an_enforcement_number(number, reason):
    _, errors = check(案号=number)
    assert reason in reasons(errors)["案号"]


def test_filing_before_the_year_of_the_case_number_is_refused():
    _, errors = check(立案日期="2023-12-30")
    assert "早于案号中的收案年度" in reasons(errors)["立案日期"]


def test_too_long_text_is_refused_before_the_database_does():
    _, errors = check(承办人="张" * 65)
    assert "最多64个字" in reasons(errors)["承办人"]


# --- The sample export --------------------------------------------------------------------


def test_sample_export_gives_300_cases_and_5_rejected_rows(app):
    report = import_cases(SAMPLE_EXPORT, actor="system")

    # 306 rows: 300 new cases, 1 exact repeat of line 232 (line 239), 5 refused
    assert (report.imported, report.updated, report.unchanged, report.rejected) == (300, 0, 1, 5)
    assert report.rows == 306
    assert rejected_lines(report) == SAMPLE_REJECTED
    assert report.summary() == "导入 300，更新 0，未变 1，拒绝 5"
    assert count(EnforcementCase) == 300
    assert count(Party) == 600
    assert count(Recovery) == 0

    courts = {court.name: court.code for court in db.session.scalars(select(Court))}
    assert courts == {
        "辽宁省盘锦市中级人民法院": "辽11",
        "盘锦市双台子区人民法院": "辽1102",
        "盘锦市兴隆台区人民法院": "辽1103",
        "盘锦市大洼区人民法院": "辽1104",
        "盘山县人民法院": "辽1122",
    }


def test_sample_rejections_say_what_is_wrong(app):
    report = import_cases(SAMPLE_EXPORT, actor="system")
    by_cell = {(error.line, error.column): error.reason for error in report.errors}

    assert by_cell[(221, "案号")] == "与第208行案号重复但内容不同。"
    assert "应填写结案日期" in by_cell[(221, "结案日期")]
    assert "旧格式" in by_cell[(226, "案号")]
    assert "不能为空" in by_cell[(230, "申请执行人")]
    assert "不能为负数" in by_cell[(252, "申请执行标的金额（元）")]
    assert "统一社会信用代码" in by_cell[(301, "申请执行人证件号码")]
    assert str(report.errors[0]).startswith("第221行 [")


def test_sample_values_are_stored_normalised(app):
    import_cases(SAMPLE_EXPORT, actor="system")

    # line 176 has half-width brackets; line 304 has a thousand separator
    assert case("（2023）辽1103执恢71号").target_amount == Decimal("2736436.10")
    stored = case("（2024）辽1122执210号")
    assert stored.target_amount == Decimal("459260.64")
    assert stored.recovered_amount == Decimal("175533.05")
    assert stored.outcome == Outcome.OPEN
    # line 252 (" 马燕军\t") was refused; line 130 holds the clean name
    assert case("（2023）辽1103执219号").respondent.name == "马燕军"
    # line 208 won over its variant on line 221
    assert case("（2023）辽11执263号").outcome == Outcome.TERMINATED


def test_one_audit_entry_with_counts_and_no_personal_data(app):
    import_cases(SAMPLE_EXPORT, actor="system")

    entries = db.session.scalars(select(AuditEntry)).all()
    assert [entry.action for entry in entries] == ["cases.imported"]
    details = entries[0].details
    assert {key: details[key] for key in ("imported", "updated", "unchanged", "rejected")} == {
        "imported": 300,
        "updated": 0,
        "unchanged": 1,
        "rejected": 5,
    }
    assert entries[0].actor == "system"
    assert "2111" not in str(details) and "侯平华" not in str(details)


def test_dry_run_reports_the_same_and_writes_nothing(app):
    report = import_cases(SAMPLE_EXPORT, actor="system", dry_run=True)

    assert (report.imported, report.updated, report.unchanged, report.rejected) == (300, 0, 1, 5)
    assert rejected_lines(report) == SAMPLE_REJECTED
    assert "未写入" in report.summary()
    assert count(EnforcementCase) == count(Court) == count(AuditEntry) == 0


def test_second_import_changes_nothing(app):
    import_cases(SAMPLE_EXPORT, actor="system")
    before = dict(
        db.session.execute(select(EnforcementCase.case_number, EnforcementCase.updated_at)).all()
    )

    report = import_cases(SAMPLE_EXPORT, actor="system")

    assert (report.imported, report.updated, report.unchanged, report.rejected) == (0, 0, 301, 5)
    after = dict(
        db.session.execute(select(EnforcementCase.case_number, EnforcementCase.updated_at)).all()
    )
    assert after == before
    assert count(EnforcementCase) == 300 and count(Party) == 600 and count(Court) == 5
    assert count(Recovery) == 0
    # the trail records both runs, and nothing else
    assert db.session.scalars(select(AuditEntry.action)).all() == ["cases.imported"] * 2


def test_dry_run_after_an_import_sees_the_register(app):
    import_cases(SAMPLE_EXPORT, actor="system")
    report = import_cases(SAMPLE_EXPORT, actor="system", dry_run=True)
    assert (report.imported, report.updated, report.unchanged) == (0, 0, 301)


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("gb18030", False), ("gbk", False), ("utf-8", False), ("utf-8", True)],
)
def test_encodings_of_court_systems(app, tmp_path, encoding, bom):
    text = ("\ufeff" if bom else "") + sample_text()
    path = write_csv(tmp_path / "export.csv", text, encoding)

    report = import_cases(path, actor="system")

    assert (report.imported, report.unchanged, report.rejected) == (300, 1, 5)
    assert rejected_lines(report) == SAMPLE_REJECTED
    assert case("（2022）辽1122执95号").applicant.name == "侯平华"


def test_windows_line_endings(app, tmp_path):
    path = write_csv(tmp_path / "export.csv", sample_text().replace("\n", "\r\n"))
    report = import_cases(path, actor="system")
    assert (report.imported, report.rejected) == (300, 5)
    assert rejected_lines(report) == SAMPLE_REJECTED


def test_xlsx_export(app, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with SAMPLE_EXPORT.open(encoding="utf-8-sig", newline="") as export:
        for number, values in enumerate(csv.reader(export)):
            if number:
                # as Excel holds them: real dates and numbers where the cell allows
                values = [
                    _as_excel(header, value) for header, value in zip(HEADERS, values, strict=True)
                ]
            sheet.append(values)
    path = tmp_path / "export.xlsx"
    workbook.save(path)

    report = import_cases(path, actor="system")

    assert (report.imported, report.unchanged, report.rejected) == (300, 1, 5)
    assert rejected_lines(report) == SAMPLE_REJECTED
    assert case("（2022）辽1122执95号").target_amount == Decimal("38839.27")
    assert case("（2022）辽1122执95号").filed_on == date(2022, 7, 30)


def _as_excel(header: str, value: str):
    if header in ("立案日期", "结案日期") and value:
        return datetime.fromisoformat(value)
    if header.endswith("（元）") and value.replace(".", "", 1).isdigit():
        return float(value)
    return value


def test_binary_stream_is_accepted(app):
    report = import_cases(io.BytesIO(SAMPLE_EXPORT.read_bytes()), actor="system")
    assert (report.imported, report.rejected) == (300, 5)


def test_lines_are_physical_lines(app, tmp_path):
    # a quoted cell with a line break takes two lines of the file
    text = (
        ",".join(HEADERS)
        + "\n"
        + ",".join(row(案由='"买卖合同\n纠纷"').values())
        + "\n\n"
        + ",".join(row(案号="（2024）辽1122执26号", 承办人="").values())
        + "\n"
    )
    report = import_cases(write_csv(tmp_path / "export.csv", text), actor="system")

    assert report.imported == 1
    assert report.errors == [RowError(5, "承办人", "承办人不能为空，应填写承办法官姓名。")]
    assert case("（2024）辽1122执25号").cause == "买卖合同 纠纷"


def test_stray_cells_beyond_the_headers_are_refused(app, tmp_path):
    text = ",".join(HEADERS) + "\n" + ",".join(row().values()) + ",多余\n"
    report = import_cases(write_csv(tmp_path / "export.csv", text), actor="system")
    assert report.rejected == 1
    assert report.errors[0].column == "（整行）"


# --- Changes to known cases ---------------------------------------------------------------

LINE_2 = (
    "（2022）辽1122执95号,盘山县人民法院,2022-07-30,劳务合同纠纷,（2021）辽1122民初4445号,"
    "侯平华,自然人,211103196907273165,蒋胜,自然人,21110319920113946X,38839.27,19015.73,未结,,赵宏伟"
)


def changed_sample(tmp_path, new_line: str):
    text = sample_text()
    assert LINE_2 in text
    return write_csv(tmp_path / "changed.csv", text.replace(LINE_2, new_line))


def test_changed_row_updates_the_case(app, tmp_path):
    import_cases(SAMPLE_EXPORT, actor="system")
    changed = LINE_2.replace("赵宏伟", "王海峰").replace("蒋胜", "蒋胜利")

    report = import_cases(changed_sample(tmp_path, changed), actor="system")

    assert (report.imported, report.updated, report.unchanged, report.rejected) == (0, 1, 300, 5)
    updated = case("（2022）辽1122执95号")
    assert updated.judge_name == "王海峰"
    assert updated.respondent.name == "蒋胜利"
    assert count(Party) == 600
    assert count(Recovery) == 0


def test_more_money_recovered_is_recorded_as_a_recovery(app, tmp_path):
    import_cases(SAMPLE_EXPORT, actor="system")
    received = []
    changed = LINE_2.replace("19015.73,未结,", "38839.27,执行完毕,2026-11-30")

    def listen(sender, recovery):
        received.append((sender.case_number, recovery.amount))

    with recovery_recorded.connected_to(listen):
        report = import_cases(changed_sample(tmp_path, changed), actor="system")

    assert report.updated == 1
    updated = case("（2022）辽1122执95号")
    assert updated.recovered_amount == Decimal("38839.27")
    assert updated.outcome == Outcome.COMPLETED
    [recovery] = updated.recoveries
    assert recovery.amount == Decimal("19823.54")
    assert "第2行" in recovery.note
    assert received == [("（2022）辽1122执95号", Decimal("19823.54"))]


def test_less_money_recovered_is_refused(app, tmp_path):
    import_cases(SAMPLE_EXPORT, actor="system")
    changed = LINE_2.replace("19015.73", "9015.73").replace("赵宏伟", "王海峰")

    report = import_cases(changed_sample(tmp_path, changed), actor="system")

    assert report.rejected == 6 and report.updated == 0
    assert "只能增加" in reasons([e for e in report.errors if e.line == 2])["实际到位金额（元）"]
    unchanged = case("（2022）辽1122执95号")
    assert unchanged.recovered_amount == Decimal("19015.73")
    assert unchanged.judge_name == "赵宏伟"


def test_court_name_and_code_must_agree(app, tmp_path):
    import_cases(SAMPLE_EXPORT, actor="system")
    changed = LINE_2.replace("盘山县人民法院", "盘锦市兴隆台区人民法院")

    report = import_cases(changed_sample(tmp_path, changed), actor="system")

    assert "不一致" in reasons([e for e in report.errors if e.line == 2])["执行法院"]


# --- Whole-file failures ------------------------------------------------------------------


def test_missing_header_is_a_file_error(app, tmp_path):
    lines = sample_text().splitlines()
    lines[0] = lines[0].replace(",承办人", "").replace("结案方式,", "")
    path = write_csv(tmp_path / "export.csv", "\n".join(lines))

    with pytest.raises(FileError) as refused:
        import_cases(path, actor="system")

    assert refused.value.missing == ["结案方式", "承办人"]
    assert "缺少列：结案方式、承办人" in refused.value.message
    assert count(EnforcementCase) == count(AuditEntry) == 0


def test_unknown_header_is_a_file_error(app, tmp_path):
    text = sample_text().replace("承办人", "承办法官", 1)
    with pytest.raises(FileError, match="无法识别的列：承办法官"):
        import_cases(write_csv(tmp_path / "export.csv", text), actor="system")


def test_half_width_brackets_in_headers_are_accepted(app, tmp_path):
    text = sample_text().replace("（元）", "(元)", 2)
    report = import_cases(write_csv(tmp_path / "export.csv", text), actor="system")
    assert report.imported == 300


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "空"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".xls"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "不是文本文件"),
        (b"PK\x03\x04not really a workbook", "XLSX"),
    ],
)
def test_unreadable_files(app, tmp_path, content, reason):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(FileError, match=reason):
        import_cases(path, actor="system")


def test_nothing_is_half_written_when_the_database_fails_midway(app, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 50)
    real_flush = db.session.flush
    written = []

    def flush_then_fail(*args, **kwargs):
        real_flush(*args, **kwargs)
        written.append(count(EnforcementCase))
        if written[-1] >= 150:
            raise RuntimeError("disk full")

    monkeypatch.setattr(db.session, "flush", flush_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        import_cases(SAMPLE_EXPORT, actor="system")
    monkeypatch.undo()

    assert max(written) >= 150  # cases had reached the database before the failure
    assert count(EnforcementCase) == count(Party) == count(Court) == count(AuditEntry) == 0
