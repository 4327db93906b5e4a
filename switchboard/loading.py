"""The settings as the programs load them: :class:`~switchboard.settings.Settings` from the
environment and the config file, with the dev PBX handing in its generated ARI password (the
settings module stays a leaf that imports nothing of the PBX)."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from freepbx.devpbx.secrets import read_secrets
from switchboard.settings import Settings


def load_settings(**overrides: Any) -> Settings:
    """Load the settings once; fill the ARI password from the dev PBX's secrets if unset."""
    settings = Settings(**overrides)
    if settings.ari.password is None and settings.pbx.mode == "dev":
        secrets = read_secrets(settings.devpbx_dir)
        if secrets is not None:
            ari = settings.ari.model_copy(update={"password": SecretStr(secrets.ari_password)})
            settings = settings.model_copy(update={"ari": ari})
    return settings
