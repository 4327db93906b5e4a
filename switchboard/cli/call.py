"""``switchboard call``: call the running assistant through the dev PBX, headless."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from switchboard.cli.common import AppContext, emit, json_option, pass_app


def _text(result: Mapping[str, Any]) -> str:
    lines = [f"Called as {result['caller_number']}."]
    for item in result["timeline"]:
        who = "you      " if item["who"] == "caller" else "assistant"
        extra = f"  (answered after {item['latency_ms']} ms)" if item.get("latency_ms") else ""
        lines.append(f"[{item['start_s']:6.1f}s] {who}: {item['text']}{extra}")
    lines.append(f"Recording: {result['recording']}")
    return "\n".join(lines)


def _timeline(report: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for i, said in enumerate(report["said"]):
        latency = report["reply_latency_ms"][i] if i < len(report["reply_latency_ms"]) else None
        items.append({"who": "caller", **said, "latency_ms": latency})
    items += [{"who": "assistant", **heard} for heard in report["heard"]]
    return sorted(items, key=lambda x: x["start_s"])


@click.command()
@click.option("--say", "texts", multiple=True, help="A sentence to say (repeatable, in order).")
@click.option(
    "--wav",
    "wavs",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A mono WAV to play as speech (after the --say texts).",
)
@click.option(
    "--keys",
    "key_groups",
    multiple=True,
    help="Digits to key before speaking, e.g. --keys 101# --keys 4821# (a PIN).",
)
@click.option("--to", "did", default=None, help="Number to call (default: the demo DID).")
@click.option("--from", "caller_number", default="", help="Caller ID (default: random).")
@click.option("--wait", default=5.0, show_default=True, help="Seconds before the first input.")
@click.option("--gap", default=8.0, show_default=True, help="Seconds to listen after each input.")
@json_option
@pass_app
def call(
    app: AppContext,
    texts: tuple[str, ...],
    wavs: tuple[Path, ...],
    key_groups: tuple[str, ...],
    did: str | None,
    caller_number: str,
    wait: float,
    gap: float,
    as_json: bool,
) -> None:
    """Place a real call to the assistant, speak, and print what it said, with timings."""
    from ari_app.speech.stt_whisper import WhisperStt
    from ari_app.speech.tts_piper import PiperTts
    from switchboard.callers.script import Pause, PlayWav, Speak, Step
    from switchboard.callers.session import CallPlan, place_call

    if not (texts or wavs or key_groups):
        raise click.UsageError("give something to say (--say), play (--wav) or key (--keys)")
    settings = app.settings
    voice = PiperTts.load(deterministic=True)
    stt = WhisperStt.load()
    keys = [(wait + i * gap, group) for i, group in enumerate(key_groups)]
    steps: list[Step] = [Pause(wait + len(key_groups) * gap)]
    for text in texts:
        steps += [Speak(text), Pause(gap)]
    for wav in wavs:
        steps += [PlayWav(wav), Pause(gap)]
    host = "127.0.0.1" if settings.pbx.bind_address == "0.0.0.0" else settings.pbx.bind_address
    plan = CallPlan(
        steps,
        keys,
        target=f"sip:{did or settings.pbx.demo_did}@{host}:{settings.pbx.sip_port}",
        caller_number=caller_number,
        caller_address=settings.pbx.trunk_address,
    )

    def synthesize(text: str, rate: int) -> bytes:
        return b"".join(chunk.pcm for chunk in voice.synthesize_sync(text, rate))

    def transcribe(pcm16k: bytes) -> str:
        return str(stt.transcribe_sync(pcm16k).text)

    with tempfile.TemporaryDirectory(prefix="sb-call-") as tmp:
        report = place_call(plan, Path(tmp), synthesize, transcribe).as_dict()
        keep = Path(settings.state_dir) / "calls" / f"{report['caller_number'].lstrip('+')}.wav"
        keep.parent.mkdir(parents=True, exist_ok=True)
        keep.write_bytes(Path(report["recording"]).read_bytes())
    report["recording"] = str(keep)
    report["timeline"] = _timeline(report)
    emit(report, as_json, _text)
