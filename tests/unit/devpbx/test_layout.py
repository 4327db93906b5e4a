"""The dev PBX's /etc/asterisk has FreePBX 17's include layout (freepbx.freepbx17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from freepbx import freepbx17, layout
from freepbx.checks import check_includes
from freepbx.devpbx import config
from freepbx.devpbx.secrets import ensure_secrets
from switchboard.settings import Settings


@pytest.fixture(scope="module")
def etc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("root")
    indications = root / config.INDICATIONS
    indications.parent.mkdir(parents=True)
    indications.write_text("[general]\ncountry=us\n")
    state = tmp_path_factory.mktemp("state")
    config.write_config(root, Settings(state_dir=state), ensure_secrets(state / "devpbx"))
    return root / "etc" / "asterisk"


@pytest.mark.parametrize("name", sorted(freepbx17.INCLUDES))
def test_each_generated_file_includes_what_freepbx_writes_in_order(etc: Path, name: str) -> None:
    assert layout.includes((etc / name).read_text()) == list(freepbx17.INCLUDES[name])


def test_pjsip_conf_is_genconfig_shaped(etc: Path) -> None:
    text = (etc / "pjsip.conf").read_text()
    assert text == freepbx17.pjsip_conf(config.PJSIP_GLOBAL)


def test_every_included_file_exists_so_asterisk_loads_cleanly(etc: Path) -> None:
    for name in etc.glob("*.conf"):
        for included in layout.includes(name.read_text()):
            assert (etc / included).exists(), f"{name.name} includes missing {included}"


def test_include_checks_pass_on_the_dev_pbx(etc: Path) -> None:
    assert {c.status for c in check_includes(etc)} == {"ok"}


def test_secret_bearing_files_are_0640(etc: Path) -> None:
    for name in config.SECRET_FILES:
        assert (etc / name).stat().st_mode & 0o777 == 0o640, name
