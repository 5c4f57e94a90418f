"""Encryption at rest for the few secrets the database holds (API client secrets).

The key comes from the configuration (``VAULT_KEY``), else the environment, else a key file
in the instance folder created on first use. Several comma-separated keys may be given: the
first encrypts, all of them decrypt, so a key can be rotated without re-encrypting at once.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

KEY_FILE_NAME = "vault-key"


class VaultError(ValueError):
    """A token that this installation's keys cannot decrypt (wrong key, or altered)."""


def encrypt(plaintext: bytes) -> bytes:
    """Encrypt and authenticate bytes with the installation's vault key."""
    return _fernet().encrypt(plaintext)


def decrypt(token: bytes) -> bytes:
    """Decrypt a token made by :func:`encrypt`; raise VaultError if it is not ours."""
    try:
        return _fernet().decrypt(token)
    except InvalidToken as exc:
        raise VaultError("the vault key cannot decrypt this token") from exc


def _fernet() -> MultiFernet:
    keys = [key.strip() for key in _key_text().split(",") if key.strip()]
    return MultiFernet([Fernet(key) for key in keys])


def _key_text() -> str:
    configured = current_app.config.get("VAULT_KEY") or os.environ.get("VAULT_KEY")
    if configured:
        return configured
    return _instance_key(Path(current_app.instance_path))


def _instance_key(instance_path: Path) -> str:
    """Return the key kept in the instance folder, creating it on first use.

    A deployment sets VAULT_KEY; a local installation gets a key that survives restarts, or
    every stored secret would become unreadable. Losing this file loses those secrets.
    """
    key_file = instance_path / KEY_FILE_NAME
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)

        # write a private temporary file, then link it into place: linking fails if another
        # process got there first, so every process ends up reading one complete key
        fd, temporary = tempfile.mkstemp(dir=instance_path, prefix=".vault-key-")
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(Fernet.generate_key())
            os.link(temporary, key_file)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return key_file.read_text().strip()
