"""Include chains of FreePBX 17's layout (freepbx.freepbx17), followed recursively."""

from __future__ import annotations

from pathlib import Path

import pytest

from freepbx import freepbx17, layout
from freepbx.checks import check_includes


def render_layout(etc: Path) -> None:
    """FreePBX 17's generated files: only their include lines, as core and framework write them."""
    etc.mkdir(parents=True, exist_ok=True)
    for name, included in freepbx17.INCLUDES.items():
        if name == "pjsip.conf":
            text = freepbx17.pjsip_conf(("type=global",))
        else:
            text = "".join(f"#include {n}\n" for n in included)
        (etc / name).write_text(text)


CHAINS = {
    "pjsip.endpoint_custom.conf": ["pjsip.conf", "pjsip.endpoint.conf"],
    "pjsip.endpoint_custom_post.conf": ["pjsip.conf"],  # right after pjsip.endpoint.conf
    "pjsip.aor_custom.conf": ["pjsip.conf", "pjsip.aor.conf"],
    "pjsip.identify_custom.conf": ["pjsip.conf", "pjsip.identify.conf"],
    "extensions_custom.conf": ["extensions.conf"],
    "ari_additional_custom.conf": ["ari.conf"],
    "queues_custom.conf": ["queues.conf"],
}


@pytest.mark.parametrize("target", layout.TARGETS, ids=lambda t: t.filename)
def test_every_target_is_reached_through_freepbx_own_chain(tmp_path: Path, target: object) -> None:
    assert isinstance(target, layout.Target)
    render_layout(tmp_path)
    chain = layout.include_chain(tmp_path, target.root, target.filename)
    assert chain == [*CHAINS[target.filename], target.filename]
    assert chain[-2] == target.parent


def test_pjsip_conf_itself_never_names_the_object_custom_files() -> None:
    top = freepbx17.INCLUDES["pjsip.conf"]
    for kind in freepbx17.PJSIP_OBJECT_FILES:
        assert f"pjsip.{kind}_custom.conf" not in top
        assert f"pjsip.{kind}.conf" in top and f"pjsip.{kind}_custom_post.conf" in top
    text = freepbx17.pjsip_conf(("type=global",))
    # amendments [ext](+) of generated endpoints must come after them, before the AORs
    assert top.index("pjsip.endpoint.conf") < top.index("pjsip.endpoint_custom_post.conf")
    assert top.index("pjsip.endpoint_custom_post.conf") < top.index("pjsip.aor.conf")
    assert text.rstrip().endswith("#include pjsip_custom_post.conf")  # inside [global]
    assert text.index("#include pjsip.transports.conf") < text.index("[global]")


def test_a_broken_generated_file_breaks_the_chain_and_the_check_names_it(tmp_path: Path) -> None:
    render_layout(tmp_path)
    (tmp_path / "pjsip.aor.conf").write_text("[1001]\ntype=aor\n")
    assert layout.include_chain(tmp_path, "pjsip.conf", "pjsip.aor_custom.conf") is None
    found = {c.name: c for c in check_includes(tmp_path)}
    bad = found["include.pjsip.aor_custom.conf"]
    assert bad.status == "fail"
    assert "pjsip.aor.conf (from pjsip.conf)" in bad.detail
    assert "fwconsole reload" in bad.fix and "fwconsole ma install core" in bad.fix
    assert "never edit" in bad.fix
    assert [c.name for c in found.values() if c.status == "fail"] == [bad.name]


def test_the_old_assumption_direct_includes_would_not_be_freepbx(tmp_path: Path) -> None:
    render_layout(tmp_path)
    assert all(c.status == "ok" for c in check_includes(tmp_path))
    (tmp_path / "pjsip.endpoint.conf").unlink()
    found = {c.name: c.status for c in check_includes(tmp_path)}
    assert found["include.pjsip.endpoint_custom.conf"] == "fail"


def test_cycles_and_missing_files_end_a_branch(tmp_path: Path) -> None:
    (tmp_path / "a.conf").write_text("#include b.conf\n#tryinclude missing.conf\n")
    (tmp_path / "b.conf").write_text('#include "a.conf"\n#include c.conf\n')
    (tmp_path / "c.conf").write_text("")
    assert layout.include_chain(tmp_path, "a.conf", "c.conf") == ["a.conf", "b.conf", "c.conf"]
    assert layout.include_chain(tmp_path, "a.conf", "d.conf") is None
