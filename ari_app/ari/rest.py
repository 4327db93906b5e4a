"""Typed ARI REST calls over aiohttp: only the operations Switchboard uses.

Every method returns parsed dataclasses (or nothing); HTTP failures raise :class:`AriHttpError`
(:class:`AriNotFound` for 404, so cleanup code can treat "already gone" as success, and
:class:`AriAuthError` for 401).
"""

from __future__ import annotations

import base64
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from ari_app.ari.events import (
    Bridge,
    Channel,
    Playback,
    parse_bridge,
    parse_channel,
    parse_playback,
)

log = logging.getLogger(__name__)


class AriHttpError(RuntimeError):
    """ARI answered with an error status."""

    def __init__(self, status: int, method: str, path: str, message: str) -> None:
        super().__init__(f"ARI {method} {path} -> {status}: {message}")
        self.status = status
        self.message = message


class AriNotFound(AriHttpError):
    """404: the channel, bridge or playback does not exist (any more)."""


class AriAuthError(AriHttpError):
    """401: the ARI user or password is wrong."""


@dataclass(frozen=True)
class AsteriskInfo:
    """The parts of ``GET /asterisk/info`` we use."""

    version: str
    system_name: str
    entity_id: str


class AriRest:
    """ARI REST client bound to one base URL and one aiohttp session."""

    def __init__(
        self,
        base_url: str,
        user: str,
        password: str,
        *,
        timeout_s: float = 5.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.base = base_url.rstrip("/") + "/ari"
        self._headers = {"Authorization": basic_auth_header(user, password)}
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session = session
        self._owns_session = session is None

    async def __aenter__(self) -> AriRest:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """One ARI request; returns decoded JSON (or None for 204)."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        clean = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        async with self._session.request(
            method,
            self.base + path,
            params=clean,
            json=json,
            headers=self._headers,
            timeout=self._timeout,
        ) as resp:
            if resp.status == 204:
                return None
            text = await resp.text()
            if resp.status >= 400:
                message = _error_message(text)
                cls = {404: AriNotFound, 401: AriAuthError}.get(resp.status, AriHttpError)
                raise cls(resp.status, method, path, message)
            if not text:
                return None
            return await resp.json(content_type=None)

    # -- asterisk ----------------------------------------------------------------------
    async def asterisk_info(self) -> AsteriskInfo:
        """Version and identity of the connected Asterisk."""
        data = await self.request("GET", "/asterisk/info")
        system = data.get("system", {})
        return AsteriskInfo(
            version=str(system.get("version", "")),
            system_name=str(data.get("config", {}).get("name", "")),
            entity_id=str(system.get("entity_id", "")),
        )

    async def module_loaded(self, name: str) -> bool:
        """True when Asterisk has module ``name`` (e.g. ``chan_websocket.so``) loaded."""
        try:
            data = await self.request("GET", f"/asterisk/modules/{name}")
        except AriNotFound:
            return False
        return str(data.get("status", "")).lower() == "running"

    async def get_global_var(self, variable: str) -> str:
        """Read a global variable."""
        data = await self.request("GET", "/asterisk/variable", params={"variable": variable})
        return str(data.get("value", ""))

    async def set_global_var(self, variable: str, value: str) -> None:
        """Set a global variable (or a writable dialplan function)."""
        await self.request(
            "POST", "/asterisk/variable", params={"variable": variable, "value": value}
        )

    # -- channels ----------------------------------------------------------------------
    async def list_channels(self) -> list[Channel]:
        """All channels Asterisk has."""
        return [parse_channel(c) for c in await self.request("GET", "/channels")]

    async def get_channel(self, channel_id: str) -> Channel:
        """One channel's snapshot."""
        return parse_channel(await self.request("GET", f"/channels/{channel_id}"))

    async def answer(self, channel_id: str) -> None:
        """Answer a ringing channel."""
        await self.request("POST", f"/channels/{channel_id}/answer")

    async def hangup(self, channel_id: str, reason: str = "normal") -> None:
        """Hang up a channel."""
        await self.request("DELETE", f"/channels/{channel_id}", params={"reason": reason})

    async def continue_in_dialplan(
        self, channel_id: str, context: str, extension: str, priority: int = 1
    ) -> None:
        """Leave the app and continue in the dialplan (e.g. ``ext-queues,401,1``)."""
        await self.request(
            "POST",
            f"/channels/{channel_id}/continue",
            params={"context": context, "extension": extension, "priority": priority},
        )

    async def set_channel_var(self, channel_id: str, variable: str, value: str) -> None:
        """Set a channel variable."""
        await self.request(
            "POST",
            f"/channels/{channel_id}/variable",
            params={"variable": variable, "value": value},
        )

    async def get_channel_var(self, channel_id: str, variable: str) -> str:
        """Read a channel variable."""
        data = await self.request(
            "GET", f"/channels/{channel_id}/variable", params={"variable": variable}
        )
        return str(data.get("value", ""))

    async def send_dtmf(self, channel_id: str, dtmf: str) -> None:
        """Send DTMF digits to a channel."""
        await self.request("POST", f"/channels/{channel_id}/dtmf", params={"dtmf": dtmf})

    async def play(self, target: str, media: str, playback_id: str | None = None) -> Playback:
        """Play ``media`` (``sound:...``) on ``channels/<id>`` or ``bridges/<id>``."""
        data = await self.request(
            "POST", f"/{target}/play", params={"media": media, "playbackId": playback_id}
        )
        return parse_playback(data)

    async def stop_playback(self, playback_id: str) -> None:
        """Stop a playback at once."""
        await self.request("DELETE", f"/playbacks/{playback_id}")

    async def external_media(
        self,
        *,
        app: str,
        fmt: str,
        transport: str,
        encapsulation: str,
        external_host: str | None = None,
        connection_type: str | None = None,
        channel_id: str | None = None,
        direction: str = "both",
        variables: Mapping[str, str] | None = None,
    ) -> Channel:
        """Create an externalMedia channel (chan_websocket or RTP)."""
        data = await self.request(
            "POST",
            "/channels/externalMedia",
            params={
                "app": app,
                "format": fmt,
                "transport": transport,
                "encapsulation": encapsulation,
                "external_host": external_host,
                "connection_type": connection_type,
                "channelId": channel_id,
                "direction": direction,
            },
            json={"variables": dict(variables)} if variables else None,
        )
        return parse_channel(data)

    async def originate(
        self,
        endpoint: str,
        *,
        app: str,
        app_args: str = "",
        caller_id: str | None = None,
        timeout_s: int = 30,
        channel_id: str | None = None,
        variables: Mapping[str, str] | None = None,
    ) -> Channel:
        """Place a call to ``endpoint`` (e.g. ``PJSIP/+1555@twilio``) into the app."""
        data = await self.request(
            "POST",
            "/channels",
            params={
                "endpoint": endpoint,
                "app": app,
                "appArgs": app_args,
                "callerId": caller_id,
                "timeout": timeout_s,
                "channelId": channel_id,
            },
            json={"variables": dict(variables)} if variables else None,
        )
        return parse_channel(data)

    # -- bridges -----------------------------------------------------------------------
    async def list_bridges(self) -> list[Bridge]:
        """All bridges Asterisk has."""
        return [parse_bridge(b) for b in await self.request("GET", "/bridges")]

    async def create_bridge(
        self, bridge_type: str = "mixing", name: str = "", bridge_id: str | None = None
    ) -> Bridge:
        """Create a bridge (with our own id when given, so cleanup never misses it)."""
        data = await self.request(
            "POST",
            "/bridges",
            params={"type": bridge_type, "name": name or None, "bridgeId": bridge_id},
        )
        return parse_bridge(data)

    async def add_channel(self, bridge_id: str, channel_id: str) -> None:
        """Put a channel into a bridge."""
        await self.request(
            "POST", f"/bridges/{bridge_id}/addChannel", params={"channel": channel_id}
        )

    async def destroy_bridge(self, bridge_id: str) -> None:
        """Destroy a bridge (its channels stay up)."""
        await self.request("DELETE", f"/bridges/{bridge_id}")

    # -- device states -----------------------------------------------------------------
    async def get_device_state(self, name: str) -> str:
        """State of a ``Stasis:<name>`` device."""
        data = await self.request("GET", f"/deviceStates/Stasis:{name}")
        return str(data.get("state", ""))

    async def set_device_state(self, name: str, state: str) -> None:
        """Set a ``Stasis:<name>`` device state (NOT_INUSE, INUSE, UNAVAILABLE, ...)."""
        await self.request("PUT", f"/deviceStates/Stasis:{name}", params={"deviceState": state})


def basic_auth_header(user: str, password: str) -> str:
    """The ``Authorization`` header value for HTTP basic auth."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def ignore_missing(coro: Any) -> None:
    """Await an ARI cleanup call, treating 404 ("already gone") as success."""
    with contextlib.suppress(AriNotFound):
        await coro


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _error_message(text: str) -> str:
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:200]
    if isinstance(data, dict) and "message" in data:
        return str(data["message"])
    return text.strip()[:200]
