import pytest

from freepbx.render import TemplateError, render
from freepbx.versions import AsteriskVersion, has_chan_websocket, parse_asterisk_version


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Asterisk 22.10.1+dfsg+~cs6.17.60671434-1", AsteriskVersion(22, 10, 1)),
        ("22.8.2", AsteriskVersion(22, 8, 2)),
        ("Asterisk 20.5", AsteriskVersion(20, 5, 0)),
        ("certified/18.9-cert7", AsteriskVersion(18, 9, 0)),
    ],
)
def test_parse_version(text: str, expected: AsteriskVersion) -> None:
    assert parse_asterisk_version(text) == expected


def test_parse_version_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        parse_asterisk_version("no version here")


@pytest.mark.parametrize(
    ("version", "ok"),
    [
        ("22.6.0", True),
        ("22.5.9", False),
        ("21.11.0", True),
        ("21.10.0", False),
        ("20.16.0", True),
        ("23.0.0", True),
        ("18.20.0", False),
    ],
)
def test_chan_websocket_versions(version: str, ok: bool) -> None:
    assert has_chan_websocket(parse_asterisk_version(version)) is ok


def test_render_replaces_and_keeps_asterisk_syntax() -> None:
    out = render("exten => s,1,Stasis(@@APP@@,${FROM_DID})", {"APP": "switchboard"})
    assert out == "exten => s,1,Stasis(switchboard,${FROM_DID})"


def test_render_refuses_missing_and_unused_values() -> None:
    with pytest.raises(TemplateError, match="no value for APP"):
        render("@@APP@@", {})
    with pytest.raises(TemplateError, match="unused values EXTRA"):
        render("@@APP@@", {"APP": "a", "EXTRA": "b"})
