"""Storing uploaded files: type checked by content, size capped, names never used as paths."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

#: 10 MB per proof: a phone photo or a scanned certificate fits comfortably
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

#: what a proof may be, recognised by its first bytes, never by its name
SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


class UploadError(ValueError):
    """A file that cannot be accepted; the message is for the user."""


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    content_type: str
    size: int
    sha256: str
    original_name: str


def sniff(head: bytes) -> str | None:
    """The content type the file's first bytes show, if it is one we accept."""
    for signature, content_type in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


def folder(kind: str) -> Path:
    """The folder for one kind of upload, created on first use."""
    path = Path(current_app.config["UPLOAD_FOLDER"]) / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(upload: FileStorage, kind: str) -> StoredFile:
    """Check and store an uploaded proof under a random name."""
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if not data:
        raise UploadError("上传的文件是空的。")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"文件超过{MAX_UPLOAD_BYTES // (1024 * 1024)}MB的上限。")
    content_type = sniff(data[:16])
    if content_type is None:
        raise UploadError("只接受PDF、JPEG或PNG文件。")

    storage_key = secrets.token_hex(16)
    (folder(kind) / storage_key).write_bytes(data)
    return StoredFile(
        storage_key=storage_key,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=(upload.filename or "file")[-255:],
    )


def discard(kind: str, storage_key: str) -> None:
    """Remove a stored file whose database row was never committed."""
    (folder(kind) / storage_key).unlink(missing_ok=True)


def path_of(kind: str, storage_key: str) -> Path:
    """Where a stored file lives."""
    return folder(kind) / storage_key
