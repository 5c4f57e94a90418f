"""Every change of state of an insurer's records goes through a function here.

Like every operation, each flushes and writes its audit entry but never commits.
"""

from __future__ import annotations

import secrets

from relief.core import audit, vault
from relief.core.errors import Conflict, OperationError
from relief.core.models import utcnow
from relief.extensions import db
from relief.insurers.models import ApiClient, Insurer

#: most characters a client's label may have (the column's width)
LABEL_MAX = 64


def create_api_client(insurer: Insurer, label: str = "") -> tuple[ApiClient, str]:
    """Give an insurer a new API key; return it with its secret, which is shown only once.

    The secret is stored encrypted with the vault key and never written to the audit trail
    or a log. Raises OperationError (field ``label``) for a label over 64 characters.
    """
    label = label.strip()
    if len(label) > LABEL_MAX:
        raise OperationError(f"名称不能超过 {LABEL_MAX} 个字符。", field="label")

    secret = secrets.token_urlsafe(32)
    client = ApiClient(
        insurer=insurer,
        key_id=f"key_{secrets.token_urlsafe(16)}",
        secret_encrypted=vault.encrypt(secret.encode()),
        label=label,
    )
    db.session.add(client)
    db.session.flush()

    audit.record(
        "insurer.api_client_created",
        f"insurer:{insurer.public_id}",
        key_id=client.key_id,
        label=label,
    )
    return client, secret


def revoke_api_client(client: ApiClient) -> ApiClient:
    """Stop accepting requests signed with a key; raises Conflict if it is already revoked."""
    if client.revoked_at is not None:
        raise Conflict("该密钥已停用。")

    client.revoked_at = utcnow()
    db.session.flush()

    audit.record(
        "insurer.api_client_revoked",
        f"insurer:{client.insurer.public_id}",
        key_id=client.key_id,
    )
    return client
