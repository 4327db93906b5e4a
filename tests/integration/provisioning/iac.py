"""Run the IaC tools (tool venv ``.venv/iac``, Terraform) for the provisioning tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
TF_DIR = REPO / "provisioning" / "terraform-gcp"
IAC_VENV = Path(os.environ.get("SWITCHBOARD_IAC_VENV", REPO / ".venv" / "iac"))
PROVIDER_MIRRORS = (
    Path.home() / ".terraform.d" / "plugins",
    Path("/usr/local/share/terraform/plugins"),
    Path("/usr/share/terraform/plugins"),
)

_PARSE = """
import json, sys, tfparse
print(json.dumps(tfparse.load_from_path(sys.argv[1], vars_paths=sys.argv[2:]), default=str))
"""


def iac_tool(name: str) -> Path:
    """A tool of the IaC venv, or skip the test with the way to install it."""
    path = IAC_VENV / "bin" / name
    if not path.exists():
        pytest.skip(f"{path} missing: run `make iac-tools` (checkov and tfparse, pinned)")
    return path


def parse(root: Path, *tfvars: str) -> dict[str, Any]:
    """tfparse's view of ``root`` (module calls followed, variables resolved)."""
    proc = subprocess.run(
        [str(iac_tool("python")), "-c", _PARSE, str(root), *tfvars],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def terraform() -> str:
    """The terraform binary, or skip (Debian, PyPI and npm carry no pinned Terraform)."""
    exe = shutil.which("terraform")
    if exe is None:
        pytest.skip(
            "terraform is not installed (no pinned package of it on Debian, PyPI or npm); "
            "the parse checks of tfparse and checkov still ran"
        )
    return exe


def google_provider_mirror() -> Path | None:
    """A local filesystem mirror holding hashicorp/google, if this machine has one."""
    extra = os.environ.get("SWITCHBOARD_TF_PLUGIN_DIR")
    for base in ((Path(extra),) if extra else ()) + PROVIDER_MIRRORS:
        if (base / "registry.terraform.io" / "hashicorp" / "google").is_dir():
            return base
    return None
