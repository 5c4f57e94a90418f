"""Case search: which cases a clerk's search text names, in queries an index answers.

The text is taken as, in turn: a whole case number (half-width brackets and full-width
digits accepted), matched exactly; the beginning of a case number or of a party's name; or
a party's identity number or credit code, matched exactly. A name is matched from its
start, not anywhere inside it: "王伟" finds 王伟 and 王伟华, and "鼎盛" does not find
盘锦鼎盛商贸有限公司. A match anywhere would read every party of every case on each search.
"""

from __future__ import annotations

import sys
import unicodedata

from sqlalchemy import ColumnElement, Select, and_, select, union

from relief.cases.models import EnforcementCase, Party
from relief.core.case_numbers import InvalidCaseNumber, normalise_case_number
from relief.extensions import db

_LIKE_ESCAPE = "\\"


def matching_case_ids(text: str) -> Select:
    """The ids of the cases the search text names, as a subquery to filter cases by."""
    text = text.strip()
    try:
        number = normalise_case_number(text)
    except InvalidCaseNumber:
        number = None
    if number is not None:
        return select(EnforcementCase.id).where(EnforcementCase.case_number == number)

    number_start = _case_number_form(text)
    return union(
        select(EnforcementCase.id).where(starts_with(EnforcementCase.case_number, number_start)),
        select(Party.case_id).where(starts_with(Party.name, text)),
        select(Party.case_id).where(Party.id_number == text.upper()),
    )


def starts_with(column, prefix: str) -> ColumnElement[bool]:
    """Whether the column's text begins with the prefix, answered by an index on the column.

    SQLite's LIKE ignores the case of ASCII letters and so cannot use an ordinary index: it
    gets the range [prefix, the prefix's successor). PostgreSQL gets LIKE 'prefix%', which
    its text_pattern_ops indexes answer whatever the database's collation.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        escaped = "".join(
            _LIKE_ESCAPE + char if char in "%_" + _LIKE_ESCAPE else char for char in prefix
        )
        return column.like(escaped + "%", escape=_LIKE_ESCAPE)

    # SQLite compares text as UTF-8 bytes, that is in code point order
    last = ord(prefix[-1])
    if last == sys.maxunicode:
        return column >= prefix
    return and_(column >= prefix, column < prefix[:-1] + chr(last + 1))


def _case_number_form(text: str) -> str:
    """Write the beginning of a case number as the register does: full-width brackets."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    return folded.replace("(", "（").replace(")", "）")
