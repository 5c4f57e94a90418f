"""A PDF issued by the court, stored with the data it was made from."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from relief.core.models import enum_type, utcnow
from relief.extensions import db


class DocumentKind(enum.StrEnum):
    RELIEF_DECISION = "relief_decision"  #: 国家司法救助决定书
    RELIEF_CLAIM = "relief_claim"  #: 执行救助保险理赔申请书
    COLLECTION_NOTICE = "collection_notice"  #: 领取救助金通知书
    TERMINATION_RULING = "termination_ruling"  #: 终结本次执行程序裁定书
    BOUNTY_NOTICE = "bounty_notice"  #: 悬赏公告
    BOUNTY_RESULT = "bounty_result"  #: 悬赏结果通知书
    GUARANTEE_LETTER = "guarantee_letter"  #: 诉讼财产保全担保书 (the insurer's letter)


def new_verification_token() -> str:
    """Unguessable token for the public verification URL (128 bits)."""
    return secrets.token_urlsafe(16)


class IssuedDocument(db.Model):
    __tablename__ = "issued_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the token in the QR code's verification URL
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_verification_token)
    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind, 32))
    #: document number printed on it, e.g. （2025）辽11司救执3号
    number: Mapped[str] = mapped_column(String(64))
    #: none for a document issued before any enforcement case exists (a pre-suit guarantee)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_cases.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("relief_applications.id"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    #: the template context it was rendered from (masked identities only)
    data: Mapped[dict] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
