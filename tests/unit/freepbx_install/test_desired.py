"""Rendering the blocks: reused secrets, queue dialplan, crypt checks."""

from __future__ import annotations

from freepbx.agents import queue_member
from freepbx.desired import crypt_matches, queue_definitions, queue_dialplan, section_passwords
from freepbx.devpbx.config import crypt_password


def test_crypt_matches_its_own_hash_only() -> None:
    h = crypt_password("pw-one")
    assert crypt_matches("pw-one", h)
    assert not crypt_matches("pw-two", h)
    assert not crypt_matches("pw-one", "plain")


def test_section_passwords() -> None:
    text = "[2001-auth]\ntype=auth\npassword = abc ; c\n[x]\ntype=aor\n"
    assert section_passwords(text) == {"2001-auth": "abc"}


def test_queue_snippets() -> None:
    plan = queue_dialplan({"support": "401"})
    assert "[ext-queues]" in plan and "Queue(401,tr,,,300)" in plan
    assert "Goto(switchboard-queue-failover,s,1)" in plan
    assert queue_dialplan({}) == ""
    defs = queue_definitions({"support": "401"}, (queue_member("2001", extension=False),))
    assert defs.startswith("[401]\n") and "member => PJSIP/2001,0,Agent 2001,PJSIP/2001" in defs
    freepbx_style = queue_definitions({"support": "401"}, (queue_member("2001", extension=True),))
    assert "member => Local/2001@from-queue/n,0,Agent 2001,hint:2001@ext-local" in freepbx_style
    assert "[" not in queue_definitions({}, ())
