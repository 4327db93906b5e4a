"""The app answering with the real sign-in gate over a fresh demo database, without the
language model (no PIN here opens the agent, or the test swaps in the stand-in agent), and
SIPp scenarios that key digits like a caller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from ari_app.app import SwitchboardApp
from ari_app.call.assistant import Assistant
from switchboard.callers.sipp import uac_scenario
from switchboard.settings import Settings

DTMF_PCAP = "/usr/share/sip-tester/dtmf_2833_{}.pcap"


def keyed_scenario(
    steps: list[tuple[float, str]], hang_up_after_s: float, *, caller_id: str = ""
) -> str:
    """A SIPp caller that waits, keys digits (``#`` included), waits again, then hangs up:
    ``steps`` are (seconds to wait first, digits to key). Each digit plays SIPp's RFC 4733
    pcap, whose RTP numbering is fixed: only the first group of digits of a call is heard
    reliably. ``caller_id`` replaces SIPp's own ``+1555000<n>``."""
    plain = uac_scenario(0, audio_pcap=None)
    if caller_id:
        plain = plain.replace("+1555000[call_number]", caller_id)
    bye = '  <send retrans="500">\n    <![CDATA[\n      BYE'
    head, tail = plain.split(bye, 1)
    actions = []
    for wait_s, digits in steps:
        actions.append(f'  <pause milliseconds="{int(wait_s * 1000)}"/>\n')
        for digit in digits:
            name = {"#": "pound", "*": "star"}.get(digit, digit)
            pcap = DTMF_PCAP.format(name)
            actions.append(f'  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>\n')
            actions.append('  <pause milliseconds="250"/>\n')
    actions.append(f'  <pause milliseconds="{int(hang_up_after_s * 1000)}"/>\n')
    return head + "".join(actions) + bye + tail


@pytest.fixture
async def signin_app(
    voice_app: SwitchboardApp, ari_settings: Settings, tmp_path: Path
) -> AsyncIterator[tuple[SwitchboardApp, Settings]]:
    """The session's app signing callers in against a fresh demo database (real bcrypt
    cost, so parallel checks overlap as they would in production)."""
    from mcp_tools.app import ToolsApp
    from mcp_tools.db import migrate
    from mcp_tools.db.session import Database
    from mcp_tools.seed import seed_demo

    url = f"sqlite+aiosqlite:///{tmp_path / 'signin.db'}"
    settings = ari_settings.model_copy(
        update={
            "database": ari_settings.database.model_copy(update={"url": SecretStr(url)}),
            "tools": ari_settings.tools.model_copy(update={"bcrypt_rounds": 12}),
            "reminders": ari_settings.reminders.model_copy(update={"enabled": False}),
        }
    )
    db = Database.from_settings(settings)
    await migrate.upgrade(db)
    await seed_demo(db, bcrypt_rounds=12)
    await db.dispose()
    tools = ToolsApp.from_settings(settings)
    saved = voice_app.assistant
    voice_app.assistant = Assistant(settings, tools)
    try:
        yield voice_app, settings
    finally:
        voice_app.assistant = saved
        await tools.db.dispose()


Opener = Callable[..., object]
