"""ETags and If-Match: two writers cannot overwrite each other's changes unknowingly.

A record's ETag is derived from its row version (SQLAlchemy's ``version_id_col``), which
every change increments. Reads send it in the ``ETag`` header; a state-changing POST to the
record must send it back in ``If-Match``:

- no If-Match: 428 ``precondition_required`` (it is required, so a client cannot forget it);
- an ETag that is not the record's current one: 412 ``precondition_failed``, with the
  current ETag in the answer's ``ETag`` header; read the record again before retrying.

Use in a view, after loading the record (``for_update``) and before the operation::

    claim = _own_claim(claim_id, for_update=True)
    require_if_match(claim)
    ...
    return claim, {"ETag": etag_for(claim)}

The ETag is strong (If-Match compares strongly) and names the record's version, not the
bytes of one representation: the documents listed with a claim may be reissued without it.
``If-Match: *`` is refused like a stale ETag.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import request

from insurer_api.errors import fail

HEADER = "If-Match"

#: the header as an OpenAPI parameter, for the operations that require it
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": True,
    "description": "The ETag of the record as last read; a stale one answers 412.",
    "schema": {"type": "string"},
}


def etag_for(row: Any) -> str:
    """The quoted ETag of a versioned row: opaque, and new with every change of the row."""
    text = f"{type(row).__tablename__}:{row.public_id}:{row.version}"
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def require_if_match(row: Any) -> None:
    """Refuse the request unless its If-Match names the row's current ETag (428, 412)."""
    if not request.headers.get(HEADER):
        fail(428, errors={HEADER: ["必须填写。"]})

    current = etag_for(row)
    # "*" would let a client skip the check it exists for
    if request.if_match.star_tag or not request.if_match.contains(current.strip('"')):
        fail(412, errors={HEADER: ["不是该记录当前的 ETag。"]}, headers={"ETag": current})
