import json

import pytest

from ari_app.media.control import command, parse_control


def test_json_media_start() -> None:
    event = parse_control(
        json.dumps(
            {
                "event": "MEDIA_START",
                "channel_id": "1.2",
                "connection_id": "c1",
                "format": "slin16",
                "optimal_frame_size": 640,
                "ptime": 20,
            }
        )
    )
    assert event.event == "MEDIA_START"
    assert event.channel_id == "1.2"
    assert event.optimal_frame_size == 640
    assert event.ptime_ms == 20


def test_plain_text_legacy_format() -> None:
    event = parse_control(
        "MEDIA_START connection_id:c1 channel:WebSocket/c1 optimal_frame_size:320"
    )
    assert event.event == "MEDIA_START"
    assert event.optimal_frame_size == 320


def test_mark_processed_correlation() -> None:
    event = parse_control('{"event": "MEDIA_MARK_PROCESSED", "correlation_id": "turn-3"}')
    assert event.correlation_id == "turn-3"


@pytest.mark.parametrize("text", ["", "   ", "{not json", '{"no_event": 1}', "[1, 2]"])
def test_bad_control_messages(text: str) -> None:
    with pytest.raises(ValueError):
        parse_control(text)


def test_command_is_json() -> None:
    assert json.loads(command("MARK_MEDIA", correlation_id="x")) == {
        "command": "MARK_MEDIA",
        "correlation_id": "x",
    }


def test_plain_text_commands_for_older_asterisk() -> None:
    from ari_app.media.control import control_format

    assert command("FLUSH_MEDIA", "plain-text") == "FLUSH_MEDIA"
    assert (
        command("MARK_MEDIA", "plain-text", correlation_id="c1") == "MARK_MEDIA correlation_id:c1"
    )
    assert control_format('{"event": "MEDIA_START"}') == "json"
    assert control_format("MEDIA_START connection_id:x") == "plain-text"
