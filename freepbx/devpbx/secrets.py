"""Secrets the dev PBX generates once (ARI and endpoint passwords), kept outside the repo."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

SECRETS_FILE = "secrets.json"
ENDPOINT_NAMES = ("1001", "1002", "2001", "2002", "2003", "2101", "2102")
"""Test callers (1001-1002), WebRTC agents (2001-2003), plain-SIP agents for tests (2101-2102)."""


@dataclass(frozen=True)
class DevPbxSecrets:
    """Passwords of the dev PBX: one for ARI, one per SIP endpoint."""

    ari_password: str
    endpoint_passwords: dict[str, str] = field(default_factory=dict)


def read_secrets(devpbx_dir: Path) -> DevPbxSecrets | None:
    """Return the stored secrets, or None when the dev PBX has never been configured."""
    path = devpbx_dir / SECRETS_FILE
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return DevPbxSecrets(
        ari_password=data["ari_password"],
        endpoint_passwords=dict(data.get("endpoint_passwords", {})),
    )


def ensure_secrets(devpbx_dir: Path) -> DevPbxSecrets:
    """Read the secrets, generating (and saving, mode 0600) any that are missing."""
    current = read_secrets(devpbx_dir)
    ari = current.ari_password if current else secrets.token_urlsafe(18)
    endpoints = dict(current.endpoint_passwords) if current else {}
    for name in ENDPOINT_NAMES:
        endpoints.setdefault(name, secrets.token_urlsafe(12))
    result = DevPbxSecrets(ari_password=ari, endpoint_passwords=endpoints)
    if result != current:
        devpbx_dir.mkdir(parents=True, exist_ok=True)
        path = devpbx_dir / SECRETS_FILE
        tmp = path.with_suffix(".tmp")
        tmp.touch(mode=0o600)
        tmp.write_text(json.dumps(asdict(result), indent=2))
        tmp.replace(path)
    return result
