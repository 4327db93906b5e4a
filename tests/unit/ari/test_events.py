import pytest

from ari_app.ari.events import (
    ChannelDtmfReceived,
    DeviceStateChanged,
    GenericEvent,
    MalformedEvent,
    PlaybackFinished,
    StasisStart,
    parse_event,
)

CHANNEL = {
    "id": "1700000000.1",
    "name": "PJSIP/twilio-00000001",
    "state": "Ring",
    "caller": {"number": "+15557654321", "name": ""},
    "connected": {"number": "", "name": ""},
    "dialplan": {"context": "switchboard-inbound", "exten": "s", "priority": 3},
    "creationtime": "2026-11-26T06:00:00.000+0000",
    "channelvars": {"MEDIA_WEBSOCKET_CONNECTION_ID": "abc"},
}


def test_stasis_start_is_typed() -> None:
    event = parse_event(
        {
            "type": "StasisStart",
            "application": "switchboard",
            "timestamp": "t",
            "args": ["inbound", "+15550100"],
            "channel": CHANNEL,
        }
    )
    assert isinstance(event, StasisStart)
    assert event.args == ("inbound", "+15550100")
    assert event.channel.caller.number == "+15557654321"
    assert event.channel.dialplan.priority == 3
    assert event.channel.channelvars["MEDIA_WEBSOCKET_CONNECTION_ID"] == "abc"


def test_dtmf_and_playback_and_device_state() -> None:
    dtmf = parse_event(
        {"type": "ChannelDtmfReceived", "digit": "5", "duration_ms": 120, "channel": CHANNEL}
    )
    assert isinstance(dtmf, ChannelDtmfReceived) and dtmf.digit == "5" and dtmf.duration_ms == 120
    playback = parse_event(
        {
            "type": "PlaybackFinished",
            "playback": {
                "id": "p1",
                "media_uri": "sound:hello-world",
                "target_uri": "channel:1",
                "state": "done",
            },
        }
    )
    assert isinstance(playback, PlaybackFinished) and playback.playback.state == "done"
    device = parse_event(
        {"type": "DeviceStateChanged", "device_state": {"name": "Stasis:a1", "state": "INUSE"}}
    )
    assert isinstance(device, DeviceStateChanged) and device.state == "INUSE"


def test_unknown_type_passes_through_whole() -> None:
    event = parse_event({"type": "BrandNewEvent", "application": "switchboard", "x": 1})
    assert isinstance(event, GenericEvent)
    assert event.raw["x"] == 1


@pytest.mark.parametrize(
    "data",
    [
        None,
        "StasisStart",
        [],
        {},
        {"type": ""},
        {"type": 5},
        {"type": "StasisStart"},
        {"type": "StasisStart", "channel": {"name": "no id"}},
        {"type": "StasisStart", "channel": "not an object"},
        {"type": "ChannelDtmfReceived", "channel": CHANNEL},
        {"type": "ChannelDtmfReceived", "channel": CHANNEL, "digit": "1", "duration_ms": "long"},
        {"type": "DeviceStateChanged", "device_state": None},
        {
            "type": "ChannelEnteredBridge",
            "bridge": {"id": "b", "channels": "x"},
            "channel": CHANNEL,
        },
    ],
)
def test_malformed_events_raise_one_error_type(data: object) -> None:
    with pytest.raises(MalformedEvent):
        parse_event(data)
