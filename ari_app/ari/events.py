"""ARI events as frozen dataclasses, parsed at the edge (pure: no I/O).

``parse_event`` turns one decoded JSON object from the events websocket into a typed event.
Types we do not model become :class:`GenericEvent` (so nothing is lost); objects that are not
ARI events at all raise :class:`MalformedEvent`, which the connection logs and skips.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class MalformedEvent(ValueError):
    """The websocket delivered something that is not a well-formed ARI event."""


@dataclass(frozen=True)
class CallerId:
    """A caller or connected party: number and name (either may be empty)."""

    number: str = ""
    name: str = ""


@dataclass(frozen=True)
class DialplanLocation:
    """Where a channel is in the dialplan."""

    context: str = ""
    exten: str = ""
    priority: int = 0
    app_name: str = ""
    """The dialplan application running (``Stasis`` while a channel is in an ARI app)."""
    app_data: str = ""
    """Its arguments (``switchboard,inbound,+15550100``)."""


@dataclass(frozen=True)
class Channel:
    """An ARI channel snapshot."""

    id: str
    name: str
    state: str
    caller: CallerId = CallerId()
    connected: CallerId = CallerId()
    dialplan: DialplanLocation = DialplanLocation()
    creationtime: str = ""
    channelvars: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bridge:
    """An ARI bridge snapshot."""

    id: str
    bridge_type: str = ""
    technology: str = ""
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Playback:
    """An ARI playback snapshot (``state``: queued, playing, done, failed, ...)."""

    id: str
    media_uri: str
    target_uri: str
    state: str


@dataclass(frozen=True)
class AriEvent:
    """Fields every ARI event carries."""

    type: str
    application: str
    timestamp: str


@dataclass(frozen=True)
class StasisStart(AriEvent):
    """A channel entered the app (``args`` from ``Stasis(app,arg1,...)``)."""

    channel: Channel
    args: tuple[str, ...] = ()
    replace_channel: Channel | None = None


@dataclass(frozen=True)
class StasisEnd(AriEvent):
    """A channel left the app (hung up or continued in the dialplan)."""

    channel: Channel


@dataclass(frozen=True)
class ChannelDtmfReceived(AriEvent):
    """A DTMF digit ended on a channel."""

    channel: Channel
    digit: str
    duration_ms: int


@dataclass(frozen=True)
class ChannelHangupRequest(AriEvent):
    """Someone asked for a channel to hang up."""

    channel: Channel
    cause: int = 0
    soft: bool = False


@dataclass(frozen=True)
class ChannelDestroyed(AriEvent):
    """A channel is gone."""

    channel: Channel
    cause: int = 0
    cause_txt: str = ""


@dataclass(frozen=True)
class ChannelStateChange(AriEvent):
    """A channel's state changed (Ring, Up, ...)."""

    channel: Channel


@dataclass(frozen=True)
class ChannelVarset(AriEvent):
    """A channel (or global, when ``channel`` is None) variable was set."""

    variable: str
    value: str
    channel: Channel | None = None


@dataclass(frozen=True)
class PlaybackStarted(AriEvent):
    """A playback began."""

    playback: Playback


@dataclass(frozen=True)
class PlaybackFinished(AriEvent):
    """A playback ended (``playback.state`` is ``done`` also when it was stopped)."""

    playback: Playback


@dataclass(frozen=True)
class ChannelEnteredBridge(AriEvent):
    """A channel joined a bridge."""

    bridge: Bridge
    channel: Channel


@dataclass(frozen=True)
class ChannelLeftBridge(AriEvent):
    """A channel left a bridge."""

    bridge: Bridge
    channel: Channel


@dataclass(frozen=True)
class BridgeDestroyed(AriEvent):
    """A bridge is gone."""

    bridge: Bridge


@dataclass(frozen=True)
class DeviceStateChanged(AriEvent):
    """A device state changed (``name`` such as ``PJSIP/2001``; ``state`` such as NOT_INUSE)."""

    name: str
    state: str


@dataclass(frozen=True)
class Dial(AriEvent):
    """Progress of a dial (originate) attempt."""

    peer: Channel
    dialstatus: str
    caller: Channel | None = None


@dataclass(frozen=True)
class GenericEvent(AriEvent):
    """Any event type not modelled above, kept whole."""

    raw: Mapping[str, Any] = field(default_factory=dict)


def _int(value: Any) -> int:
    """A number from ARI (malformed: 0)."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def parse_channel(data: Any) -> Channel:
    """Parse an ARI channel object."""
    obj = _mapping(data, "channel")
    caller = _mapping(obj.get("caller") or {}, "caller")
    connected = _mapping(obj.get("connected") or {}, "connected")
    dialplan = _mapping(obj.get("dialplan") or {}, "dialplan")
    variables = obj.get("channelvars") or {}
    return Channel(
        id=_str(obj, "id"),
        name=str(obj.get("name", "")),
        state=str(obj.get("state", "")),
        caller=CallerId(str(caller.get("number", "")), str(caller.get("name", ""))),
        connected=CallerId(str(connected.get("number", "")), str(connected.get("name", ""))),
        dialplan=DialplanLocation(
            str(dialplan.get("context", "")),
            str(dialplan.get("exten", "")),
            _int(dialplan.get("priority", 0)),
            str(dialplan.get("app_name", "")),
            str(dialplan.get("app_data", "")),
        ),
        creationtime=str(obj.get("creationtime", "")),
        channelvars={str(k): str(v) for k, v in _mapping(variables, "channelvars").items()},
    )


def parse_bridge(data: Any) -> Bridge:
    """Parse an ARI bridge object."""
    obj = _mapping(data, "bridge")
    channels = obj.get("channels") or []
    if not isinstance(channels, list):
        raise MalformedEvent("bridge.channels is not a list")
    return Bridge(
        id=_str(obj, "id"),
        bridge_type=str(obj.get("bridge_type", "")),
        technology=str(obj.get("technology", "")),
        channels=tuple(str(c) for c in channels),
    )


def parse_playback(data: Any) -> Playback:
    """Parse an ARI playback object."""
    obj = _mapping(data, "playback")
    return Playback(
        id=_str(obj, "id"),
        media_uri=str(obj.get("media_uri", "")),
        target_uri=str(obj.get("target_uri", "")),
        state=str(obj.get("state", "")),
    )


def _optional_channel(data: Any) -> Channel | None:
    return None if data is None else parse_channel(data)


_PARSERS: dict[str, Callable[[Mapping[str, Any], dict[str, Any]], AriEvent]] = {
    "StasisStart": lambda d, b: StasisStart(
        **b,
        channel=parse_channel(d.get("channel")),
        args=tuple(str(a) for a in d.get("args") or ()),
        replace_channel=_optional_channel(d.get("replace_channel")),
    ),
    "StasisEnd": lambda d, b: StasisEnd(**b, channel=parse_channel(d.get("channel"))),
    "ChannelDtmfReceived": lambda d, b: ChannelDtmfReceived(
        **b,
        channel=parse_channel(d.get("channel")),
        digit=_str(d, "digit"),
        duration_ms=int(d.get("duration_ms", 0) or 0),
    ),
    "ChannelHangupRequest": lambda d, b: ChannelHangupRequest(
        **b,
        channel=parse_channel(d.get("channel")),
        cause=int(d.get("cause", 0) or 0),
        soft=bool(d.get("soft", False)),
    ),
    "ChannelDestroyed": lambda d, b: ChannelDestroyed(
        **b,
        channel=parse_channel(d.get("channel")),
        cause=int(d.get("cause", 0) or 0),
        cause_txt=str(d.get("cause_txt", "")),
    ),
    "ChannelStateChange": lambda d, b: ChannelStateChange(
        **b, channel=parse_channel(d.get("channel"))
    ),
    "ChannelVarset": lambda d, b: ChannelVarset(
        **b,
        variable=_str(d, "variable"),
        value=str(d.get("value", "")),
        channel=_optional_channel(d.get("channel")),
    ),
    "PlaybackStarted": lambda d, b: PlaybackStarted(
        **b, playback=parse_playback(d.get("playback"))
    ),
    "PlaybackFinished": lambda d, b: PlaybackFinished(
        **b, playback=parse_playback(d.get("playback"))
    ),
    "ChannelEnteredBridge": lambda d, b: ChannelEnteredBridge(
        **b, bridge=parse_bridge(d.get("bridge")), channel=parse_channel(d.get("channel"))
    ),
    "ChannelLeftBridge": lambda d, b: ChannelLeftBridge(
        **b, bridge=parse_bridge(d.get("bridge")), channel=parse_channel(d.get("channel"))
    ),
    "BridgeDestroyed": lambda d, b: BridgeDestroyed(**b, bridge=parse_bridge(d.get("bridge"))),
    "DeviceStateChanged": lambda d, b: DeviceStateChanged(
        **b,
        name=_str(_mapping(d.get("device_state"), "device_state"), "name"),
        state=_str(_mapping(d.get("device_state"), "device_state"), "state"),
    ),
    "Dial": lambda d, b: Dial(
        **b,
        peer=parse_channel(d.get("peer")),
        dialstatus=str(d.get("dialstatus", "")),
        caller=_optional_channel(d.get("caller")),
    ),
}


def parse_event(data: Any) -> AriEvent:
    """Parse one decoded websocket message into a typed event.

    Raises :class:`MalformedEvent` when ``data`` is not an object with a string ``type`` or
    when a modelled event lacks a required part (e.g. a StasisStart without a channel id).
    """
    obj = _mapping(data, "event")
    event_type = obj.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise MalformedEvent("event has no 'type'")
    base: dict[str, Any] = {
        "type": event_type,
        "application": str(obj.get("application", "")),
        "timestamp": str(obj.get("timestamp", "")),
    }
    parser = _PARSERS.get(event_type)
    if parser is None:
        return GenericEvent(**base, raw=dict(obj))
    try:
        return parser(obj, base)
    except (TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, MalformedEvent):
            raise
        raise MalformedEvent(f"{event_type}: {exc}") from exc


def _mapping(data: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise MalformedEvent(f"{what} is not an object")
    return data


def _str(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedEvent(f"missing '{key}'")
    return value
