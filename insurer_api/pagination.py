"""Cursor pagination for every list of the partner API.

A list takes ``limit`` (1 to 100, 50 by default) and ``cursor`` and answers
``{"items": [...], "next_cursor": "..." | null}``. The cursor is the last row's database id,
encrypted with the vault key and bound to the list it came from: it reveals nothing and
cannot be forged or carried over to another list. Rows added meanwhile are not skipped.

Use in a view::

    class DeliveryListQuery(PageQuery): ...

    @blp.arguments(DeliveryListQuery, location="query", as_kwargs=True)
    def list_deliveries(limit, cursor=None):
        query = select(WebhookDelivery).where(WebhookDelivery.insurer_id == g.insurer.id)
        return paginate(query, WebhookDelivery.id, "deliveries", limit=limit, cursor=cursor)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from insurer_api.errors import fail
from insurer_api.schemas import PageQuery
from relief.core import vault
from relief.extensions import db

__all__ = ["PageQuery", "decode_cursor", "encode_cursor", "paginate"]


def paginate(
    query: Select,
    id_column: Any,
    list_name: str,
    *,
    limit: int,
    cursor: str | None,
    newest_first: bool = False,
) -> dict[str, Any]:
    """One page of the query's rows, ordered by ``id_column``, and the cursor of the next."""
    query = query.order_by(id_column.desc() if newest_first else id_column).limit(limit + 1)
    if cursor is not None:
        last_id = decode_cursor(cursor, list_name)
        query = query.where(id_column < last_id if newest_first else id_column > last_id)
    rows = list(db.session.execute(query).scalars())

    # one row more than asked for tells whether another page follows
    next_cursor = encode_cursor(rows[limit - 1].id, list_name) if len(rows) > limit else None
    return {"items": rows[:limit], "next_cursor": next_cursor}


def encode_cursor(last_id: int, list_name: str) -> str:
    """The opaque cursor that continues a list after the row with this id."""
    # encrypted, not merely encoded: database ids never leave the application
    return vault.encrypt(f"{list_name}:{last_id}".encode()).decode("ascii")


def decode_cursor(cursor: str, list_name: str) -> int:
    """The row id in a cursor of this list; 422 on the ``cursor`` field for anything else."""
    prefix = f"{list_name}:"
    try:
        text = vault.decrypt(cursor.encode()).decode()
    except (vault.VaultError, UnicodeError):
        text = ""
    value = text.removeprefix(prefix)
    if not text.startswith(prefix) or not value.isdigit():
        fail(422, errors={"cursor": ["分页游标无效，请使用上一页返回的 next_cursor。"]})
    return int(value)
