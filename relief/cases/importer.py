"""Import of the courts' case exports (CSV or XLSX) into the register of enforcement cases.

A file is read as a stream of rows, each row is checked on its own (``parse_row``), and the
valid rows are compared with the register in batches and written in one transaction
(``import_cases``). A row that fails is reported with its physical line and the column at
fault; the other rows are still imported.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import logging
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import openpyxl
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from relief.accounts.models import User
from relief.cases.models import Court, EnforcementCase, Outcome, Party, PartyKind, PartyRole
from relief.cases.operations import record_recovery
from relief.core import audit, clock
from relief.core.case_numbers import (
    ENFORCEMENT_TYPE_CODES,
    InvalidCaseNumber,
    normalise_case_number,
    parse_case_number,
)
from relief.core.identity import (
    InvalidIdentity,
    looks_like_credit_code,
    looks_like_person_id,
    validate_party_id,
)
from relief.core.money import parse_amount
from relief.extensions import db

log = logging.getLogger(__name__)

# --- The columns of the export ------------------------------------------------------------

CASE_NUMBER = "案号"
COURT = "执行法院"
FILED_ON = "立案日期"
CAUSE = "案由"
BASIS = "执行依据"
APPLICANT = "申请执行人"
APPLICANT_KIND = "申请执行人类型"
APPLICANT_ID = "申请执行人证件号码"
RESPONDENT = "被执行人"
RESPONDENT_KIND = "被执行人类型"
RESPONDENT_ID = "被执行人证件号码"
TARGET = "申请执行标的金额（元）"
RECOVERED = "实际到位金额（元）"
OUTCOME = "结案方式"
CLOSED_ON = "结案日期"
JUDGE = "承办人"

#: the headers of the courts' export, in its order
HEADERS = (
    CASE_NUMBER,
    COURT,
    FILED_ON,
    CAUSE,
    BASIS,
    APPLICANT,
    APPLICANT_KIND,
    APPLICANT_ID,
    RESPONDENT,
    RESPONDENT_KIND,
    RESPONDENT_ID,
    TARGET,
    RECOVERED,
    OUTCOME,
    CLOSED_ON,
    JUDGE,
)

#: the column an error about the row as a whole is reported under
WHOLE_ROW = "（整行）"

#: 结案方式 as the export writes it
OUTCOMES: dict[str, Outcome] = {
    "未结": Outcome.OPEN,
    "执行完毕": Outcome.COMPLETED,
    "终结本次执行程序": Outcome.TERMINATED_ROUND,
    "终结执行": Outcome.TERMINATED,
}

#: 当事人类型 as court systems write it: natural persons, and everything with a credit code
PARTY_KINDS: dict[str, PartyKind] = {
    "自然人": PartyKind.PERSON,
    "法人": PartyKind.ORGANISATION,
    "其他组织": PartyKind.ORGANISATION,
    "非法人组织": PartyKind.ORGANISATION,
}

# Column widths of the register (relief/cases/models.py); longer text is refused here rather
# than failing the whole import in the database.
_MAX_LENGTHS = {
    COURT: 64,
    CAUSE: 128,
    BASIS: 128,
    APPLICANT: 128,
    RESPONDENT: 128,
    JUDGE: 64,
}

# NUMERIC(14, 2): twelve digits before the point.
_MAX_AMOUNT = Decimal("999999999999.99")

#: how many case numbers are looked up in the register in one query
BATCH_SIZE = 500

# Enough of a file to tell its kind and its encoding.
_SNIFF_BYTES = 64 * 1024

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the binary .xls of Excel 97-2003

# Zero-width space and byte-order mark: invisible, yet they make two equal-looking names differ.
_DROP_INVISIBLE = str.maketrans("", "", "\u200b\ufeff")
_SPACES = re.compile(r"\s+")
_DATE_FORMATS = (
    re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"),
    re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})"),
    re.compile(r"([0-9]{4})\.([0-9]{1,2})\.([0-9]{1,2})"),
    re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日"),
)
# Some exports write a midnight time after dates; it carries nothing.
_MIDNIGHT = re.compile(r"\s+0{1,2}:00(:00)?$")
_DATE_HINT = "应为 2024-07-19、2024/7/19 或 2024年7月19日 的形式"


# --- Results ------------------------------------------------------------------------------


class FileError(Exception):
    """The file as a whole cannot be imported; the message says why, in Chinese."""

    def __init__(self, message: str, missing: Iterable[str] = ()):
        super().__init__(message)
        self.message = message
        #: the headers the file lacks, if that is the problem
        self.missing = list(missing)


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: the physical line (header = 1), the column and the reason."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第{self.line}行 [{self.column}] {self.reason}"


@dataclass(frozen=True)
class PartyRecord:
    """A party as the export lists it."""

    name: str
    kind: PartyKind
    id_number: str


@dataclass(frozen=True)
class CaseRecord:
    """A valid row of the export, normalised."""

    case_number: str
    court_name: str
    court_code: str
    filed_on: date
    cause: str
    basis_document: str
    applicant: PartyRecord
    respondent: PartyRecord
    target_amount: Decimal
    recovered_amount: Decimal
    outcome: Outcome
    closed_on: date | None
    judge_name: str

    def fingerprint(self) -> bytes:
        """A short digest of the content, to recognise a repeated row without keeping it."""
        return hashlib.blake2b(repr(self).encode(), digest_size=16).digest()


@dataclass
class ImportReport:
    """What an import did, or would do in a dry run, row by row."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rows(self) -> int:
        """The number of data rows read."""
        return self.imported + self.updated + self.unchanged + self.rejected

    def reject(self, errors: list[RowError]) -> None:
        """Count one rejected row with all its errors."""
        self.rejected += 1
        self.errors.extend(errors)

    def summary(self) -> str:
        """The one-line summary in Chinese, e.g. 导入 300，更新 0，未变 1，拒绝 5."""
        line = (
            f"导入 {self.imported}，更新 {self.updated}，"
            f"未变 {self.unchanged}，拒绝 {self.rejected}"
        )
        return line + ("（试导入，未写入）" if self.dry_run else "")


# --- Reading the file ---------------------------------------------------------------------


def sniff_format(head: bytes) -> str:
    """Tell an export's format from its first bytes: "xlsx" or "csv"; else raise FileError."""
    if head.startswith(_XLSX_MAGIC):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        raise FileError("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入。")
    _csv_encoding(head)
    return "csv"


def _csv_encoding(head: bytes) -> str:
    """The encoding a CSV file is written in: UTF-8 (with or without BOM) or GB18030/GBK."""
    if not head.strip():
        raise FileError("文件是空的。")
    if b"\x00" in head:
        raise FileError("文件不是文本文件，也不是 XLSX 文件：应为 CSV 或 XLSX 格式的案件导出。")

    # The sniffed head may end inside a character, hence incremental, non-final decoding.
    # GB18030 includes GBK and GB2312, so one codec reads all three.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileError("无法识别文件编码：CSV 文件应为 UTF-8 或 GB18030（GBK）编码。")


def _header_key(text: str) -> str:
    """Compare headers regardless of spaces and of full- or half-width brackets."""
    folded = unicodedata.normalize("NFKC", text)
    return _SPACES.sub("", folded.translate(_DROP_INVISIBLE))


_HEADER_KEYS = {_header_key(header): header for header in HEADERS}


def _map_headers(cells: list[str]) -> list[str | None]:
    """Map the header row to our column names, position by position; raise FileError."""
    columns: list[str | None] = []
    unknown: list[str] = []
    seen: set[str] = set()
    doubled: list[str] = []
    for cell in cells:
        key = _header_key(cell)
        if not key:
            columns.append(None)
            continue
        header = _HEADER_KEYS.get(key)
        if header is None:
            unknown.append(cell.strip())
        elif header in seen:
            doubled.append(header)
        seen.add(header or key)
        columns.append(header)

    missing = [header for header in HEADERS if header not in seen]
    problems = []
    if missing:
        problems.append(f"缺少列：{'、'.join(missing)}")
    if unknown:
        problems.append(f"无法识别的列：{'、'.join(unknown)}")
    if doubled:
        problems.append(f"重复的列：{'、'.join(doubled)}")
    if problems:
        expected = "、".join(HEADERS)
        raise FileError(
            f"第1行表头不符合法院案件导出格式，{'；'.join(problems)}。"
            f"应有以下{len(HEADERS)}列：{expected}。",
            missing=missing,
        )
    return columns


def _cell_text(value: object) -> str:
    """A spreadsheet value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel keeps numbers as floats; repr gives the shortest text that reads back equal.
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _csv_records(stream: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV stream, each with the physical line it starts on."""
    head = stream.read(_SNIFF_BYTES)
    stream.seek(0)
    encoding = _csv_encoding(head)

    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    reader = csv.reader(text)
    previous_line = 0
    try:
        for record in reader:
            # A quoted cell may hold line breaks: a record starts after the previous one.
            yield previous_line + 1, record
            previous_line = reader.line_num
    except UnicodeDecodeError:
        name = "UTF-8" if encoding == "utf-8-sig" else "GB18030（GBK）"
        raise FileError(
            f"第{previous_line + 1}行附近的内容不是有效的{name}编码，请检查文件是否完整，"
            "或以统一的编码重新导出。"
        ) from None
    except csv.Error as error:
        raise FileError(
            f"第{reader.line_num}行附近的 CSV 格式有误（{error}），请检查引号是否成对。"
        ) from None
    finally:
        if not stream.closed:
            text.detach()  # the stream belongs to the caller: leave it open


def _xlsx_records(stream: BinaryIO) -> Iterator[tuple[int, list[str]]]:
    """The rows of the first sheet of an XLSX stream, read in streaming mode."""
    unreadable = "无法读取该 XLSX 文件，请用 Excel 打开后重新保存为 .xlsx 或 CSV。"
    # openpyxl reports a damaged or foreign zip with exceptions of many kinds (BadZipFile,
    # KeyError, its own InvalidFileException, XML parser errors): all mean the same here.
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:
        log.info("unreadable xlsx file: %s", type(error).__name__)
        raise FileError(unreadable) from None

    try:
        sheet = workbook.worksheets[0]
        # Some generators write a wrong sheet size; without it, rows are read as they are.
        sheet.reset_dimensions()
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [_cell_text(value) for value in values]
    except Exception as error:
        log.info("unreadable xlsx sheet: %s", type(error).__name__)
        raise FileError(unreadable) from None
    finally:
        workbook.close()


def _open_binary(source: str | os.PathLike | BinaryIO, stack: contextlib.ExitStack) -> BinaryIO:
    """A seekable binary stream over the source, closed by the stack when we opened it."""
    if isinstance(source, str | os.PathLike):
        return stack.enter_context(Path(source).open("rb"))
    if source.seekable():
        return source

    # A pipe or a socket: spool it to a temporary file, which is seekable and not in memory.
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (the stack closes it)
    stack.callback(spool.close)
    shutil.copyfileobj(source, spool)
    spool.seek(0)
    return spool  # type: ignore[return-value]


def read_rows(stream: BinaryIO) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield each non-empty data row as its line and its cells by header; raise FileError.

    ``stream`` is a seekable binary stream of a CSV (UTF-8 or GB18030) or XLSX file. Cells
    are returned as text, untrimmed; cells beyond the known columns that hold something are
    returned under WHOLE_ROW, so the row can be refused.
    """
    head = stream.read(_SNIFF_BYTES)
    stream.seek(0)
    records = _xlsx_records(stream) if sniff_format(head) == "xlsx" else _csv_records(stream)
    # Closed here, not by the garbage collector: the workbook holds the file open.
    with contextlib.closing(records):
        yield from _rows_by_header(records)


def _rows_by_header(
    records: Iterator[tuple[int, list[str]]],
) -> Iterator[tuple[int, dict[str, str]]]:
    columns: list[str | None] | None = None
    for line, record in records:
        if columns is None:
            if line != 1 or not any(cell.strip() for cell in record):
                raise FileError("第1行应为表头（案号、执行法院、立案日期……），但它是空的。")
            columns = _map_headers(record)
            continue
        if not any(_clean(cell) for cell in record):
            continue  # blank lines between rows carry nothing

        cells = {header: "" for header in HEADERS}
        stray = 0
        for position, cell in enumerate(record):
            column = columns[position] if position < len(columns) else None
            if column is not None:
                cells[column] = cell
            elif _clean(cell):
                stray += 1
        if stray:
            cells[WHOLE_ROW] = str(stray)
        yield line, cells

    if columns is None:
        raise FileError("文件是空的。")


# --- Checking one row ---------------------------------------------------------------------


def _clean(value: str) -> str:
    """Trim any kind of space (U+3000 included) and fold runs of inner spaces into one."""
    return _SPACES.sub(" ", value.translate(_DROP_INVISIBLE)).strip()


def _parse_date(text: str) -> date | None:
    """Read 2024-07-19, 2024/7/19 or 2024年7月19日; None when it is none of them."""
    folded = _MIDNIGHT.sub("", unicodedata.normalize("NFKC", text))
    for pattern in _DATE_FORMATS:
        match = pattern.fullmatch(folded)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


class _Row:
    """The cells of one row and the errors found in them so far."""

    def __init__(self, line: int, cells: Mapping[str, str]):
        self.line = line
        self.cells = cells
        self.errors: list[RowError] = []

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.line, column, reason))

    def text(self, column: str, *, required: bool = True, hint: str = "") -> str:
        """A trimmed text cell, refused when empty (if required) or too long."""
        value = _clean(self.cells.get(column, ""))
        if required and not value:
            self.fail(column, f"{column}不能为空{hint}。")
        limit = _MAX_LENGTHS.get(column)
        if limit and len(value) > limit:
            self.fail(column, f"{column}过长（{len(value)}个字），最多{limit}个字。")
        return value

    def date(self, column: str, today: date) -> date | None:
        """A date cell not in the future, or None (with an error unless it is empty)."""
        raw = _clean(self.cells.get(column, ""))
        if not raw:
            return None
        value = _parse_date(raw)
        if value is None:
            self.fail(column, f"“{raw}”不是有效日期，{_DATE_HINT}。")
            return None
        if value > today:
            self.fail(
                column,
                f"{column}{value.isoformat()}晚于今天（{today.isoformat()}），不能是将来的日期。",
            )
            return None
        return value

    def amount(self, column: str) -> Decimal | None:
        """A non-negative amount in yuan with at most two decimals, or None with an error."""
        raw = _clean(self.cells.get(column, ""))
        if not raw:
            self.fail(column, f"{column}不能为空，没有金额请填 0。")
            return None
        if raw.startswith(("-", "－", "−")):
            self.fail(column, f"金额“{raw}”不能为负数，应填写以元为单位的金额，没有金额请填 0。")
            return None
        try:
            value = parse_amount(raw)
        except ValueError:
            self.fail(
                column,
                f"“{raw}”不是有效金额，应为以元为单位的数字，最多两位小数，"
                "可用千位分隔符，例如 459,260.64。",
            )
            return None
        if value > _MAX_AMOUNT:
            self.fail(column, f"金额“{raw}”超出系统上限（不足1万亿元）。")
            return None
        return value

    def party(
        self, name_column: str, kind_column: str, id_column: str, today: date
    ) -> PartyRecord | None:
        """The party described by three columns, or None with errors."""
        name = self.text(name_column, hint="，应填写当事人姓名或单位全称")
        kind_text = _clean(self.cells.get(kind_column, ""))
        kind = PARTY_KINDS.get(kind_text)
        if kind is None:
            shown = f"“{kind_text}”" if kind_text else "空白"
            self.fail(
                kind_column,
                f"当事人类型{shown}无法识别，应为自然人、法人、其他组织或非法人组织。",
            )

        id_number = None
        raw_id = self.cells.get(id_column, "")
        if not _clean(raw_id):
            self.fail(id_column, "证件号码不能为空：自然人填公民身份号码，其他填统一社会信用代码。")
        elif kind is not None:
            try:
                id_number = validate_party_id(raw_id, kind, today=today)
            except InvalidIdentity as error:
                self.fail(id_column, error.reason + _kind_hint(raw_id, kind))

        if name and kind is not None and id_number:
            return PartyRecord(name, kind, id_number)
        return None


def _kind_hint(raw_id: str, kind: PartyKind) -> str:
    """A hint when the number has the shape of the other kind's: the type may be wrong."""
    if kind == PartyKind.PERSON and looks_like_credit_code(raw_id):
        return "该号码形似统一社会信用代码，请核对当事人类型是否应为法人或其他组织。"
    if kind == PartyKind.ORGANISATION and looks_like_person_id(raw_id):
        return "该号码形似公民身份号码，请核对当事人类型是否应为自然人。"
    return ""


def parse_row(
    line: int, cells: Mapping[str, str], *, today: date
) -> tuple[CaseRecord | None, list[RowError]]:
    """Check one row of the export; return the normalised case, or None and every error."""
    row = _Row(line, cells)
    if cells.get(WHOLE_ROW):
        row.fail(
            WHOLE_ROW,
            f"该行有{cells[WHOLE_ROW]}个单元格不在任何列下，可能是内容中含有未加引号的逗号。",
        )

    # The case number and its court.
    case_number = court_code = case_year = None
    try:
        parsed = parse_case_number(cells.get(CASE_NUMBER, ""), today=today)
    except InvalidCaseNumber as error:
        row.fail(CASE_NUMBER, error.reason)
    else:
        if parsed.type_code in ENFORCEMENT_TYPE_CODES:
            case_number, court_code, case_year = str(parsed), parsed.court_code, parsed.year
        else:
            row.fail(
                CASE_NUMBER,
                f"案号中的类型代字“{parsed.type_code}”不是执行实施案件，"
                "应为执、执恢或执保（例如（2024）辽1122执210号）。",
            )
    court_name = row.text(COURT, hint="，应填写法院全称，如盘山县人民法院")

    # Dates: filing, and the closing that must agree with the outcome.
    filed_on = row.date(FILED_ON, today)
    if filed_on is None and not _clean(cells.get(FILED_ON, "")):
        row.fail(FILED_ON, f"立案日期不能为空，{_DATE_HINT}。")
    if filed_on and case_year and filed_on.year < case_year:
        row.fail(FILED_ON, f"立案日期{filed_on.isoformat()}早于案号中的收案年度{case_year}年。")
    closed_on = row.date(CLOSED_ON, today)

    cause = row.text(CAUSE, hint="，应填写案由，如民间借贷纠纷")
    basis = row.text(BASIS, hint="，应填写执行依据的文书编号，如（2023）辽1122民初7464号")
    # The title enforced is usually a judgment: store its number in the official form. An
    # arbitral award or a notarial deed has a number of its own kind, kept as it is.
    with contextlib.suppress(InvalidCaseNumber):
        basis = normalise_case_number(basis, today=today)

    applicant = row.party(APPLICANT, APPLICANT_KIND, APPLICANT_ID, today)
    respondent = row.party(RESPONDENT, RESPONDENT_KIND, RESPONDENT_ID, today)

    # Amounts.
    target = row.amount(TARGET)
    if target is not None and target == 0:
        row.fail(TARGET, "申请执行标的金额应大于零。")
        target = None
    recovered = row.amount(RECOVERED)
    if target is not None and recovered is not None and recovered > target:
        row.fail(
            RECOVERED,
            f"实际到位金额{recovered}元超过申请执行标的金额{target}元，应不超过标的金额。",
        )

    # The outcome, against the closing date and the amounts.
    outcome_text = _clean(cells.get(OUTCOME, ""))
    outcome = OUTCOMES.get(outcome_text)
    if outcome is None:
        shown = f"“{outcome_text}”" if outcome_text else "空白"
        row.fail(
            OUTCOME,
            f"结案方式{shown}无法识别，应为未结、执行完毕、终结本次执行程序或终结执行。",
        )
    elif outcome == Outcome.OPEN and _clean(cells.get(CLOSED_ON, "")):
        row.fail(CLOSED_ON, "结案方式为未结的案件不应填写结案日期；已结案的请填写实际结案方式。")
    elif outcome != Outcome.OPEN and not _clean(cells.get(CLOSED_ON, "")):
        row.fail(CLOSED_ON, f"结案方式为{outcome_text}的案件应填写结案日期，{_DATE_HINT}。")
    if closed_on and filed_on and closed_on < filed_on:
        row.fail(
            CLOSED_ON,
            f"结案日期{closed_on.isoformat()}早于立案日期{filed_on.isoformat()}，应不早于立案日期。",
        )
    if (
        outcome == Outcome.COMPLETED
        and target is not None
        and recovered is not None
        and recovered < target
    ):
        row.fail(
            RECOVERED,
            f"结案方式为执行完毕，实际到位金额{recovered}元应等于申请执行标的金额{target}元。",
        )

    judge = row.text(JUDGE, hint="，应填写承办法官姓名")

    if row.errors:
        return None, row.errors
    record = CaseRecord(
        case_number=case_number,
        court_name=court_name,
        court_code=court_code,
        filed_on=filed_on,
        cause=cause,
        basis_document=basis,
        applicant=applicant,
        respondent=respondent,
        target_amount=target,
        recovered_amount=recovered,
        outcome=outcome,
        closed_on=closed_on,
        judge_name=judge,
    )
    return record, []


# --- Writing to the register ----------------------------------------------------------------


@dataclass
class _CourtEntry:
    #: None until the court is written
    id: int | None
    #: the court code as this import understands it
    code: str | None
    #: the court code the register holds
    stored_code: str | None = None


class _Courts:
    """The courts by name, loaded once; new ones are created when a row first needs them."""

    def __init__(self, dry_run: bool):
        self.dry_run = dry_run
        self.by_name: dict[str, _CourtEntry] = {}
        self.by_code: dict[str, str] = {}
        for court in db.session.execute(select(Court)).scalars():
            self.by_name[court.name] = _CourtEntry(court.id, court.code, court.code)
            if court.code:
                self.by_code[court.code] = court.name

    def check(self, name: str, code: str) -> str | None:
        """Why a court name and the court code of a case number disagree, or None."""
        known = self.by_name.get(name)
        if known is not None and known.code and known.code != code:
            return f"执行法院“{name}”的法院代字为{known.code}，与案号中的{code}不一致。"
        owner = self.by_code.get(code)
        if owner is not None and owner != name:
            return f"案号中的法院代字{code}属于“{owner}”，与执行法院“{name}”不一致。"

        # Later rows are held to the pairing this row makes.
        if known is None:
            self.by_name[name] = _CourtEntry(None, code)
        elif known.code is None:
            known.code = code
        self.by_code[code] = name
        return None

    def resolve(self, name: str) -> int | None:
        """The id of the court, created (or given its code) now; None in a dry run."""
        entry = self.by_name[name]
        if self.dry_run:
            return entry.id

        if entry.id is None:
            court = Court(name=name, code=entry.code)
            db.session.add(court)
            db.session.flush()
            entry.id, entry.stored_code = court.id, court.code
            log.info("court %s created by an import", court.id)
        elif entry.stored_code is None:
            # A court entered by hand without its code learns it from the case numbers.
            db.session.get(Court, entry.id).code = entry.code
            entry.stored_code = entry.code
        return entry.id


def _actor_ids(actor: User | str) -> tuple[str, int | None]:
    """The audit actor and the user id to record recoveries under."""
    if isinstance(actor, User):
        return f"user:{actor.id}", actor.id
    if actor.startswith("user:") and actor[5:].isdigit():
        return actor, int(actor[5:])
    return actor, None


class _Importer:
    """One run of an import: the batches, the courts, and what has been done so far."""

    def __init__(self, *, dry_run: bool, today: date, user_id: int | None):
        self.dry_run = dry_run
        self.today = today
        self.user_id = user_id
        self.report = ImportReport(dry_run=dry_run)
        self.courts = _Courts(dry_run)
        # TODO: these two keep about 300 bytes per row (some 30 MB for 100,000 rows), the
        # only memory the import does not free as it goes; a temporary table holding them
        # would make its memory flat in the file's length.
        #: the first valid line of each case number, for reporting repeats of it
        self.first_valid: dict[str, int] = {}
        #: case numbers written (or found unchanged) by this run: line and content digest
        self.applied: dict[str, tuple[int, bytes]] = {}
        self.batch: list[tuple[int, CaseRecord]] = []
        #: new cases of the current batch, inserted together
        self.new_cases: list[CaseRecord] = []

    def feed(self, line: int, cells: Mapping[str, str]) -> None:
        """Check one row and queue it for the register, or report it."""
        record, errors = parse_row(line, cells, today=self.today)
        if record is not None:
            reason = self.courts.check(record.court_name, record.court_code)
            if reason:
                errors = [RowError(line, COURT, reason)]

        if errors:
            first = self._first_valid_line(cells.get(CASE_NUMBER, ""))
            if first is not None:
                errors.append(RowError(line, CASE_NUMBER, f"与第{first}行案号重复但内容不同。"))
            self.report.reject(errors)
            return

        self.first_valid.setdefault(record.case_number, line)
        self.batch.append((line, record))
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def _first_valid_line(self, raw_number: str) -> int | None:
        try:
            return self.first_valid.get(normalise_case_number(raw_number, today=self.today))
        except InvalidCaseNumber:
            return None

    def flush(self) -> None:
        """Compare the queued rows with the register in one query and write the changes."""
        if not self.batch:
            return
        numbers = {record.case_number for _, record in self.batch} - self.applied.keys()
        existing: dict[str, EnforcementCase] = {}
        if numbers:
            query = (
                select(EnforcementCase)
                .where(EnforcementCase.case_number.in_(numbers))
                .options(selectinload(EnforcementCase.parties))
            )
            existing = {case.case_number: case for case in db.session.scalars(query)}

        for line, record in self.batch:
            self._apply(line, record, existing.get(record.case_number))
        self.batch.clear()

        # Flushed rows are clean, and the session holds clean rows only weakly: memory stays
        # flat however long the file.
        if not self.dry_run:
            self._insert_new_cases()
            db.session.flush()

    def _apply(self, line: int, record: CaseRecord, case: EnforcementCase | None) -> None:
        fingerprint = record.fingerprint()
        seen = self.applied.get(record.case_number)
        if seen is not None:
            # The same case twice in one file: a repeat is harmless, a variant is ambiguous.
            first_line, first_fingerprint = seen
            if first_fingerprint == fingerprint:
                self.report.unchanged += 1
            else:
                self.report.reject(
                    [RowError(line, CASE_NUMBER, f"与第{first_line}行案号重复但内容不同。")]
                )
            return

        if case is None:
            self._create(record)
            self.report.imported += 1
        elif _same(case, record, self.courts.by_name[record.court_name].id):
            self.report.unchanged += 1
        elif record.recovered_amount < case.recovered_amount:
            self.report.reject(
                [
                    RowError(
                        line,
                        RECOVERED,
                        f"实际到位金额{record.recovered_amount}元少于系统中已记录的"
                        f"{case.recovered_amount}元；到位金额只能增加，如确有错误请联系管理员更正。",
                    )
                ]
            )
            return
        else:
            self._update(line, case, record)
            self.report.updated += 1
        self.applied[record.case_number] = (line, fingerprint)

    def _create(self, record: CaseRecord) -> None:
        if not self.dry_run:
            self.new_cases.append(record)

    def _insert_new_cases(self) -> None:
        """Insert the batch's new cases in one statement and their parties in another.

        Core executemany: a hundred thousand cases built as objects one by one took three
        times as long, and an insert returning the ids in the order of the rows took as long
        again on SQLite, which can only keep that order by inserting row by row. Column
        defaults (public ids, timestamps) still apply; the ids are read back by case number.
        """
        if not self.new_cases:
            return
        values = [
            {
                "case_number": record.case_number,
                "court_id": self.courts.resolve(record.court_name),
                "filed_on": record.filed_on,
                "cause": record.cause,
                "basis_document": record.basis_document,
                "target_amount": record.target_amount,
                # What was recovered before the case reached us is the court's figure, not
                # a recovery of ours: Recovery rows record the increases after the import.
                "recovered_amount": record.recovered_amount,
                "outcome": record.outcome,
                "closed_on": record.closed_on,
                "judge_name": record.judge_name,
            }
            for record in self.new_cases
        ]
        db.session.execute(insert(EnforcementCase.__table__), values)
        numbers = [record.case_number for record in self.new_cases]
        ids_by_number = dict(
            db.session.execute(
                select(EnforcementCase.case_number, EnforcementCase.id).where(
                    EnforcementCase.case_number.in_(numbers)
                )
            ).all()
        )
        case_ids = [ids_by_number[number] for number in numbers]

        parties = [
            {
                "case_id": case_id,
                "role": role,
                "kind": party.kind,
                "name": party.name,
                "id_number": party.id_number,
            }
            for case_id, record in zip(case_ids, self.new_cases, strict=True)
            for role, party in (
                (PartyRole.APPLICANT, record.applicant),
                (PartyRole.RESPONDENT, record.respondent),
            )
        ]
        db.session.execute(insert(Party), parties)
        self.new_cases.clear()

    def _update(self, line: int, case: EnforcementCase, record: CaseRecord) -> None:
        if self.dry_run:
            return
        case.court_id = self.courts.resolve(record.court_name)
        case.filed_on = record.filed_on
        case.cause = record.cause
        case.basis_document = record.basis_document
        case.target_amount = record.target_amount
        case.outcome = record.outcome
        case.closed_on = record.closed_on
        case.judge_name = record.judge_name
        _sync_party(case, PartyRole.APPLICANT, record.applicant)
        _sync_party(case, PartyRole.RESPONDENT, record.respondent)

        # More money recovered goes through the operation, so the relief clawback and any
        # other ledger listening for recoveries reacts as it would to a clerk's entry.
        increase = record.recovered_amount - case.recovered_amount
        if increase > 0:
            record_recovery(
                case,
                increase,
                received_on=self.today,
                note=f"案件导入第{line}行：实际到位金额由{case.recovered_amount}元"
                f"增至{record.recovered_amount}元。",
                recorded_by_id=self.user_id,
            )


def _new_party(role: PartyRole, party: PartyRecord) -> Party:
    return Party(role=role, kind=party.kind, name=party.name, id_number=party.id_number)


def _first_party(case: EnforcementCase, role: PartyRole) -> Party | None:
    return next((party for party in case.parties if party.role == role), None)


def _party_matches(party: Party | None, wanted: PartyRecord) -> bool:
    return party is not None and (party.name, party.kind, party.id_number) == (
        wanted.name,
        wanted.kind,
        wanted.id_number,
    )


def _sync_party(case: EnforcementCase, role: PartyRole, wanted: PartyRecord) -> None:
    """Make the case's first party in a role the one the export lists.

    The party is changed in place rather than replaced: a replacement would insert the new
    row before deleting the old one and trip the (case, role, number) uniqueness.
    """
    party = _first_party(case, role)
    if party is None:
        case.parties.append(_new_party(role, wanted))
    elif not _party_matches(party, wanted):
        party.name, party.kind, party.id_number = wanted.name, wanted.kind, wanted.id_number


def _same(case: EnforcementCase, record: CaseRecord, court_id: int | None) -> bool:
    """Whether the register already holds exactly what the row says."""
    return (
        case.court_id == court_id
        and case.filed_on == record.filed_on
        and case.cause == record.cause
        and case.basis_document == record.basis_document
        and case.target_amount == record.target_amount
        and case.recovered_amount == record.recovered_amount
        and case.outcome == record.outcome
        and case.closed_on == record.closed_on
        and case.judge_name == record.judge_name
        and _party_matches(_first_party(case, PartyRole.APPLICANT), record.applicant)
        and _party_matches(_first_party(case, PartyRole.RESPONDENT), record.respondent)
    )


def _file_digest(stream: BinaryIO) -> str:
    """The SHA-256 of the file, so the audit trail names which file was imported."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def import_cases(
    source: str | os.PathLike | BinaryIO,
    *,
    actor: User | str,
    dry_run: bool = False,
    today: date | None = None,
) -> ImportReport:
    """Import a court's case export (CSV or XLSX) into the register, in one transaction.

    Each valid row is imported (new case number), updated (different data) or unchanged;
    each invalid row is rejected and reported. More money recovered on a known case is
    recorded as a Recovery; less is refused. One audit entry with the counts is written.

    ``actor`` is the user importing, or an audit actor such as "system". With ``dry_run``
    nothing is written and the transaction is left to the caller: the report says what the
    import would do. Raises FileError when the file as a whole cannot be read; on that or
    any other error nothing is written.
    """
    audit_actor, user_id = _actor_ids(actor)
    today = today or clock.today()

    try:
        with contextlib.ExitStack() as stack:
            stream = _open_binary(source, stack)
            digest = _file_digest(stream)
            importer = _Importer(dry_run=dry_run, today=today, user_id=user_id)
            rows = stack.enter_context(contextlib.closing(read_rows(stream)))
            for line, cells in rows:
                importer.feed(line, cells)
            importer.flush()

        report = importer.report
        report.errors.sort(key=lambda error: error.line)
        if dry_run:
            return report

        audit.record(
            "cases.imported",
            f"case_import:{digest[:16]}",
            actor=audit_actor,
            file_sha256=digest,
            imported=report.imported,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=report.rejected,
        )
        db.session.commit()
    except BaseException:
        # One transaction: a file error or a database failure midway leaves nothing behind.
        if not dry_run:
            db.session.rollback()
        raise

    log.info(
        "case import %s by %s: %d imported, %d updated, %d unchanged, %d rejected",
        digest[:16],
        audit_actor,
        report.imported,
        report.updated,
        report.unchanged,
        report.rejected,
    )
    return report
