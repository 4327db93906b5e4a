"""Marked blocks: merge keeps the admin's text, is idempotent, refuses broken markers."""

from __future__ import annotations

import pytest

from freepbx import blocks, layout

ADMIN = "; mine\n[my-ctx]\nexten => 100,1,Answer()\n"


def test_merge_appends_then_replaces_in_place() -> None:
    once = blocks.merge(ADMIN, "[a]\nx = 1\n")
    assert once.startswith(ADMIN) and once.endswith(blocks.END + "\n")
    assert blocks.merge(once, "[a]\nx = 1\n") == once
    later = blocks.merge(once + "; admin added after\n", "[a]\nx = 2\n")
    parts = blocks.split(later)
    assert parts.before == ADMIN and parts.after == "; admin added after\n"
    assert blocks.block_body(later) == "[a]\nx = 2\n"


def test_merge_into_empty_or_unterminated_file() -> None:
    assert blocks.merge("", "b") == blocks.make_block("b")
    assert blocks.merge("x", "b") == "x\n" + blocks.make_block("b")


@pytest.mark.parametrize(
    "text",
    [
        f"{blocks.BEGIN}\nno end\n",
        f"{blocks.END}\n{blocks.BEGIN}\n",
        f"{blocks.BEGIN}\n{blocks.END}\n{blocks.BEGIN}\n{blocks.END}\n",
    ],
)
def test_broken_markers_are_refused(text: str) -> None:
    with pytest.raises(blocks.BlockError, match="broken Switchboard markers"):
        blocks.merge(text, "b", "x.conf")


def test_conflicts_pjsip_by_name_and_type() -> None:
    theirs = "[twilio]\ntype=aor\n[fax]\ntype = endpoint\n[tpl](!)\ntype=endpoint\n"
    mine = "[twilio]\ntype = endpoint\n[fax]\ntype = endpoint\n[tpl]\ntype=endpoint\n"
    assert blocks.conflicts(theirs, mine) == ["[fax] (type = endpoint)"]


def test_conflicts_dialplan_only_on_same_extension() -> None:
    theirs = "[from-internal-custom]\nexten => 8000,1,Answer()\n"
    assert blocks.conflicts(theirs, "[from-internal-custom]\nexten => 7000,1,NoOp()\n") == []
    clash = blocks.conflicts(theirs, "[from-internal-custom]\nexten => 8000,1,NoOp()\n")
    assert clash == ["[from-internal-custom] exten 8000"]


def test_includes_and_bind_ports() -> None:
    text = '#include extensions_custom.conf\n#tryinclude "/etc/asterisk/x.conf"\n;#include y\n'
    assert layout.includes(text) == ["extensions_custom.conf", "x.conf"]
    assert layout.bind_port("[::]:7443") == 7443
    assert layout.bind_port("0.0.0.0:8089") == 8089
    assert layout.bind_port("7443") == 7443
    assert layout.bind_port("") is None


def test_parse_settings_and_sections() -> None:
    text = "[general]\ntlsenable = yes ; on\nTLSBINDADDR=[::]:7443\n\n[400]\nstrategy=ringall\n"
    assert layout.parse_settings(text)["tlsbindaddr"] == "[::]:7443"
    assert layout.parse_settings(text)["tlsenable"] == "yes"
    assert layout.section_names(text) == ["general", "400"]


def test_bind_hosts() -> None:
    assert layout.bind_host("[::]:7443") == "::"
    assert layout.bind_host("0.0.0.0:7443") == "0.0.0.0"
    assert layout.bind_host("127.0.0.1:8089") == "127.0.0.1"
    assert layout.same_bind_host("0.0.0.0", "::")
    assert not layout.same_bind_host("127.0.0.1", "::")
    assert layout.same_bind_host("127.0.0.1", "127.0.0.1")
