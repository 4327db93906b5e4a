"""The OAuth2 authorization-code flow with PKCE (google-auth-oauthlib), and revocation.

``authorization_url`` asks for offline access (a refresh token) and consent; the PKCE code
verifier and the random ``state`` are kept (the verifier encrypted) on the pending connection
until the browser comes back to the redirect URI with ``code`` and ``state``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from google_auth_oauthlib.flow import Flow

from switchboard.settings import CalendarSettings


class OAuthError(RuntimeError):
    """The authorization could not be completed (bad code, state or client settings)."""


@dataclass(frozen=True)
class Grant:
    """What a completed authorization yields."""

    refresh_token: str
    access_token: str
    expires_at: datetime | None
    scopes: tuple[str, ...]


def _client_config(cfg: CalendarSettings) -> dict[str, Any]:
    if not cfg.client_id:
        raise OAuthError("Google client id is not configured (SWITCHBOARD_CALENDAR__CLIENT_ID).")
    secret = cfg.client_secret.get_secret_value() if cfg.client_secret else ""
    return {
        "web": {
            "client_id": cfg.client_id,
            "client_secret": secret,
            "auth_uri": cfg.auth_uri,
            "token_uri": cfg.token_uri,
            "redirect_uris": [cfg.redirect_uri],
        }
    }


def _flow(cfg: CalendarSettings, state: str | None, code_verifier: str | None) -> Flow:
    flow = Flow.from_client_config(
        _client_config(cfg),
        scopes=list(cfg.scopes),
        redirect_uri=cfg.redirect_uri,
        state=state,
        code_verifier=code_verifier,
        autogenerate_code_verifier=code_verifier is None,
    )
    if cfg.ca_file:
        flow.oauth2session.verify = str(cfg.ca_file)
    return flow


def authorization_url(cfg: CalendarSettings) -> tuple[str, str, str]:
    """(URL to open, state, PKCE code verifier) for a new authorization."""
    flow = _flow(cfg, None, None)
    url, state = flow.authorization_url(
        access_type="offline", prompt="consent", include_granted_scopes="true"
    )
    verifier = flow.code_verifier
    assert isinstance(verifier, str)
    return str(url), str(state), verifier


def _exchange(cfg: CalendarSettings, state: str, verifier: str, code: str) -> Grant:
    flow = _flow(cfg, state, verifier)
    try:
        verify: bool | str = str(cfg.ca_file) if cfg.ca_file else True
        flow.fetch_token(code=code, timeout=cfg.request_timeout_s, verify=verify)
    except Exception as exc:
        raise OAuthError(f"Google did not accept the authorization code: {exc}") from None
    creds = flow.credentials
    if not creds.refresh_token:
        raise OAuthError("Google returned no refresh token (offline access was not granted).")
    expiry = creds.expiry.replace(tzinfo=UTC) if creds.expiry else None
    return Grant(str(creds.refresh_token), str(creds.token), expiry, tuple(creds.scopes or ()))


async def exchange_code(cfg: CalendarSettings, state: str, verifier: str, code: str) -> Grant:
    """Swap the authorization code (with the PKCE verifier) for tokens."""
    return await asyncio.to_thread(_exchange, cfg, state, verifier, code)


def _revoke(cfg: CalendarSettings, token: str) -> bool:
    verify: bool | str = str(cfg.ca_file) if cfg.ca_file else True
    try:
        reply = requests.post(
            cfg.revoke_uri,
            params={"token": token},
            headers={"content-type": "application/x-www-form-urlencoded"},
            timeout=cfg.request_timeout_s,
            verify=verify,
        )
    except requests.RequestException:
        return False
    return bool(reply.status_code in (200, 400))  # 400: already invalid, which is the goal


async def revoke(cfg: CalendarSettings, token: str) -> bool:
    """Ask Google to revoke a token (and the grant behind it); True when it is gone."""
    return await asyncio.to_thread(_revoke, cfg, token)
