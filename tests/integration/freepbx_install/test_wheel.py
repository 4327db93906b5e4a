"""What ships is what runs: the built wheel, installed into a fresh virtualenv as the VM does,
carries its templates and the console bundle, and its `switchboard freepbx install --dry-run`
and `switchboard doctor --json` run against the dev PBX without a traceback.

The fresh venv takes Switchboard from the wheel only; its third-party dependencies come from
the project's venv through a path entry (pip installs the wheel with --no-deps), so the test
needs no download but the build backend.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest

from switchboard.settings import Settings

pytestmark = [pytest.mark.pbx, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[3]
DEVBIN = Path(__file__).parent / "devbin"
SHIPPED = (
    "freepbx/conf/webrtc_agent.tmpl",
    "freepbx/conf/extensions_custom.conf",
    "freepbx/devpbx/conf/modules.conf",
    "webrtc_console/static/console.html",
    "webrtc_console/static/dist/console.js",
    "webrtc_console/static/dist/tryit.js",
    "mcp_tools/migrations/script.py.mako",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (REPO / "webrtc_console/static/dist/console.js").exists():
        pytest.fail("the console bundle is missing: `make console-bundle` before building")
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    (built,) = out.glob("switchboard-*.whl")
    return built


@pytest.fixture(scope="module")
def shipped_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("venv") / "venv"
    venv.EnvBuilder(with_pip=True).create(where)
    py = where / "bin" / "python"
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = "\n".join(site.getsitepackages())  # plain path lines: no editable finder runs
    (Path(purelib) / "switchboard-deps.pth").write_text(deps + "\n")
    proc = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return where


def test_the_wheel_carries_templates_and_the_console_bundle(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in SHIPPED if name not in names]
    assert missing == []


def _run(venv_dir: Path, env: dict[str, str], cwd: Path, *args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [str(venv_dir / "bin" / "switchboard"), *args, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        cwd=cwd,
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_installed_wheel_runs_install_dry_run_and_doctor_on_the_dev_pbx(
    shipped_venv: Path, dev_pbx: Any, ari_settings: Settings, tmp_path: Path
) -> None:
    if dev_pbx is None:
        pytest.skip("runs against the dev PBX's tree")
    where = subprocess.run(
        [str(shipped_venv / "bin" / "python"), "-c", "import freepbx; print(freepbx.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout
    assert str(shipped_venv) in where  # the code under test is the wheel's, not the tree's
    pbx = ari_settings.pbx
    assert ari_settings.ari.password is not None
    env = {
        "PATH": f"{shipped_venv / 'bin'}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/root"),
        "SWITCHBOARD_CONFIG": str(tmp_path / "none.toml"),
        "DEVPBX_ROOT": str(dev_pbx.root),
        "FAKE_PBX_DIR": str(tmp_path),
        "SWITCHBOARD_PBX__MODE": "external",
        "SWITCHBOARD_ARI__URL": ari_settings.ari_url,
        "SWITCHBOARD_ARI__PASSWORD": ari_settings.ari.password.get_secret_value(),
        "SWITCHBOARD_FREEPBX__ROOT": str(dev_pbx.root),
        "SWITCHBOARD_FREEPBX__FWCONSOLE": str(DEVBIN / "fwconsole"),
        "SWITCHBOARD_FREEPBX__ASTERISK": str(DEVBIN / "asterisk"),
        "SWITCHBOARD_FREEPBX__MANAGE_FIREWALL": "false",  # the host's fail2ban is not the PBX's
        "SWITCHBOARD_FREEPBX__TRUNK_MATCH": json.dumps([pbx.trunk_address]),
        "SWITCHBOARD_FREEPBX__WSS_BIND_ADDRESS": pbx.bind_address,
        "SWITCHBOARD_FREEPBX__TLS_CERT_FILE": "/etc/asterisk/keys/switchboard.crt",
        "SWITCHBOARD_FREEPBX__TLS_KEY_FILE": "/etc/asterisk/keys/switchboard.key",
        "SWITCHBOARD_TWILIO__DOMAIN_NAME": f"{pbx.trunk_address}:5062",
        "SWITCHBOARD_TWILIO__PHONE_NUMBERS": json.dumps([pbx.demo_did]),
    }
    dry = _run(shipped_venv, env, tmp_path, "freepbx", "install", "--dry-run")
    assert dry["dry_run"] is True and dry["files"] == [], dry
    # The dev PBX's custom files hold Switchboard's objects outside any marked block (it
    # writes them whole), so the only findings are clashes; everything else passes.
    failed = {c["name"] for c in dry["preflight"] if c["status"] == "fail"}
    assert failed and all(name.startswith("clash.") for name in failed), failed
    doctor = _run(shipped_venv, env, tmp_path, "doctor")
    assert doctor["checks"], doctor
    names = {c["name"] for c in doctor["checks"]}
    assert "include.pjsip.endpoint_custom.conf" in names and "ari.reachable" in names
