"""Refresh and access tokens encrypted at rest (Fernet), with the key kept out of the tree."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from switchboard.settings import Settings


class VaultError(RuntimeError):
    """A stored secret could not be decrypted (wrong or rotated key)."""


class Vault:
    """Encrypts and decrypts short secrets with one Fernet key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, secret: str) -> str:
        """The encrypted form of ``secret`` (ASCII, safe to store)."""
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        """The secret inside ``sealed``; :class:`VaultError` when the key does not fit."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise VaultError("stored token cannot be decrypted with the configured key") from None


def load_vault_key(settings: Settings) -> bytes:
    """The configured key, else one generated once into ``<state_dir>/calendar_token.key``."""
    if settings.calendar.token_key is not None:
        return settings.calendar.token_key.get_secret_value().encode()
    path = Path(settings.state_dir) / "calendar_token.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
    return path.read_bytes().strip()


def vault_from_settings(settings: Settings) -> Vault:
    """The vault the settings describe."""
    return Vault(load_vault_key(settings))
